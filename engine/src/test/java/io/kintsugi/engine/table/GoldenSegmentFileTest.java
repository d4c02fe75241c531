package io.kintsugi.engine.table;

import io.kintsugi.oplog.UnsupportedFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads the checked-in golden segment files ({@code src/test/resources/golden/segment-v1}, written by
 * {@link GoldenSegmentFileWriter}) so that any change to the segment file format fails here. A deliberate change
 * bumps the format version, adds a new golden directory and updates {@code docs/FORMAT.md}.
 *
 * <p>The fixed-offset checks use literal offsets and an independent CRC32C masking, not the format classes'
 * constants, so that changing a constant cannot make them pass by accident.
 */
class GoldenSegmentFileTest {

    private static final String GOLDEN = "/golden/segment-v1/";

    @TempDir
    Path tmp;

    @Test
    void currentCodeReadsEveryGoldenEntryExactly() throws IOException {
        for (String name : List.of(GoldenSegmentFileWriter.PLAIN_FILE, GoldenSegmentFileWriter.ZSTD_FILE)) {
            long number = fileNumber(name);
            Path file = copyOfGolden(name);
            try (SegmentFileReader r = SegmentFileReader.open(file, number, GoldenSegmentFileWriter.STORE_ID,
                    Files.size(file), BlockCache.create(1 << 20))) {
                r.verifyAllBlocks();
                List<Entry> all = SegmentFileRoundTripTest.readAll(r.cursor(null));
                assertEquals(GoldenSegmentFileWriter.ENTRIES, all, name);
                TestEntries oracle = TestEntries.of(GoldenSegmentFileWriter.ENTRIES);
                for (byte[] key : oracle.keys) {
                    for (long seq : new long[]{Long.MAX_VALUE, 35, 25, 15, 10, 9, 0}) {
                        assertEquals(oracle.expectedGet(key, seq), r.get(key, seq), name);
                    }
                }
                assertNull(r.get(new byte[]{0, 0, 0, 1, 'n', 'o'}, Long.MAX_VALUE));
                assertEquals(GoldenSegmentFileWriter.ENTRIES.size(), r.info().entryCount());
                assertEquals(0, r.info().minSequence());
                assertEquals(Long.MAX_VALUE, r.info().maxSequence());
                assertTrue(r.dataBlocks().size() >= 3, name + " spans several data blocks");
            }
        }
    }

    @Test
    void reEncodingProducesIdenticalBytes() throws IOException {
        Path plain = tmp.resolve("plain.seg");
        GoldenSegmentFileWriter.write(plain, GoldenSegmentFileWriter.PLAIN_FILE_NUMBER,
                GoldenSegmentFileWriter.PLAIN_OPTIONS);
        assertArrayEquals(golden(GoldenSegmentFileWriter.PLAIN_FILE), Files.readAllBytes(plain),
                "the writer no longer produces the golden uncompressed segment file: the format changed");

        Path zstd = tmp.resolve("zstd.seg");
        GoldenSegmentFileWriter.write(zstd, GoldenSegmentFileWriter.ZSTD_FILE_NUMBER,
                GoldenSegmentFileWriter.ZSTD_OPTIONS);
        assertArrayEquals(golden(GoldenSegmentFileWriter.ZSTD_FILE), Files.readAllBytes(zstd),
                "the writer no longer produces the golden zstd segment file. zstd output is deterministic for one "
                        + "zstd version and level; if only the zstd-jni version changed, the format did not, and the "
                        + "file still reads (see currentCodeReadsEveryGoldenEntryExactly): check the difference is "
                        + "confined to compressed payloads before touching the golden file");
    }

    @Test
    void headerFooterAndTrailersAreAtTheDocumentedOffsets() throws IOException {
        byte[] f = golden(GoldenSegmentFileWriter.PLAIN_FILE);
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        // Header: "KTSG", kind 3, reserved 0, version 1, store id, file number 7, masked CRC of [0, 32).
        assertArrayEquals(new byte[]{'K', 'T', 'S', 'G', 3, 0, 1, 0}, Arrays.copyOfRange(f, 0, 8));
        assertArrayEquals(new byte[]{(byte) 0xef, (byte) 0xcd, (byte) 0xab, (byte) 0x89, 0x67, 0x45, 0x23, 0x01,
                (byte) 0xde, (byte) 0xc0, 0, 0, 0, 0, 0, (byte) 0x80}, Arrays.copyOfRange(f, 8, 24));
        assertEquals(7, b.getLong(24));
        assertEquals(maskedCrc(f, 0, 32), b.getInt(32));

        // Footer: the last 82 bytes; payload 72 bytes, trailer 10.
        int footer = f.length - 82;
        assertArrayEquals(Arrays.copyOfRange(f, 0, 24), Arrays.copyOfRange(f, footer, footer + 24));
        assertEquals(7, b.getLong(footer + 24));
        long filterOffset = b.getLong(footer + 32);
        int filterLength = b.getInt(footer + 40);
        long indexOffset = b.getLong(footer + 44);
        int indexLength = b.getInt(footer + 52);
        long metadataOffset = b.getLong(footer + 56);
        int metadataLength = b.getInt(footer + 64);
        assertEquals(filterOffset + filterLength, indexOffset);
        assertEquals(indexOffset + indexLength, metadataOffset);
        assertEquals(metadataOffset + metadataLength, footer);
        assertEquals(maskedCrc(f, 0, footer), b.getInt(footer + 68), "whole-file CRC of every byte before the footer");
        assertEquals(5, f[footer + 72], "footer block type");
        assertEquals(0, f[footer + 73], "footer compression");
        assertEquals(72, b.getInt(footer + 74), "footer uncompressed length");
        assertEquals(maskedCrcWithContext(f, footer, 78, 7, footer), b.getInt(footer + 78));

        // The first data block starts at 36; walk the data blocks by their trailers up to the filter.
        long at = 36;
        int blocks = 0;
        for (int end = (int) at; at < filterOffset; blocks++) {
            end = findTrailerEnd(f, (int) at, (int) filterOffset);
            assertEquals(1, f[end - 10], "data block type");
            assertEquals(0, f[end - 9], "uncompressed file");
            assertEquals(end - 10 - (int) at, b.getInt(end - 8), "uncompressed length equals stored length");
            at = end;
        }
        assertEquals(filterOffset, at);
        assertTrue(blocks >= 3);
        checkTrailer(f, b, filterOffset, filterLength, 2);
        checkTrailer(f, b, indexOffset, indexLength, 3);
        checkTrailer(f, b, metadataOffset, metadataLength, 4);
        // Metadata payload: entry count, puts, deletes, min and max sequence, data block count.
        int m = (int) metadataOffset;
        assertEquals(GoldenSegmentFileWriter.ENTRIES.size(), b.getLong(m));
        assertEquals(2, b.getLong(m + 16), "deletes");
        assertEquals(0, b.getLong(m + 24));
        assertEquals(Long.MAX_VALUE, b.getLong(m + 32));
        assertEquals(blocks, b.getInt(m + 40));
        // Filter payload: k = 7 probes (10 bits per key), bit count = max(64, 10 x 45 distinct keys).
        assertEquals(7, f[(int) filterOffset]);
        assertEquals(450, b.getInt((int) filterOffset + 1));

        byte[] z = golden(GoldenSegmentFileWriter.ZSTD_FILE);
        int compressedBlocks = 0;
        for (int end = findTrailerEnd(z, 36, z.length); z[end - 10] == 1; end = findTrailerEnd(z, end, z.length)) {
            compressedBlocks += z[end - 9];
        }
        assertTrue(compressedBlocks > 0, "the zstd golden file holds compressed data blocks");
    }

    @Test
    void versionsOutsideTheSupportedRangeAreRejected() throws IOException {
        for (int version : new int[]{0, 2}) {
            Path file = copyOfGolden(GoldenSegmentFileWriter.PLAIN_FILE);
            byte[] header = FileDamage.read(file, 0, 36);
            header[6] = (byte) version;
            ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(32, maskedCrc(header, 0, 32));
            FileDamage.overwrite(file, 0, header);
            UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
                    () -> SegmentFileReader.open(file, 7, GoldenSegmentFileWriter.STORE_ID, Files.size(file),
                            BlockCache.disabled()));
            assertTrue(e.getMessage().contains(version == 0 ? "too old" : "too new"), e.getMessage());
            Files.delete(file);
        }
    }

    private static void checkTrailer(byte[] f, ByteBuffer b, long offset, int length, int type) {
        int end = (int) (offset + length);
        assertEquals(type, f[end - 10]);
        assertEquals(maskedCrcWithContext(f, (int) offset, length - 4, 7, offset), b.getInt(end - 4));
    }

    /** The end of the block starting at {@code from}: the first position whose trailer checksum matches. */
    private static int findTrailerEnd(byte[] f, int from, int limit) {
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        for (int end = from + 10; end <= limit; end++) {
            if (b.getInt(end - 4) == maskedCrcWithContext(f, from, end - from - 4, fileNumberOf(f), from)) {
                return end;
            }
        }
        throw new AssertionError("no block trailer after " + from);
    }

    private static long fileNumberOf(byte[] f) {
        return ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(24);
    }

    private static int maskedCrc(byte[] b, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(b, from, to - from);
        return mask((int) crc.getValue());
    }

    private static int maskedCrcWithContext(byte[] b, int from, int covered, long fileNumber, long offset) {
        CRC32C crc = new CRC32C();
        crc.update(b, from, covered);
        crc.update(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(fileNumber).putLong(offset)
                .array());
        return mask((int) crc.getValue());
    }

    private static int mask(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    private static long fileNumber(String name) {
        return name.equals(GoldenSegmentFileWriter.PLAIN_FILE) ? GoldenSegmentFileWriter.PLAIN_FILE_NUMBER
                : GoldenSegmentFileWriter.ZSTD_FILE_NUMBER;
    }

    private byte[] golden(String name) throws IOException {
        try (InputStream in = GoldenSegmentFileTest.class.getResourceAsStream(GOLDEN + name)) {
            if (in == null) {
                throw new IOException("golden file " + GOLDEN + name + " is missing from the test resources");
            }
            return in.readAllBytes();
        }
    }

    private Path copyOfGolden(String name) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, golden(name));
        return file;
    }
}
