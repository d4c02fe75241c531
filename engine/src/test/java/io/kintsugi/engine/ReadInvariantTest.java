package io.kintsugi.engine;

import io.kintsugi.engine.events.CorruptionFoundEvent;
import io.kintsugi.engine.format.BlockCompression;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.BlockLocation;
import io.kintsugi.engine.format.BlockTrailerFormat;
import io.kintsugi.engine.format.BlockType;
import io.kintsugi.engine.format.ByteSink;
import io.kintsugi.engine.format.DataBlockFormat;
import io.kintsugi.engine.format.DecodedDataBlock;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.IndexBlockFormat;
import io.kintsugi.engine.format.IndexBlockFormat.IndexEntry;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.manifest.ManifestState;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.SegmentFileInspector;
import io.kintsugi.engine.table.SegmentFileReader;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read path's invariant checks, on segment files whose every checksum is valid but whose content breaks a rule:
 * a data block rewritten through the format classes with its CRC recomputed (keys out of order, a key outside the
 * index's bounds for the block, a sequence above the file's maximum). Each read of the block throws
 * {@code INVARIANT_VIOLATION} at the block's offset, the range is recorded as damaged, listeners and JFR hear of
 * it, other reads return exactly what was written, and no read returns a wrong value.
 */
class ReadInvariantTest {

    private static final String NS = "inv";
    private static final String KEY_MARK = "kv~";
    private static final int KEYS = 1500;
    private static final int BLOCK = 7;

    @TempDir
    Path tmp;

    private final Map<String, byte[]> oracle = new TreeMap<>();
    private final List<CorruptionEvent> events = new CopyOnWriteArrayList<>();

    private StoreOptions options() {
        return StoreOptions.builder().compression(false).blockSize(1024).blockCacheSize(0)
                .listener(new StoreListener() {
                    @Override
                    public void onCorruption(CorruptionEvent event) {
                        events.add(event);
                    }
                }).build();
    }

    private static byte[] key(int i) {
        return String.format("%s%08d", KEY_MARK, i).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A store of one flushed segment file; returns where the file is. */
    private Path buildStore(Path dir) {
        Random r = new Random(20261203);
        try (Store store = Store.open(dir, options())) {
            Namespace ns = store.namespace(NS);
            for (int i = 0; i < KEYS; i++) {
                byte[] v = new byte[40];
                r.nextBytes(v);
                ns.put(key(i), v);
                oracle.put(new String(key(i), StandardCharsets.ISO_8859_1), v);
            }
            store.flush();
        }
        return dir;
    }

    /** The decoded entries of data block {@link #BLOCK}, its handle, and a way to write it back changed. */
    private final class BlockRewrite {
        final Path file;
        final long fileNumber;
        final BlockHandle handle;
        final long maxSequence;
        final java.util.UUID storeId;
        final long size;
        final List<Entry> entries;
        final List<Entry> nextEntries;

        BlockRewrite(Path dir) {
            ManifestState state;
            try (Manifest m = Manifest.open(dir)) {
                state = m.state();
            }
            assertEquals(1, state.files().size());
            FileMetadata meta = state.files().firstEntry().getValue();
            fileNumber = meta.fileNumber();
            maxSequence = meta.maxSequence();
            storeId = state.storeId();
            size = meta.size();
            file = dir.resolve(StoreFiles.segmentFileName(fileNumber));
            try (SegmentFileReader reader = SegmentFileReader.open(file, fileNumber, state.storeId(), meta.size(),
                    BlockCache.disabled())) {
                handle = reader.dataBlocks().get(BLOCK);
                entries = new ArrayList<>(SegmentFileInspector.entriesByBlock(reader).get(BLOCK));
                nextEntries = new ArrayList<>(SegmentFileInspector.entriesByBlock(reader).get(BLOCK + 1));
            }
            // The payload decodes to exactly those entries: the rewrite below goes through the same format class.
            byte[] block = StoreFileDamage.read(file, handle.offset(), handle.length());
            DecodedDataBlock decoded = DataBlockFormat.decode(Arrays.copyOf(block, handle.payloadLength()),
                    new BlockLocation(file, fileNumber, BlockType.DATA, handle));
            assertEquals(entries.size(), decoded.count());
        }

        /** Encodes {@code changed} as the block's payload, recomputes its CRC and writes it in place. */
        void write(List<Entry> changed) {
            write(handle, changed);
        }

        /** Encodes {@code changed} as the payload of the data block at {@code h} and writes it in place. */
        void write(BlockHandle h, List<Entry> changed) {
            BlockHandle handle = h;
            ByteSink sink = new ByteSink(handle.length());
            int[] offsets = new int[changed.size()];
            for (int i = 0; i < changed.size(); i++) {
                Entry e = changed.get(i);
                offsets[i] = sink.size();
                DataBlockFormat.appendEntry(sink, e.key(), e.sequence(), e.isDelete() ? 2 : 1, e.value());
            }
            DataBlockFormat.appendOffsets(sink, offsets, changed.size());
            int payload = sink.size();
            BlockTrailerFormat.append(sink, BlockType.DATA, BlockCompression.NONE, payload, fileNumber,
                    handle.offset());
            assertEquals(handle.length(), sink.size(), "the rewritten block keeps its length");
            StoreFileDamage.overwrite(file, handle.offset(), sink.toByteArray());
        }

        /** Rewrites the index entry of data block {@code b} with another first key of the same length. */
        void writeIndexFirstKey(int b, byte[] firstKey) {
            FooterFormat.Footer footer = FooterFormat.decode(StoreFileDamage.read(file, size - FooterFormat.LENGTH,
                    FooterFormat.LENGTH), file, fileNumber, storeId, size);
            BlockHandle ih = footer.index();
            byte[] block = StoreFileDamage.read(file, ih.offset(), ih.length());
            BlockLocation location = new BlockLocation(file, fileNumber, BlockType.INDEX, ih);
            assertEquals(BlockCompression.NONE.code(),
                    block[ih.payloadLength() + BlockTrailerFormat.COMPRESSION_OFFSET] & 0xFF,
                    "the fixture's index block is stored uncompressed");
            List<IndexEntry> index = new ArrayList<>(IndexBlockFormat.decode(Arrays.copyOf(block, ih.payloadLength()),
                    location, footer.filter().offset()));
            IndexEntry e = index.get(b);
            assertEquals(e.firstKey().length, firstKey.length);
            index.set(b, new IndexEntry(firstKey, e.lastKey(), e.lastSequence(), e.handle(), e.entryCount()));
            ByteSink sink = IndexBlockFormat.encode(index);
            int payload = sink.size();
            BlockTrailerFormat.append(sink, BlockType.INDEX, BlockCompression.NONE, payload, fileNumber, ih.offset());
            assertEquals(ih.length(), sink.size(), "the rewritten index keeps its length");
            StoreFileDamage.overwrite(file, ih.offset(), sink.toByteArray());
        }

        List<byte[]> userKeys() {
            List<byte[]> keys = new ArrayList<>();
            for (Entry e : entries) {
                keys.add(Arrays.copyOfRange(e.key(), 4, e.key().length));
            }
            return keys;
        }
    }

    private void violation(String name, Consumer<List<Entry>> change) throws IOException {
        Path dir = buildStore(tmp.resolve(name));
        BlockRewrite rw = new BlockRewrite(dir);
        List<Entry> changed = new ArrayList<>(rw.entries);
        change.accept(changed);
        rw.write(changed);
        Path jfr = tmp.resolve(name + ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable(CorruptionFoundEvent.NAME);
            recording.start();
            try (Store store = Store.open(dir, options())) {
                Namespace ns = store.namespace(NS);
                for (byte[] k : rw.userKeys()) {
                    CorruptionException e = assertThrows(CorruptionException.class, () -> ns.get(k), name);
                    assertEquals(CorruptionKind.INVARIANT_VIOLATION, e.report().kind(), e.getMessage());
                    assertEquals(rw.file, e.report().file());
                    assertEquals(rw.handle.offset(), e.report().offset());
                    assertFalse(e.getMessage().contains(KEY_MARK), "the message carries key bytes");
                }
                int ok = 0;
                for (Map.Entry<String, byte[]> o : oracle.entrySet()) {
                    byte[] k = o.getKey().getBytes(StandardCharsets.ISO_8859_1);
                    try {
                        assertArrayEquals(o.getValue(), ns.get(k), "a read returned a wrong value");
                        ok++;
                    } catch (CorruptionException e) {
                        assertEquals(rw.handle.offset(), e.report().offset());
                    }
                }
                assertEquals(KEYS - rw.entries.size(), ok, "only the rewritten block's reads fail");
                List<DamagedRange> damage = store.damage();
                assertEquals(1, damage.size());
                assertEquals(CorruptionKind.INVARIANT_VIOLATION, damage.get(0).report().kind());
                assertEquals(NS, damage.get(0).namespace());
            }
            recording.stop();
            recording.dump(jfr);
        }
        assertFalse(events.isEmpty());
        for (CorruptionEvent e : events) {
            assertEquals(CorruptionKind.INVARIANT_VIOLATION, e.report().kind());
            assertEquals(rw.handle.offset(), e.report().offset());
        }
        List<RecordedEvent> recorded = RecordingFile.readAllEvents(jfr);
        assertFalse(recorded.isEmpty(), "the JFR event was committed");
        for (RecordedEvent e : recorded) {
            assertEquals(CorruptionFoundEvent.NAME, e.getEventType().getName());
            assertEquals("INVARIANT_VIOLATION", e.getString("kind"));
            assertEquals(rw.handle.offset(), e.getLong("offset"));
            assertEquals(rw.file.toString(), e.getString("file"));
            assertEquals(NS, e.getString("namespace"));
            assertFalse(e.toString().contains(KEY_MARK), "the JFR event carries key bytes");
        }
    }

    @Test
    void keysOutOfOrderWithinABlock() throws IOException {
        violation("order", entries -> {
            Entry a = entries.get(3);
            entries.set(3, entries.get(4));
            entries.set(4, a);
        });
    }

    @Test
    void aKeyOutsideTheIndexBoundsOfItsBlock() throws IOException {
        // The last entry gets a key past the one the index records as the block's last: still in order within
        // the block and of the same length, so only the comparison with the index finds it.
        violation("bounds", entries -> {
            int last = entries.size() - 1;
            Entry e = entries.get(last);
            byte[] k = e.key().clone();
            k[k.length - 1] = (byte) 0x7f;
            entries.set(last, new Entry(k, e.sequence(), e.kind(), e.value()));
        });
    }

    @Test
    void aSequenceAboveTheFilesMaximum() throws IOException {
        violation("sequence", entries -> {
            Entry e = entries.get(2);
            entries.set(2, new Entry(e.key(), e.sequence() + 1_000_000, e.kind(), e.value()));
        });
    }

    /**
     * The one rule no single block can break on its own: block 8 starts with the same key as block 7 ends with, at
     * the same sequence (the index rewritten to match, so every per-block check passes). A scan that crosses the
     * boundary fails at block 8's offset, after returning exactly the oracle's values before it.
     */
    @Test
    void anEntryRepeatedAcrossABlockBoundary() {
        Path dir = buildStore(tmp.resolve("boundary"));
        BlockRewrite rw = new BlockRewrite(dir);
        Entry last = rw.entries.get(rw.entries.size() - 1);
        List<Entry> next = new ArrayList<>(rw.nextEntries);
        Entry replaced = next.get(0);
        next.set(0, new Entry(last.key(), last.sequence(), replaced.kind(), replaced.value()));
        BlockHandle nextHandle;
        try (SegmentFileReader reader = SegmentFileReader.open(rw.file, rw.fileNumber, rw.storeId, rw.size,
                BlockCache.disabled())) {
            nextHandle = reader.dataBlocks().get(BLOCK + 1);
        }
        rw.write(nextHandle, next);
        rw.writeIndexFirstKey(BLOCK + 1, last.key());
        String replacedKey = new String(Arrays.copyOfRange(replaced.key(), 4, replaced.key().length),
                StandardCharsets.ISO_8859_1);
        try (Store store = Store.open(dir, options())) {
            Namespace ns = store.namespace(NS);
            int seen = 0;
            CorruptionException e;
            try (Cursor c = ns.scan(null, null)) {
                e = assertThrows(CorruptionException.class, () -> {
                    while (c.next()) {
                        String k = new String(c.key(), StandardCharsets.ISO_8859_1);
                        assertArrayEquals(oracle.get(k), c.value(), "a scan returned a wrong value");
                    }
                });
            }
            assertEquals(CorruptionKind.INVARIANT_VIOLATION, e.report().kind(), e.getMessage());
            assertEquals(rw.file, e.report().file());
            assertEquals(nextHandle.offset(), e.report().offset());
            assertFalse(e.getMessage().contains(KEY_MARK), "the message carries key bytes");
            assertEquals(1, store.damage().size());
            // Point reads never cross a block boundary, and each rewritten block passes its own checks: every key
            // but the one the rewrite removed reads exactly (the repeated entry is found in block 7, where it is).
            for (Map.Entry<String, byte[]> o : oracle.entrySet()) {
                if (!o.getKey().equals(replacedKey)) {
                    assertArrayEquals(o.getValue(), ns.get(o.getKey().getBytes(StandardCharsets.ISO_8859_1)));
                    seen++;
                }
            }
            assertEquals(KEYS - 1, seen);
        }
    }
}
