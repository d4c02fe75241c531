package io.kintsugi.engine;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.KeyRange;
import io.kintsugi.engine.table.SegmentFileInspector;
import io.kintsugi.engine.table.SegmentFileReader;
import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store that {@link StoreCorruptionTest} damages, built once from a fixed seed, with the oracle of what it
 * holds and the layout of every file in it.
 *
 * <p>Five namespaces: {@code orders} (variable keys, compressible values, a few larger than a block),
 * {@code users} (fixed-size keys and incompressible fixed-size values, so that many data blocks have the same
 * size), {@code x.y-z_0} (keys with bytes 0x00 and 0xff around them, the empty key, empty values), {@code tomb}
 * (mostly deleted again) and {@code late} (written only after the last flush, so it lives only in the oplog). A few
 * thousand puts, deletes and batches with 1 KiB blocks and a 64 KiB memtable make many segment files of many
 * blocks, flushed and compacted; the last few hundred writes (made with {@link Durability#SYNC}) stay in the oplog,
 * which rolls every 8 KiB. The store is closed cleanly.
 *
 * <p>Besides the final files it keeps older copies taken along the way: the manifest and the data oplog at an
 * earlier clean close, the manifest taken while the store was open (before more flushes), and segment files that a
 * later compaction retired. Every key contains {@link #KEY_MARK} and every non-empty value {@link #VALUE_MARK}, so
 * that a test can tell when a message or event carries user bytes.
 */
final class StoreCorruptionFixture {

    static final String[] NAMESPACES = {"orders", "users", "x.y-z_0", "tomb", "late"};
    /** Namespaces written before the last flush; {@code late} is written only in the oplog tail. */
    static final int FLUSHED_NAMESPACES = 4;
    static final byte[] KEY_MARK = "kz~".getBytes(StandardCharsets.US_ASCII);
    static final byte[] VALUE_MARK = "vq~".getBytes(StandardCharsets.US_ASCII);
    static final long SEED = 20_261_122_017L;
    static final int TAIL_WRITES = 260;
    /** Memtable size at which the fixture flushes explicitly; a batch adds at most about 20 KiB to it. */
    static final int FLUSH_AT = 36 << 10;

    final UUID storeId;
    /** Every file of the final store, by path relative to the store directory. */
    final TreeMap<String, byte[]> files;
    /** Per namespace, the live keys and values (unsigned key order). */
    final Map<String, TreeMap<byte[], byte[]>> oracle;
    /** Per namespace, every key ever written (put or deleted) and the sequence of its last write. */
    final Map<String, TreeMap<byte[], Long>> lastWrite;
    /** Namespace ids as the manifest records them (not {@code late}). */
    final Map<Integer, String> namespaceNames;
    /** The live segment files, by name. */
    final TreeMap<String, SegmentLayout> segments;
    /** The oplog segments of the data oplog and of the manifest, by relative path. */
    final TreeMap<String, LogLayout> logSegments;
    /** The manifest directory at an earlier clean close (relative to the manifest directory). */
    final TreeMap<String, byte[]> staleManifestClosed;
    /** The manifest directory copied while the store was open, before later flushes. */
    final TreeMap<String, byte[]> staleManifestOpen;
    /** The data oplog directory at the same earlier clean close as {@link #staleManifestClosed}. */
    final TreeMap<String, byte[]> staleOplog;
    /** Segment files that were live earlier and were retired by a compaction, by name. */
    final TreeMap<String, byte[]> retiredSegments;
    /** The highest sequence written; the data oplog ends here. */
    final long lastSequence;
    /** The first sequence written after the last flush. */
    final long firstTailSequence;

    /** A live segment file: its blocks and the entries of each data block. */
    record SegmentLayout(String name, long number, int size, List<BlockHandle> dataBlocks, List<KeyRange> blockRanges,
                         List<List<Entry>> blockEntries, long dataEnd, long footerOffset, long minSequence,
                         long maxSequence) {

        /** @return whether {@code [start, end)} lies inside the data blocks (between the header and the filter) */
        boolean inDataBlocks(long start, long end) {
            return start >= dataBlocks.get(0).offset() && end <= dataEnd;
        }
    }

    /** One oplog segment file (data oplog or manifest): where its records start. */
    record LogLayout(String path, int[] recordStarts, int size, boolean lastOfItsLog) {

        int recordEnd(int r) {
            return r + 1 < recordStarts.length ? recordStarts[r + 1] : size;
        }
    }

    private StoreCorruptionFixture(Builder b) {
        this.storeId = b.storeId;
        this.files = b.files;
        this.oracle = b.gen.oracle;
        this.lastWrite = b.gen.lastWrite;
        this.namespaceNames = b.namespaceNames;
        this.segments = b.segments;
        this.logSegments = b.logSegments;
        this.staleManifestClosed = b.staleManifestClosed;
        this.staleManifestOpen = b.staleManifestOpen;
        this.staleOplog = b.staleOplog;
        this.retiredSegments = b.retired;
        this.lastSequence = b.gen.lastSequence;
        this.firstTailSequence = b.firstTailSequence;
    }

    /** The options the fixture was written with (durability aside). */
    static StoreOptions.Builder options() {
        return StoreOptions.builder()
                .memtableBudget(64 << 10)
                .blockSize(1024)
                .compression(true)
                .blockCacheSize(256 << 10)
                .compactionTrigger(8)
                .compactionMaxFiles(8)
                .oplogSegmentSize(8 << 10);
    }

    /** @return the fixture's shape, metadata only */
    String summary() {
        long dataLog = logSegments.keySet().stream().filter(p -> p.startsWith("oplog/")).count();
        int manifestRecords = logSegments.entrySet().stream().filter(e -> e.getKey().startsWith("manifest/"))
                .mapToInt(e -> e.getValue().recordStarts().length).sum();
        StringBuilder sb = new StringBuilder();
        sb.append(files.size()).append(" files; segment files");
        segments.values().forEach(s -> sb.append(' ').append(s.name()).append(" (").append(s.size()).append(" bytes, ")
                .append(s.dataBlocks().size()).append(" blocks)"));
        sb.append("; ").append(retiredSegments.size()).append(" retired segment files kept; ").append(dataLog)
                .append(" data oplog segments; ").append(manifestRecords).append(" manifest records; sequences 1..")
                .append(lastSequence).append(", tail from ").append(firstTailSequence).append("; keys");
        for (String ns : NAMESPACES) {
            sb.append(' ').append(ns).append('=').append(oracle.get(ns).size()).append('/')
                    .append(lastWrite.get(ns).size());
        }
        return sb.append(" (live/ever written)").toString();
    }

    /** Writes the fixture's files into {@code dir}. */
    void materialize(Path dir) {
        StoreFileDamage.writeTree(dir, files);
    }

    static TreeMap<byte[], byte[]> newMap() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    static boolean containsMark(byte[] haystack) {
        return indexOf(haystack, KEY_MARK) >= 0 || indexOf(haystack, VALUE_MARK) >= 0;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Builds the fixture in {@code work} (which it leaves holding the final store in {@code work/store}). */
    static StoreCorruptionFixture build(Path work) {
        return new Builder(work).build();
    }

    private static final class Builder {
        final Path dir;
        final Gen gen = new Gen(new SplittableRandom(SEED));
        final AtomicInteger flushes = new AtomicInteger();
        final AtomicInteger compactions = new AtomicInteger();
        UUID storeId;
        TreeMap<String, byte[]> files;
        Map<Integer, String> namespaceNames;
        final TreeMap<String, SegmentLayout> segments = new TreeMap<>();
        final TreeMap<String, LogLayout> logSegments = new TreeMap<>();
        TreeMap<String, byte[]> staleManifestClosed;
        TreeMap<String, byte[]> staleManifestOpen;
        TreeMap<String, byte[]> staleOplog;
        final TreeMap<String, byte[]> retired = new TreeMap<>();
        long firstTailSequence;

        Builder(Path work) {
            this.dir = work.resolve("store");
        }

        private StoreOptions options(Durability durability) {
            return StoreCorruptionFixture.options()
                    .durability(durability)
                    .listener(new StoreListener() {
                        @Override
                        public void onFlush(long fileNumber, long flushedSequence) {
                            flushes.incrementAndGet();
                        }

                        @Override
                        public void onCompaction(List<Long> inputFiles, long outputFile) {
                            compactions.incrementAndGet();
                        }
                    })
                    .build();
        }

        StoreCorruptionFixture build() {
            Map<String, byte[]> earlierSegments = new TreeMap<>();
            try (Store s = Store.open(dir, options(Durability.NONE))) {
                storeId = s.id();
                gen.run(s, 2200, false);
                gen.flush(s);
                earlierSegments.putAll(segmentFiles());
                s.compact();
                gen.run(s, 700, false);
            }
            staleManifestClosed = StoreFileDamage.readTree(dir.resolve(StoreFiles.MANIFEST_DIR));
            staleOplog = StoreFileDamage.readTree(dir.resolve(StoreFiles.OPLOG_DIR));
            earlierSegments.putAll(segmentFiles());
            try (Store s = Store.open(dir, options(Durability.NONE))) {
                gen.run(s, 1800, false);
                gen.flush(s);
                staleManifestOpen = StoreFileDamage.readTree(dir.resolve(StoreFiles.MANIFEST_DIR));
                gen.run(s, 1900, false);
                gen.flush(s);
            }
            int flushesBeforeTail = flushes.get();
            try (Store s = Store.open(dir, options(Durability.SYNC))) {
                firstTailSequence = s.lastSequence() + 1;
                gen.run(s, TAIL_WRITES, true);
                assertEquals(gen.lastSequence, s.lastSequence(), "fixture: last sequence");
            }
            assertEquals(flushesBeforeTail, flushes.get(), "fixture: the tail must stay in the oplog, unflushed");
            assertEquals(gen.explicitFlushes, flushes.get(), "fixture: the store flushed on its own, so the layout "
                    + "would depend on the timing of background work");
            files = StoreFileDamage.readTree(dir);
            earlierSegments.forEach((name, bytes) -> {
                if (!files.containsKey(name)) {
                    retired.put(name, bytes);
                }
            });
            try (Manifest m = Manifest.open(dir)) {
                namespaceNames = Map.copyOf(m.state().namespaceNames());
            }
            files = StoreFileDamage.readTree(dir); // opening the manifest read-only changed nothing, but be exact
            layout();
            check();
            return new StoreCorruptionFixture(this);
        }

        private Map<String, byte[]> segmentFiles() {
            Map<String, byte[]> segs = new TreeMap<>();
            StoreFileDamage.readTree(dir).forEach((name, bytes) -> {
                if (StoreFiles.parseSegmentFileName(name) >= 0) {
                    segs.put(name, bytes);
                }
            });
            return segs;
        }

        private void layout() {
            Map<String, List<String>> logs = new HashMap<>();
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                String name = e.getKey();
                long number = StoreFiles.parseSegmentFileName(name);
                if (number >= 0) {
                    segments.put(name, segmentLayout(name, number, e.getValue()));
                }
                int slash = name.indexOf('/');
                if (slash > 0 && SegmentHeaderFormat.parseFileName(name.substring(slash + 1)) >= 0) {
                    logs.computeIfAbsent(name.substring(0, slash), k -> new ArrayList<>()).add(name);
                }
            }
            for (List<String> paths : logs.values()) {
                Collections.sort(paths);
                for (int i = 0; i < paths.size(); i++) {
                    String p = paths.get(i);
                    logSegments.put(p, logLayout(p, files.get(p), i == paths.size() - 1));
                }
            }
        }

        private SegmentLayout segmentLayout(String name, long number, byte[] bytes) {
            List<BlockHandle> blocks;
            List<KeyRange> ranges = new ArrayList<>();
            List<List<Entry>> entries;
            long minSeq;
            long maxSeq;
            try (SegmentFileReader r = SegmentFileReader.open(dir.resolve(name), number, storeId, bytes.length,
                    BlockCache.disabled())) {
                blocks = r.dataBlocks();
                minSeq = r.info().minSequence();
                maxSeq = r.info().maxSequence();
                for (BlockHandle h : blocks) {
                    ranges.add(r.blockKeyRange(h.offset()));
                }
                entries = SegmentFileInspector.entriesByBlock(r);
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int footer = bytes.length - FooterFormat.LENGTH;
            long filterOffset = buf.getLong(footer + FooterFormat.FILTER_HANDLE_OFFSET);
            BlockHandle last = blocks.get(blocks.size() - 1);
            assertEquals(last.end(), filterOffset, "fixture: the filter follows the last data block");
            return new SegmentLayout(name, number, bytes.length, blocks, ranges, entries, filterOffset, footer,
                    minSeq, maxSeq);
        }

        private static LogLayout logLayout(String path, byte[] bytes, boolean last) {
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            List<Integer> starts = new ArrayList<>();
            int offset = SegmentHeaderFormat.LENGTH;
            while (offset < bytes.length) {
                starts.add(offset);
                offset += RecordFormat.encodedLength(buf.getInt(offset + RecordFormat.LENGTH_OFFSET));
            }
            assertEquals(bytes.length, offset, "fixture: " + path + " ends after its last record");
            return new LogLayout(path, starts.stream().mapToInt(Integer::intValue).toArray(), bytes.length, last);
        }

        private void check() {
            assertTrue(segments.size() >= 3, "fixture: " + segments.size() + " segment files");
            assertTrue(segments.values().stream().anyMatch(s -> s.dataBlocks().size() >= 20),
                    "fixture: a segment file with many blocks");
            long dataLogSegments = logSegments.keySet().stream().filter(p -> p.startsWith("oplog/")).count();
            assertTrue(dataLogSegments >= 3, "fixture: " + dataLogSegments + " data oplog segments");
            assertTrue(!retired.isEmpty(), "fixture: a compaction retired some segment files");
            assertTrue(compactions.get() >= 2, "fixture: compactions " + compactions.get());
            for (String ns : NAMESPACES) {
                assertTrue(!gen.oracle.get(ns).isEmpty(), "fixture: namespace " + ns + " holds keys");
            }
            assertTrue(gen.lastWrite.get("tomb").size() > 2 * gen.oracle.get("tomb").size(),
                    "fixture: most of tomb is deleted");
            assertEquals(FLUSHED_NAMESPACES, namespaceNames.size(), "fixture: namespaces in the manifest");
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /** The seeded workload and its oracle. */
    private static final class Gen {
        final SplittableRandom rnd;
        final Map<String, TreeMap<byte[], byte[]>> oracle = new LinkedHashMap<>();
        final Map<String, TreeMap<byte[], Long>> lastWrite = new LinkedHashMap<>();
        final Map<String, List<byte[]>> written = new HashMap<>();
        final Map<String, Integer> nextIndex = new HashMap<>();
        long lastSequence;

        Gen(SplittableRandom rnd) {
            this.rnd = rnd;
            for (String ns : NAMESPACES) {
                oracle.put(ns, newMap());
                lastWrite.put(ns, new TreeMap<>(Arrays::compareUnsigned));
                written.put(ns, new ArrayList<>());
                nextIndex.put(ns, 0);
            }
        }

        /** Explicit flushes of a non-empty memtable; every flush the store makes must be one of them. */
        int explicitFlushes;

        /**
         * Flushes when the memtable passes {@link #FLUSH_AT}, well before its budget: the store then never seals a
         * memtable on its own, and every flush (with the compaction it may start) runs to completion inside
         * {@link Store#flush()}, so the files the fixture ends with do not depend on the timing of background work.
         */
        void flush(Store store) {
            if (store.stats().memtableBytes() > 0) {
                explicitFlushes++;
            }
            store.flush();
        }

        void run(Store store, int ops, boolean tail) {
            for (int i = 0; i < ops; i++) {
                if (!tail && store.stats().memtableBytes() > FLUSH_AT) {
                    flush(store);
                }
                String ns = pickNamespace(tail);
                int op = rnd.nextInt(100);
                if (op < 80) {
                    // One put or delete.
                    byte[] key = pickKey(ns, tail);
                    if (shouldDelete(ns)) {
                        record(ns, key, null, store.namespace(ns).delete(key));
                    } else {
                        byte[] value = value(ns, tail);
                        record(ns, key, value, store.namespace(ns).put(key, value));
                    }
                } else {
                    WriteBatch b = store.newBatch();
                    int n = 2 + rnd.nextInt(tail ? 3 : 6);
                    List<Object[]> ops2 = new ArrayList<>();
                    Map<String, List<byte[]>> used = new HashMap<>();
                    for (int j = 0; j < n; j++) {
                        String bns = pickNamespace(tail);
                        byte[] key = pickKey(bns, tail);
                        List<byte[]> u = used.computeIfAbsent(bns, k -> new ArrayList<>());
                        if (u.stream().anyMatch(k -> Arrays.equals(k, key))) {
                            continue; // one operation per key and batch
                        }
                        u.add(key);
                        byte[] value = shouldDelete(bns) ? null : value(bns, tail);
                        if (value == null) {
                            b.delete(store.namespace(bns), key);
                        } else {
                            b.put(store.namespace(bns), key, value);
                        }
                        ops2.add(new Object[] {bns, key, value});
                    }
                    long seq = store.write(b);
                    for (Object[] o : ops2) {
                        record((String) o[0], (byte[]) o[1], (byte[]) o[2], seq);
                    }
                }
            }
        }

        private void record(String ns, byte[] key, byte[] value, long seq) {
            if (value == null) {
                oracle.get(ns).remove(key);
            } else {
                oracle.get(ns).put(key, value);
            }
            lastWrite.get(ns).put(key, seq);
            assertTrue(seq >= lastSequence, "fixture: sequences ascend (the operations of a batch share one)");
            lastSequence = seq;
        }

        private String pickNamespace(boolean tail) {
            if (tail && rnd.nextInt(4) == 0) {
                return "late";
            }
            int r = rnd.nextInt(100);
            return r < 35 ? "orders" : r < 70 ? "users" : r < 88 ? "x.y-z_0" : "tomb";
        }

        private boolean shouldDelete(String ns) {
            int r = rnd.nextInt(100);
            switch (ns) {
                case "users":
                    return r < 4;
                case "tomb":
                    return r < 55 && !written.get(ns).isEmpty();
                default:
                    return r < 16;
            }
        }

        private byte[] pickKey(String ns, boolean tail) {
            List<byte[]> w = written.get(ns);
            boolean fresh = w.isEmpty() || rnd.nextInt(100) < (tail ? 50 : 40);
            if (!fresh) {
                return w.get(rnd.nextInt(w.size()));
            }
            int i = nextIndex.merge(ns, 1, Integer::sum) - 1;
            byte[] key = key(ns, i);
            w.add(key);
            return key;
        }

        private byte[] key(String ns, int i) {
            byte[] digits = (ns.equals("users") ? String.format("%05d", i) : Integer.toString(i))
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] prefix;
            switch (ns) {
                case "users":
                    prefix = new byte[2];
                    rnd.nextBytes(prefix);
                    break;
                case "x.y-z_0":
                    if (i == 0) {
                        return new byte[0]; // the empty key
                    }
                    byte[] edges = {0x00, 0x7f, (byte) 0x80, (byte) 0xff};
                    prefix = new byte[rnd.nextInt(3)];
                    for (int j = 0; j < prefix.length; j++) {
                        prefix[j] = rnd.nextBoolean() ? edges[rnd.nextInt(edges.length)] : (byte) rnd.nextInt(256);
                    }
                    break;
                default:
                    prefix = new byte[rnd.nextInt(4)];
                    rnd.nextBytes(prefix);
            }
            byte[] k = new byte[prefix.length + KEY_MARK.length + digits.length];
            System.arraycopy(prefix, 0, k, 0, prefix.length);
            System.arraycopy(KEY_MARK, 0, k, prefix.length, KEY_MARK.length);
            System.arraycopy(digits, 0, k, prefix.length + KEY_MARK.length, digits.length);
            return k;
        }

        private byte[] value(String ns, boolean tail) {
            byte[] body;
            switch (ns) {
                case "orders": {
                    int len = !tail && rnd.nextInt(100) < 3 ? 2000 + rnd.nextInt(1000)
                            : 20 + rnd.nextInt(tail ? 80 : 280);
                    StringBuilder sb = new StringBuilder();
                    while (sb.length() < len) {
                        sb.append("line=").append(rnd.nextInt(100)).append(";qty=").append(rnd.nextInt(10))
                                .append(";sku=ABCDEF;");
                    }
                    body = sb.substring(0, len).getBytes(StandardCharsets.US_ASCII);
                    break;
                }
                case "users":
                    body = new byte[37];
                    rnd.nextBytes(body);
                    break;
                case "x.y-z_0":
                    if (rnd.nextInt(20) == 0) {
                        return new byte[0];
                    }
                    body = new byte[rnd.nextInt(61)];
                    rnd.nextBytes(body);
                    break;
                default:
                    body = new byte[10 + rnd.nextInt(41)];
                    rnd.nextBytes(body);
            }
            byte[] v = new byte[VALUE_MARK.length + body.length];
            System.arraycopy(VALUE_MARK, 0, v, 0, VALUE_MARK.length);
            System.arraycopy(body, 0, v, VALUE_MARK.length, body.length);
            return v;
        }
    }
}
