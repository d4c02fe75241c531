package io.kintsugi.validation.verify;

import io.kintsugi.engine.format.BlockCompression;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.BlockLocation;
import io.kintsugi.engine.format.BlockTrailerFormat;
import io.kintsugi.engine.format.BlockType;
import io.kintsugi.engine.format.ByteSink;
import io.kintsugi.engine.format.DataBlockFormat;
import io.kintsugi.engine.format.DecodedDataBlock;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.SegmentFileReader;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/** Seeded edits of a closed store's files, made directly on disk, for verify and scan tests. */
public final class StoreFaults {

    private StoreFaults() {
    }

    /**
     * @param storeDir a closed store's directory
     * @return its segment files by number
     * @throws IOException if listing fails
     */
    public static TreeMap<Long, Path> segmentFiles(Path storeDir) throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(storeDir)) {
            s.forEach(p -> {
                long n = StoreFiles.parseSegmentFileName(p.getFileName().toString());
                if (n > 0) {
                    files.put(n, p);
                }
            });
        }
        return files;
    }

    /**
     * @param file    a segment file
     * @param number  its number
     * @param storeId the store's id
     * @return where its data blocks are
     * @throws IOException if reading fails
     */
    public static List<BlockHandle> dataBlocks(Path file, long number, UUID storeId) throws IOException {
        try (SegmentFileReader r = SegmentFileReader.open(file, number, storeId, Files.size(file),
                BlockCache.disabled())) {
            return r.dataBlocks();
        }
    }

    static void flipBit(Path file, long offset, Random random) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= (byte) (1 << random.nextInt(8));
        Files.write(file, bytes);
    }

    /**
     * Flips one bit somewhere in the stored payload of a block.
     *
     * @param file   a segment file
     * @param h      one of its blocks
     * @param random picks the byte and the bit
     * @return the flipped byte's offset
     * @throws IOException if rewriting fails
     */
    public static long flipBitInBlock(Path file, BlockHandle h, Random random) throws IOException {
        long offset = h.offset() + random.nextInt(h.length() - BlockTrailerFormat.LENGTH);
        flipBit(file, offset, random);
        return offset;
    }

    /**
     * Rewrites an uncompressed data block with two entries in the middle swapped, with a valid block CRC (its
     * context included), a new whole-file CRC in a valid footer, and the manifest's record of the file's CRC updated
     * with valid record CRCs: only decoding the entries can tell.
     *
     * @return the old and new whole-file CRCs (unmasked)
     */
    static int[] swapEntriesKeepingChecksums(Path storeDir, long number, UUID storeId, BlockHandle h, Random random)
            throws IOException {
        Path file = storeDir.resolve(StoreFiles.segmentFileName(number));
        byte[] bytes = Files.readAllBytes(file);
        int off = (int) h.offset();
        int stored = h.length() - BlockTrailerFormat.LENGTH;
        if (bytes[off + stored + BlockTrailerFormat.COMPRESSION_OFFSET] != BlockCompression.NONE.code()) {
            throw new IllegalStateException("the test needs an uncompressed block");
        }
        BlockLocation loc = new BlockLocation(file, number, BlockType.DATA, h);
        DecodedDataBlock block = DataBlockFormat.decode(Arrays.copyOfRange(bytes, off, off + stored), loc);
        if (block.count() < 4) {
            throw new IllegalStateException("the test needs a block of at least 4 entries, found " + block.count());
        }
        int a = 1 + random.nextInt(block.count() - 3); // keep the first and last entries, which the index names
        int[] order = new int[block.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        order[a] = a + 1;
        order[a + 1] = a;
        ByteSink sink = new ByteSink(stored + BlockTrailerFormat.LENGTH);
        int[] offsets = new int[block.count()];
        for (int i = 0; i < order.length; i++) {
            offsets[i] = sink.size();
            int e = order[i];
            DataBlockFormat.appendEntry(sink, block.key(e), block.sequence(e), block.kindCode(e), block.value(e));
        }
        DataBlockFormat.appendOffsets(sink, offsets, offsets.length);
        if (sink.size() != stored) {
            throw new IllegalStateException("re-encoded block is " + sink.size() + " bytes, was " + stored);
        }
        BlockTrailerFormat.append(sink, BlockType.DATA, BlockCompression.NONE, stored, number, h.offset());
        System.arraycopy(sink.array(), 0, bytes, off, sink.size());
        // The footer's whole-file CRC covers every byte before it.
        int footerOffset = bytes.length - FooterFormat.LENGTH;
        FooterFormat.Footer old = FooterFormat.decode(Arrays.copyOfRange(bytes, footerOffset, bytes.length), file,
                number, storeId, bytes.length);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, footerOffset);
        int newCrc = (int) crc.getValue();
        byte[] footer = FooterFormat.encode(storeId, number, new FooterFormat.Footer(old.filter(), old.index(),
                old.metadata(), Crc32c.mask(newCrc)), footerOffset);
        System.arraycopy(footer, 0, bytes, footerOffset, footer.length);
        Files.write(file, bytes);
        int oldCrc = Crc32c.unmask(old.maskedWholeFileCrc());
        patchManifestCrc(storeDir.resolve(StoreFiles.MANIFEST_DIR), number, bytes.length, oldCrc, newCrc);
        return new int[] {oldCrc, newCrc};
    }

    /**
     * Replaces the whole-file CRC of every FILE entry for {@code number} in the manifest's records (docs/FORMAT.md
     * 7.3.4: number, size, min and max sequence, entry count, then the CRC at +40) and recomputes those records' CRCs.
     */
    private static void patchManifestCrc(Path manifestDir, long number, long size, int oldCrc, int newCrc)
            throws IOException {
        ByteBuffer pattern = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(number).putLong(size);
        byte[] needle = pattern.array();
        int patched = 0;
        try (Stream<Path> s = Files.list(manifestDir)) {
            for (Path seg : s.filter(p -> SegmentHeaderFormat.parseFileName(p.getFileName().toString()) >= 0)
                    .toList()) {
                byte[] bytes = Files.readAllBytes(seg);
                ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                boolean changed = false;
                for (int rec = SegmentHeaderFormat.LENGTH; rec + RecordFormat.HEADER_LENGTH <= bytes.length; ) {
                    int total = RecordFormat.encodedLength(b.getInt(rec + RecordFormat.LENGTH_OFFSET));
                    boolean inRecord = false;
                    for (int i = rec + RecordFormat.HEADER_LENGTH; i + 44 <= rec + total; i++) {
                        if (Arrays.equals(bytes, i, i + 16, needle, 0, 16) && b.getInt(i + 40) == oldCrc) {
                            b.putInt(i + 40, newCrc);
                            inRecord = true;
                            patched++;
                        }
                    }
                    if (inRecord) {
                        b.putInt(rec + RecordFormat.CRC_OFFSET, RecordFormat.checksum(b, rec, rec + total));
                        changed = true;
                    }
                    rec += total;
                }
                if (changed) {
                    Files.write(seg, bytes);
                }
            }
        }
        if (patched == 0) {
            throw new IllegalStateException("the manifest records no FILE entry for file " + number);
        }
    }

    /** @return the last segment of a log directory */
    static Path lastLogSegment(Path logDir) throws IOException {
        try (Stream<Path> s = Files.list(logDir)) {
            return s.filter(p -> SegmentHeaderFormat.parseFileName(p.getFileName().toString()) >= 0).sorted()
                    .reduce((x, y) -> y).orElseThrow();
        }
    }

    /** Flips a bit in the payload of the first record of a log segment that has a record after it. */
    static long flipBitInFirstRecordPayload(Path segment, Random random) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int rec = SegmentHeaderFormat.LENGTH;
        int length = b.getInt(rec + RecordFormat.LENGTH_OFFSET);
        if (length == 0 || rec + RecordFormat.encodedLength(length) >= bytes.length) {
            throw new IllegalStateException("the test needs a first record with a payload and a record after it");
        }
        long offset = rec + RecordFormat.HEADER_LENGTH + random.nextInt(length);
        flipBit(segment, offset, random);
        return rec;
    }
}
