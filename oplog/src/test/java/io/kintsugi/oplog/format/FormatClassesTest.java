package io.kintsugi.oplog.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.UnsupportedFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unit tests of the format classes on their own: the CRC32C masking, the record encoding and what its two
 * checksums cover, the segment header and metadata decoders' rejection of every damaged byte, and segment file names.
 */
class FormatClassesTest {

    private static final Path FILE = Paths.get("test-file");
    private static final UUID ID = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");

    // Crc32c

    @Test
    void crc32cOfTheStandardCheckStringIsTheKnownAnswer() {
        ByteBuffer b = ByteBuffer.wrap("123456789".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0xE3069283, Crc32c.unmask(Crc32c.maskedOf(b)));
        assertEquals(0, b.position(), "maskedOf must not move the buffer's position");
        // Pins the masking rule itself: rotate right by 15, add 0xa282ead8.
        assertEquals(0xc78ab0e5, Crc32c.maskedOf(b));
        assertEquals(0xc78ab0e5, Crc32c.mask(0xE3069283));
    }

    @Test
    void maskAndUnmaskAreInverse() {
        int[] fixed = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0xE3069283, 0xa282ead8};
        for (int v : fixed) {
            assertEquals(v, Crc32c.unmask(Crc32c.mask(v)), Integer.toHexString(v));
            assertEquals(v, Crc32c.mask(Crc32c.unmask(v)), Integer.toHexString(v));
            assertEquals(Integer.rotateRight(v, 15) + 0xa282ead8, Crc32c.mask(v), Integer.toHexString(v));
        }
        Random random = new Random(20240601L);
        for (int i = 0; i < 10_000; i++) {
            int v = random.nextInt();
            assertEquals(v, Crc32c.unmask(Crc32c.mask(v)));
        }
    }

    @Test
    void maskedCrcOfZerosIsNotZero() {
        // A zeroed region must not carry a matching checksum of zero: 21, 32 and 48 bytes are what an all-zero
        // record header (both CRCs of an empty record), segment header and metadata file are checked over.
        assertNotEquals(0, Crc32c.mask(0));
        for (int n : new int[] {0, 1, 4, 21, 29, 32, 36, 48, 52, 4096}) {
            assertNotEquals(0, Crc32c.maskedOf(ByteBuffer.allocate(n)), n + " zero bytes");
        }
    }

    @Test
    void maskedOfRangeCoversExactlyTheRange() {
        byte[] bytes = "xx123456789yy".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.wrap(bytes).position(5);
        assertEquals(0xE3069283, Crc32c.unmask(Crc32c.maskedOf(b, 2, 11)));
        assertEquals(5, b.position());
        assertEquals(13, b.limit());
    }

    // RecordFormat

    @Test
    void recordIsEncodedAtTheDocumentedOffsets() {
        byte[] payload = {10, 20, 30};
        ByteBuffer b = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN).position(7);
        RecordFormat.encode(b, 0x0102030405060708L, 0x1112131415161718L, 0xfe, payload);
        assertEquals(7 + 29 + 3, b.position(), "encode advances past the record");
        assertEquals(3, b.getInt(7));
        assertEquals(RecordFormat.headerChecksum(b, 7), b.getInt(7 + 4));
        assertEquals(RecordFormat.checksum(b, 7, 39), b.getInt(7 + 8));
        assertEquals(0x0102030405060708L, b.getLong(7 + 12));
        assertEquals(0x1112131415161718L, b.getLong(7 + 20));
        assertEquals((byte) 0xfe, b.get(7 + 28));
        assertEquals(10, b.get(7 + 29));
        assertEquals(30, b.get(7 + 31));
        assertEquals(32, RecordFormat.encodedLength(3));
        assertEquals(29, RecordFormat.encodedLength(0));
    }

    @Test
    void recordChecksumsDoNotDependOnWhereTheRecordIs() {
        byte[] payload = "payload".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer a = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN).position(41);
        RecordFormat.encode(a, 9, 2, 5, payload);
        RecordFormat.encode(b, 9, 2, 5, payload);
        assertEquals(a.getInt(4), b.getInt(41 + 4));
        assertEquals(a.getInt(8), b.getInt(41 + 8));
    }

    @Test
    void recordChecksumIsTheMaskedCrcOfEverythingButTheTwoCrcFields() {
        byte[] payload = "abc".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        RecordFormat.encode(b, 1, 1, 1, payload);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, 4);
        crc.update(b.array(), 12, 20);
        assertEquals(Crc32c.mask((int) crc.getValue()), b.getInt(8));
        // Changing the stored CRCs does not change what the record CRC is computed over.
        b.putInt(4, 0);
        b.putInt(8, 0);
        assertEquals(Crc32c.mask((int) crc.getValue()), RecordFormat.checksum(b, 0, 32));
    }

    @Test
    void headerChecksumIsTheMaskedCrcOfLengthSequenceTermAndTypeOnly() {
        byte[] payload = "abc".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        RecordFormat.encode(b, 1, 1, 1, payload);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, 4);
        crc.update(b.array(), 12, 17);
        int expected = Crc32c.mask((int) crc.getValue());
        assertEquals(expected, b.getInt(4));
        // Neither CRC field nor the payload is covered: the header CRC vouches for the length on its own.
        b.putInt(4, 0);
        b.putInt(8, 0);
        b.put(29, (byte) 99);
        assertEquals(expected, RecordFormat.headerChecksum(b, 0));
        // It needs nothing past the header.
        ByteBuffer headerOnly = ByteBuffer.wrap(Arrays.copyOf(b.array(), 29)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(expected, RecordFormat.headerChecksum(headerOnly, 0));
    }

    @Test
    void anEmptyRecordCarriesTheSameValueInBothCrcs() {
        ByteBuffer b = ByteBuffer.allocate(29).order(ByteOrder.LITTLE_ENDIAN);
        RecordFormat.encode(b, 77, 3, 4, new byte[0]);
        assertEquals(b.getInt(4), b.getInt(8), "with no payload both CRCs cover the same 21 bytes");
    }

    @ParameterizedTest(name = "payload length {0}")
    @ValueSource(ints = {0, 1, 17, 300})
    void everySingleByteOrBitChangeOfARecordIsDetectedByTheCrcThatCoversIt(int payloadLength) {
        byte[] payload = new byte[payloadLength];
        new Random(payloadLength).nextBytes(payload);
        int length = RecordFormat.encodedLength(payloadLength);
        ByteBuffer original = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        RecordFormat.encode(original, 123_456_789L, 42, 200, payload);
        for (int i = 0; i < length; i++) {
            for (int flip : new int[] {0xff, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80}) {
                ByteBuffer damaged = copy(original);
                damaged.put(i, (byte) (damaged.get(i) ^ flip));
                assertDetected(damaged, i, length, "byte " + i + " xor 0x" + Integer.toHexString(flip));
            }
        }
    }

    /**
     * A reader checks the header CRC first and only then trusts the length to check the record CRC over the
     * record that length describes. A change to the length, the header CRC, the sequence, the term or the type must
     * fail the header CRC; a change to the record CRC or the payload must leave the header intact (the length stays
     * trusted) and fail the record CRC.
     */
    private static void assertDetected(ByteBuffer damaged, int changedByte, int originalLength, String what) {
        boolean headerIntact =
                RecordFormat.headerChecksum(damaged, 0) == damaged.getInt(RecordFormat.HEADER_CRC_OFFSET);
        boolean inHeaderCoverage = changedByte < RecordFormat.CRC_OFFSET
                || (changedByte >= RecordFormat.SEQUENCE_OFFSET && changedByte < RecordFormat.HEADER_LENGTH);
        if (inHeaderCoverage) {
            assertFalse(headerIntact, what + " is not caught by the header checksum");
            return;
        }
        assertTrue(headerIntact, what + " fails the header checksum, which does not cover it");
        assertEquals(originalLength, RecordFormat.encodedLength(damaged.getInt(RecordFormat.LENGTH_OFFSET)), what);
        assertNotEquals(damaged.getInt(RecordFormat.CRC_OFFSET), RecordFormat.checksum(damaged, 0, originalLength),
                what + " is not caught by the record checksum");
    }

    @Test
    void plausibleLengthsAreZeroToTheFormatMaximum() {
        assertTrue(RecordFormat.isPlausibleLength(0));
        assertTrue(RecordFormat.isPlausibleLength(RecordFormat.MAX_PAYLOAD_LENGTH));
        assertEquals(268_435_456, RecordFormat.MAX_PAYLOAD_LENGTH);
        assertFalse(RecordFormat.isPlausibleLength(RecordFormat.MAX_PAYLOAD_LENGTH + 1));
        assertFalse(RecordFormat.isPlausibleLength(-1));
        assertFalse(RecordFormat.isPlausibleLength(Integer.MIN_VALUE));
        assertFalse(RecordFormat.isPlausibleLength(Integer.MAX_VALUE));
    }

    @Test
    void recordsAreLittleEndianOnly() {
        ByteBuffer big = ByteBuffer.allocate(64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecordFormat.encode(big, 1, 1, 1, new byte[0]));
        assertEquals(IllegalArgumentException.class, e.getClass());
    }

    // FileHeader and FileKind

    @Test
    void fileKindCodesAreFixed() {
        assertEquals(1, FileKind.OPLOG_SEGMENT.code());
        assertEquals(2, FileKind.OPLOG_METADATA.code());
        assertEquals(FileKind.OPLOG_SEGMENT, FileKind.ofCode(1));
        assertEquals(FileKind.OPLOG_METADATA, FileKind.ofCode(2));
        assertNull(FileKind.ofCode(0));
        assertEquals(FileKind.STORE_SEGMENT, FileKind.ofCode(3));
        assertEquals(FileKind.TERM_HISTORY, FileKind.ofCode(4));
        assertEquals(4, FileKind.TERM_HISTORY.code());
        assertEquals(FileKind.SCAN_STATE, FileKind.ofCode(5));
        assertEquals(5, FileKind.SCAN_STATE.code());
        assertNull(FileKind.ofCode(6));
        assertNull(FileKind.ofCode(255));
    }

    @Test
    void fileHeaderIsLittleEndianOnly() {
        ByteBuffer big = ByteBuffer.allocate(FileHeader.LENGTH);
        assertEquals(IllegalArgumentException.class, assertThrows(IllegalArgumentException.class,
                () -> FileHeader.write(big, FileKind.OPLOG_SEGMENT, 1, ID)).getClass());
        assertEquals(IllegalArgumentException.class, assertThrows(IllegalArgumentException.class,
                () -> FileHeader.check(big, FILE, FileKind.OPLOG_SEGMENT, 1, 1)).getClass());
    }

    @Test
    void fileHeaderLayout() {
        ByteBuffer b = ByteBuffer.allocate(FileHeader.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        FileHeader.write(b, FileKind.OPLOG_METADATA, 0x0102, ID);
        assertEquals(24, FileHeader.LENGTH);
        assertArrayEquals(new byte[] {'K', 'T', 'S', 'G', 2, 0, 0x02, 0x01,
                (byte) 0xef, (byte) 0xcd, (byte) 0xab, (byte) 0x89, 0x67, 0x45, 0x23, 0x01,
                (byte) 0xde, (byte) 0xc0, 0, 0, 0, 0, 0, (byte) 0x80}, b.array());
        assertEquals(ID, FileHeader.check(b, FILE, FileKind.OPLOG_METADATA, 1, 0x0102));
    }

    // SegmentHeaderFormat

    @Test
    void segmentHeaderRoundTrips() {
        ByteBuffer b = SegmentHeaderFormat.encode(ID, 77);
        assertEquals(0, b.position());
        assertEquals(36, b.remaining());
        assertEquals(new SegmentHeaderFormat.Header(ID, 77), SegmentHeaderFormat.decode(b, FILE));
        // Bytes after the header (the first record) are not part of it.
        ByteBuffer longer = ByteBuffer.allocate(100).put(SegmentHeaderFormat.encode(ID, 77)).put((byte) 9).flip();
        assertEquals(new SegmentHeaderFormat.Header(ID, 77), SegmentHeaderFormat.decode(longer, FILE));
    }

    @Test
    void segmentHeaderRejectsEveryFlippedByte() {
        assertEveryFlippedByteRejected(SegmentHeaderFormat.encode(ID, 77),
                b -> SegmentHeaderFormat.decode(b, FILE));
    }

    @Test
    void segmentHeaderShorterThan36BytesIsTruncated() {
        ByteBuffer b = SegmentHeaderFormat.encode(ID, 77).limit(35);
        CorruptionException e = assertThrows(CorruptionException.class, () -> SegmentHeaderFormat.decode(b, FILE));
        assertEquals(CorruptionException.class, e.getClass());
        assertEquals(CorruptionKind.TRUNCATED, e.report().kind());
    }

    @Test
    void segmentHeaderChecksWhatItsChecksumCannot() {
        assertRejectedWithValidCrc(SegmentHeaderFormat.encode(ID, 77), 32, 0, (byte) 'k',
                b -> SegmentHeaderFormat.decode(b, FILE), CorruptionKind.BAD_MAGIC);
        assertRejectedWithValidCrc(SegmentHeaderFormat.encode(ID, 77), 32, 4, (byte) 2,
                b -> SegmentHeaderFormat.decode(b, FILE), CorruptionKind.BAD_MAGIC);
        assertUnsupportedVersion(SegmentHeaderFormat.encode(ID, 77), 32, 1, "too old",
                b -> SegmentHeaderFormat.decode(b, FILE));
        assertUnsupportedVersion(SegmentHeaderFormat.encode(ID, 77), 32, 3, "too new",
                b -> SegmentHeaderFormat.decode(b, FILE));
    }

    // LogMetadataFormat

    @Test
    void metadataRoundTrips() {
        LogMetadataFormat.Metadata m = new LogMetadataFormat.Metadata(ID, 9, 100, 200);
        ByteBuffer b = LogMetadataFormat.encode(m);
        assertEquals(0, b.position());
        assertEquals(52, b.remaining());
        assertEquals(m, LogMetadataFormat.decode(b, FILE));
    }

    @Test
    void metadataRejectsEveryFlippedByte() {
        assertEveryFlippedByteRejected(LogMetadataFormat.encode(new LogMetadataFormat.Metadata(ID, 9, 100, 200)),
                b -> LogMetadataFormat.decode(b, FILE));
    }

    @Test
    void metadataMustBeExactly52Bytes() {
        ByteBuffer good = LogMetadataFormat.encode(new LogMetadataFormat.Metadata(ID, 9, 100, 200));
        CorruptionException shorter = assertThrows(CorruptionException.class,
                () -> LogMetadataFormat.decode(good.duplicate().limit(51), FILE));
        assertEquals(CorruptionException.class, shorter.getClass());
        assertEquals(CorruptionKind.TRUNCATED, shorter.report().kind());
        ByteBuffer longer = ByteBuffer.allocate(53).put(good.duplicate()).flip().limit(53);
        CorruptionException longerError = assertThrows(CorruptionException.class,
                () -> LogMetadataFormat.decode(longer, FILE));
        assertEquals(CorruptionException.class, longerError.getClass());
        assertEquals(CorruptionKind.BAD_LENGTH, longerError.report().kind());
        CorruptionException empty = assertThrows(CorruptionException.class,
                () -> LogMetadataFormat.decode(ByteBuffer.allocate(0), FILE));
        assertEquals(CorruptionKind.TRUNCATED, empty.report().kind());
    }

    @Test
    void metadataChecksWhatItsChecksumCannot() {
        LogMetadataFormat.Metadata m = new LogMetadataFormat.Metadata(ID, 9, 100, 200);
        assertRejectedWithValidCrc(LogMetadataFormat.encode(m), 48, 3, (byte) 'g',
                b -> LogMetadataFormat.decode(b, FILE), CorruptionKind.BAD_MAGIC);
        assertRejectedWithValidCrc(LogMetadataFormat.encode(m), 48, 4, (byte) 1,
                b -> LogMetadataFormat.decode(b, FILE), CorruptionKind.BAD_MAGIC);
        assertUnsupportedVersion(LogMetadataFormat.encode(m), 48, 0, "too old",
                b -> LogMetadataFormat.decode(b, FILE));
        assertUnsupportedVersion(LogMetadataFormat.encode(m), 48, 2, "too new",
                b -> LogMetadataFormat.decode(b, FILE));
    }

    // Segment file names

    @Test
    void segmentFileNamesAreTwentyDigitsAndTheSuffix() {
        assertEquals("00000000000000000001.oplog", SegmentHeaderFormat.fileName(1));
        assertEquals("00000000000000000000.oplog", SegmentHeaderFormat.fileName(0));
        assertEquals("09223372036854775807.oplog", SegmentHeaderFormat.fileName(Long.MAX_VALUE));
        for (long seq : new long[] {0, 1, 5, 4096, 1_000_000_007L, Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
            assertEquals(seq, SegmentHeaderFormat.parseFileName(SegmentHeaderFormat.fileName(seq)));
        }
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            "",
            ".oplog",
            "1.oplog",
            "0000000000000000001.oplog",        // 19 digits
            "000000000000000000001.oplog",      // 21 digits
            "00000000000000000001.oplog.tmp",
            "00000000000000000001.OPLOG",
            "00000000000000000001.oplig",
            "00000000000000000001_oplog",
            "0000000000000000000a.oplog",
            "-0000000000000000001.oplog",
            "+0000000000000000001.oplog",
            " 0000000000000000001.oplog",
            "0000000000000000000\u0661.oplog", // a non-ASCII digit
            "09223372036854775808.oplog",       // Long.MAX_VALUE + 1
            "10000000000000000000.oplog",
            "99999999999999999999.oplog",
            "oplog.meta",
            "oplog.lock"})
    void nonSegmentNamesAreNotParsed(String name) {
        assertEquals(-1, SegmentHeaderFormat.parseFileName(name));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"18446744073709551616.oplog", "18446744073709551617.oplog", "18446744073709551620.oplog"})
    void namesAboveTwoToTheSixtyFourAreNotParsed(String name) {
        assertEquals(-1, SegmentHeaderFormat.parseFileName(name));
    }

    // Helpers

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        c.put(b.duplicate().clear());
        return c.clear();
    }

    private static void assertEveryFlippedByteRejected(ByteBuffer good, Function<ByteBuffer, ?> decode) {
        int length = good.remaining();
        for (int i = 0; i < length; i++) {
            for (int flip : new int[] {0xff, 0x01, 0x80}) {
                ByteBuffer damaged = copy(good);
                damaged.put(i, (byte) (damaged.get(i) ^ flip));
                int at = i;
                CorruptionException e = assertThrows(CorruptionException.class, () -> decode.apply(damaged),
                        "byte " + at + " xor 0x" + Integer.toHexString(flip));
                assertEquals(CorruptionException.class, e.getClass());
                // The checksum is verified before any field is interpreted.
                assertEquals(CorruptionKind.CHECKSUM_MISMATCH, e.report().kind(), "byte " + at);
                assertEquals(0, e.report().offset());
                assertEquals(length, e.report().length());
                assertEquals(FILE, e.report().file());
            }
        }
    }

    /** Sets one byte, recomputes the header CRC so that only the field check can catch it, and expects that. */
    private static void assertRejectedWithValidCrc(ByteBuffer good, int crcOffset, int index, byte value,
                                                   Function<ByteBuffer, ?> decode, CorruptionKind kind) {
        ByteBuffer b = copy(good);
        b.put(index, value);
        b.putInt(crcOffset, Crc32c.maskedOf(b, 0, crcOffset));
        CorruptionException e = assertThrows(CorruptionException.class, () -> decode.apply(b));
        assertEquals(CorruptionException.class, e.getClass());
        assertEquals(kind, e.report().kind());
    }

    private static void assertUnsupportedVersion(ByteBuffer good, int crcOffset, int version, String verdict,
                                                 Function<ByteBuffer, ?> decode) {
        ByteBuffer b = copy(good);
        b.putShort(6, (short) version);
        b.putInt(crcOffset, Crc32c.maskedOf(b, 0, crcOffset));
        UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class, () -> decode.apply(b));
        assertEquals(UnsupportedFormatException.class, e.getClass());
        assertTrue(e.getMessage().contains("version " + version + " is " + verdict), e.getMessage());
    }
}
