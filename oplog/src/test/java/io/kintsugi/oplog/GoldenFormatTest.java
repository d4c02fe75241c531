package io.kintsugi.oplog;

import io.kintsugi.oplog.format.LogMetadataFormat;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads the checked-in golden oplog ({@code src/test/resources/golden/oplog-v2}, written by {@link GoldenLogWriter})
 * so that any change to the on-disk format fails here. A deliberate change bumps the format version, adds a new
 * golden directory and updates {@code docs/FORMAT.md}; the files of older versions stay and stay tested.
 *
 * <p>The fixed-offset checks use literal offsets and an independent CRC32C masking, not the format classes'
 * constants, so that changing a constant cannot make them pass by accident.
 */
class GoldenFormatTest {

    private static final String GOLDEN = "/golden/oplog-v2";
    private static final String SEGMENT_1 = "00000000000000000001.oplog";
    private static final String SEGMENT_5 = "00000000000000000005.oplog";
    private static final String METADATA = "oplog.meta";
    private static final List<String> GOLDEN_FILES = List.of(SEGMENT_1, SEGMENT_5, METADATA);

    /** The log id 01234567-89ab-cdef-8000-00000000c0de as stored at bytes 8..23: each half little-endian. */
    private static final byte[] LOG_ID_BYTES = {
            (byte) 0xef, (byte) 0xcd, (byte) 0xab, (byte) 0x89, 0x67, 0x45, 0x23, 0x01,
            (byte) 0xde, (byte) 0xc0, 0, 0, 0, 0, 0, (byte) 0x80};

    @TempDir
    Path tmp;

    // (a) The current code opens the golden log and reads exactly what was written.

    @Test
    void currentCodeReadsEveryGoldenRecordExactly() throws IOException {
        Path dir = copyOfGolden("read");
        OplogOptions options = OplogOptions.builder().logId(GoldenLogWriter.LOG_ID)
                .segmentSize(GoldenLogWriter.SEGMENT_SIZE).durability(Durability.SYNC).build();
        try (Oplog log = Oplog.open(dir, options)) {
            RecoveryReport report = log.recoveryReport();
            assertFalse(report.created());
            assertEquals(2, report.segments());
            assertEquals(1, report.firstSequence());
            assertEquals(6, report.lastSequence());
            assertEquals(6, report.recordsScanned());
            assertEquals(Optional.empty(), report.tornTail());
            assertEquals(List.of(), report.removedTemporaryFiles());
            assertEquals(List.of(), report.finishedRetention());

            assertEquals(GoldenLogWriter.LOG_ID, log.logId());
            assertEquals(GoldenLogWriter.FINAL_TERM, log.currentTerm());
            assertEquals(5, log.currentTerm());
            assertEquals(1, log.firstSequence());
            assertEquals(6, log.lastSequence());

            try (OplogReader r = log.reader(1)) {
                for (LogRecord expected : GoldenLogWriter.RECORDS) {
                    assertRecord(expected, r.next());
                }
                assertNull(r.next());
            }
            // Starting in the last segment exercises its header and first record on their own.
            try (OplogReader r = log.reader(5)) {
                assertRecord(GoldenLogWriter.RECORDS.get(4), r.next());
                assertRecord(GoldenLogWriter.RECORDS.get(5), r.next());
                assertNull(r.next());
            }
        }
        // Opening and reading a log must not rewrite any of its files.
        for (String name : GOLDEN_FILES) {
            assertArrayEquals(goldenBytes(name), Files.readAllBytes(dir.resolve(name)), name);
        }
    }

    @Test
    void goldenRecordsHaveTheValuesTheGoldenLogWasWrittenWith() {
        // Guards the definition in GoldenLogWriter itself: the test above compares against it.
        List<LogRecord> r = GoldenLogWriter.RECORDS;
        assertEquals(6, r.size());
        long[] terms = {1, 1, 2, 2, 3, 3};
        int[] types = {0, 7, 239, 1, 2, 3};
        int[] lengths = {15, 0, 256, 3000, 1000, 4};
        for (int i = 0; i < r.size(); i++) {
            assertEquals(i + 1, r.get(i).sequence());
            assertEquals(terms[i], r.get(i).term());
            assertEquals(types[i], r.get(i).type());
            assertEquals(lengths[i], r.get(i).payload().length);
        }
        assertArrayEquals("hello, kintsugi".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                r.get(0).payload());
    }

    @Test
    void raisedTermInMetadataIsHonouredAndTheLogStaysAppendable() throws IOException {
        Path dir = copyOfGolden("append");
        try (Oplog log = Oplog.open(dir)) {
            StaleTermException stale = assertThrows(StaleTermException.class, () -> log.append(4, 0, new byte[1]));
            assertEquals(StaleTermException.class, stale.getClass());
            assertEquals(7, log.append(5, 0, new byte[] {42}));
        }
        try (Oplog log = Oplog.open(dir); OplogReader r = log.reader(6)) {
            assertRecord(GoldenLogWriter.RECORDS.get(5), r.next());
            assertRecord(new LogRecord(7, 5, 0, new byte[] {42}), r.next());
            assertNull(r.next());
        }
    }

    // (b) Today's format classes encode the golden content into byte-identical files.

    @Test
    void goldenDirectoryHoldsExactlyTheFormatFiles() throws IOException {
        try (Stream<Path> s = Files.list(goldenDir())) {
            assertEquals(GOLDEN_FILES.stream().sorted().collect(Collectors.toList()),
                    s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
    }

    @Test
    void formatClassesEncodeByteIdenticalSegments() throws IOException {
        List<LogRecord> records = GoldenLogWriter.RECORDS;
        assertSameBytes(SEGMENT_1, encodeSegment(1, records.subList(0, 4)), goldenBytes(SEGMENT_1));
        assertSameBytes(SEGMENT_5, encodeSegment(5, records.subList(4, 6)), goldenBytes(SEGMENT_5));
        assertEquals(SEGMENT_1, SegmentHeaderFormat.fileName(1));
        assertEquals(SEGMENT_5, SegmentHeaderFormat.fileName(5));
        assertEquals(GoldenLogWriter.SEGMENT_FIRST_SEQUENCES, List.of(
                SegmentHeaderFormat.parseFileName(SEGMENT_1), SegmentHeaderFormat.parseFileName(SEGMENT_5)));
    }

    @Test
    void formatClassesEncodeByteIdenticalMetadata() throws IOException {
        ByteBuffer meta = LogMetadataFormat.encode(
                new LogMetadataFormat.Metadata(GoldenLogWriter.LOG_ID, GoldenLogWriter.FINAL_TERM, 1, 5));
        assertSameBytes(METADATA, toArray(meta), goldenBytes(METADATA));
        assertEquals(METADATA, LogMetadataFormat.FILE_NAME);
        assertEquals(Oplog.LOCK_FILE_NAME, "oplog.lock");
    }

    @Test
    void publicApiWriterReproducesTheGoldenFiles() throws IOException {
        // The writer's choices (where it rolls, what it records in the metadata) are part of what the golden
        // files pin, and running it again must give the same bytes: the output is deterministic.
        Path dir = tmp.resolve("rewritten");
        GoldenLogWriter.write(dir);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(GOLDEN_FILES.stream().sorted().collect(Collectors.toList()),
                    s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
        for (String name : GOLDEN_FILES) {
            assertSameBytes(name, Files.readAllBytes(dir.resolve(name)), goldenBytes(name));
        }
    }

    // (c) Versions outside the supported range are rejected as too old or too new.

    @ParameterizedTest(name = "{0} with version {1}")
    @CsvSource({
            SEGMENT_1 + ", 1, too old",
            SEGMENT_1 + ", 3, too new",
            SEGMENT_5 + ", 0, too old",
            SEGMENT_5 + ", 3, too new",
            METADATA + ", 0, too old",
            METADATA + ", 2, too new",
            METADATA + ", 65535, too new"})
    void unsupportedVersionIsRejectedAsTooOldOrTooNew(String file, int version, String verdict) throws IOException {
        Path dir = copyOfGolden("version-" + file + "-" + version);
        Path target = dir.resolve(file);
        byte[] bytes = Files.readAllBytes(target);
        bytes[6] = (byte) version;
        bytes[7] = (byte) (version >>> 8);
        int crcOffset = file.equals(METADATA) ? 48 : 32;
        putIntLe(bytes, crcOffset, maskedCrc32c(bytes, 0, crcOffset));
        Files.write(target, bytes);

        UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class, () -> Oplog.open(dir).close());
        assertEquals(UnsupportedFormatException.class, e.getClass());
        assertTrue(e.getMessage().contains("version " + version + " is " + verdict), e.getMessage());
        String range = file.equals(METADATA) ? "reads versions 1 to 1" : "reads versions 2 to 2";
        assertTrue(e.getMessage().contains(range), e.getMessage());
        assertTrue(e.getMessage().contains(file), e.getMessage());
        // Rejecting a file must not change it.
        assertArrayEquals(bytes, Files.readAllBytes(target));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({SEGMENT_1, SEGMENT_5, METADATA})
    void versionChangedWithoutItsChecksumIsCorruptionNotAVersionError(String file) throws IOException {
        Path dir = copyOfGolden("unsummed-" + file);
        Path target = dir.resolve(file);
        byte[] bytes = Files.readAllBytes(target);
        bytes[6] = 3;
        Files.write(target, bytes);

        CorruptionException e = assertThrows(CorruptionException.class, () -> Oplog.open(dir).close());
        assertEquals(CorruptionException.class, e.getClass());
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, e.report().kind());
        assertEquals(target, e.report().file());
        assertEquals(0, e.report().offset());
    }

    // (d) Fixed-offset facts documented in docs/FORMAT.md, with literal offsets.

    @ParameterizedTest(name = "{0}")
    @CsvSource({SEGMENT_1 + ", 1, 2", SEGMENT_5 + ", 1, 2", METADATA + ", 2, 1"})
    void commonHeaderIsAtTheDocumentedOffsets(String file, int kind, int version) throws IOException {
        byte[] b = goldenBytes(file);
        assertEquals('K', b[0]);
        assertEquals('T', b[1]);
        assertEquals('S', b[2]);
        assertEquals('G', b[3]);
        assertEquals(0x4753544B, getIntLe(b, 0));
        assertEquals(kind, b[4]);
        assertEquals(0, b[5]);
        assertEquals(version, b[6]);
        assertEquals(0, b[7]);
        byte[] id = new byte[16];
        System.arraycopy(b, 8, id, 0, 16);
        assertArrayEquals(LOG_ID_BYTES, id);
    }

    @Test
    void segmentHeaderAndRecordsAreAtTheDocumentedOffsets() throws IOException {
        byte[] s1 = goldenBytes(SEGMENT_1);
        assertEquals(3423, s1.length);
        assertEquals(1, getLongLe(s1, 24));
        assertEquals(maskedCrc32c(s1, 0, 32), getIntLe(s1, 32));
        assertRecordAt(s1, 36, GoldenLogWriter.RECORDS.get(0));
        assertRecordAt(s1, 80, GoldenLogWriter.RECORDS.get(1));
        assertRecordAt(s1, 109, GoldenLogWriter.RECORDS.get(2));
        assertRecordAt(s1, 394, GoldenLogWriter.RECORDS.get(3));
        // The empty record is a 29-byte header with a zero length; the type byte is unsigned (239 = 0xef).
        assertEquals(0, getIntLe(s1, 80));
        assertEquals((byte) 0xef, s1[109 + 28]);
        // With no payload both CRCs cover the same bytes, so an empty record carries the same value twice.
        assertEquals(getIntLe(s1, 80 + 4), getIntLe(s1, 80 + 8));

        byte[] s5 = goldenBytes(SEGMENT_5);
        assertEquals(1098, s5.length);
        assertEquals(5, getLongLe(s5, 24));
        assertEquals(maskedCrc32c(s5, 0, 32), getIntLe(s5, 32));
        assertRecordAt(s5, 36, GoldenLogWriter.RECORDS.get(4));
        assertRecordAt(s5, 1065, GoldenLogWriter.RECORDS.get(5));
    }

    @Test
    void metadataFieldsAreAtTheDocumentedOffsets() throws IOException {
        byte[] m = goldenBytes(METADATA);
        assertEquals(52, m.length);
        assertEquals(5, getLongLe(m, 24));
        assertEquals(1, getLongLe(m, 32));
        assertEquals(5, getLongLe(m, 40));
        assertEquals(maskedCrc32c(m, 0, 48), getIntLe(m, 48));
    }

    @Test
    void layoutConstantsMatchTheDocumentedOffsets() {
        assertEquals(36, SegmentHeaderFormat.LENGTH);
        assertEquals(52, LogMetadataFormat.LENGTH);
        assertEquals(29, RecordFormat.HEADER_LENGTH);
        assertEquals(0, RecordFormat.LENGTH_OFFSET);
        assertEquals(4, RecordFormat.HEADER_CRC_OFFSET);
        assertEquals(8, RecordFormat.CRC_OFFSET);
        assertEquals(12, RecordFormat.SEQUENCE_OFFSET);
        assertEquals(20, RecordFormat.TERM_OFFSET);
        assertEquals(28, RecordFormat.TYPE_OFFSET);
        assertEquals(2, SegmentHeaderFormat.VERSION_CURRENT);
        assertEquals(1, LogMetadataFormat.VERSION_CURRENT);
        assertEquals(239, RecordFormat.MAX_USER_TYPE);
        assertEquals(256 << 20, RecordFormat.MAX_PAYLOAD_LENGTH);
    }

    // Helpers.

    private static void assertRecord(LogRecord expected, LogRecord actual) {
        assertEquals(expected.sequence(), actual.sequence(), "sequence");
        assertEquals(expected.term(), actual.term(), "term of " + expected.sequence());
        assertEquals(expected.type(), actual.type(), "type of " + expected.sequence());
        assertArrayEquals(expected.payload(), actual.payload(), "payload of " + expected.sequence());
    }

    /**
     * Checks one record with literal field offsets, that its header CRC covers [0, 4) and [12, 29), and that its
     * record CRC covers [0, 4) and [12, end).
     */
    private static void assertRecordAt(byte[] file, int at, LogRecord expected) {
        int length = expected.payload().length;
        int end = at + 29 + length;
        assertEquals(length, getIntLe(file, at), "length of record " + expected.sequence());
        assertEquals(expected.sequence(), getLongLe(file, at + 12));
        assertEquals(expected.term(), getLongLe(file, at + 20));
        assertEquals(expected.type(), Byte.toUnsignedInt(file[at + 28]));
        byte[] payload = new byte[length];
        System.arraycopy(file, at + 29, payload, 0, length);
        assertArrayEquals(expected.payload(), payload);
        CRC32C header = new CRC32C();
        header.update(file, at, 4);
        header.update(file, at + 12, 17);
        assertEquals(mask((int) header.getValue()), getIntLe(file, at + 4),
                "header crc of record " + expected.sequence());
        CRC32C crc = new CRC32C();
        crc.update(file, at, 4);
        crc.update(file, at + 12, end - at - 12);
        assertEquals(mask((int) crc.getValue()), getIntLe(file, at + 8), "crc of record " + expected.sequence());
    }

    private static byte[] encodeSegment(long firstSequence, List<LogRecord> records) {
        int size = SegmentHeaderFormat.LENGTH;
        for (LogRecord r : records) {
            size += RecordFormat.encodedLength(r.payload().length);
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(SegmentHeaderFormat.encode(GoldenLogWriter.LOG_ID, firstSequence));
        for (LogRecord r : records) {
            RecordFormat.encode(b, r.sequence(), r.term(), r.type(), r.payload());
        }
        assertEquals(size, b.position());
        return b.array();
    }

    /** Fails at the first differing byte, saying where, so that a format change is easy to locate. */
    private static void assertSameBytes(String name, byte[] actual, byte[] golden) {
        int n = Math.min(actual.length, golden.length);
        for (int i = 0; i < n; i++) {
            if (actual[i] != golden[i]) {
                fail(String.format("%s differs from the golden file at offset %d: golden 0x%02x, now 0x%02x. If the"
                                + " format changed on purpose, bump its version, add golden files for the new version"
                                + " and update docs/FORMAT.md.", name, i, golden[i] & 0xff, actual[i] & 0xff));
            }
        }
        assertEquals(golden.length, actual.length, name + ": length differs from the golden file");
    }

    private Path copyOfGolden(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : GOLDEN_FILES) {
            Files.copy(goldenDir().resolve(f), dir.resolve(f));
        }
        return dir;
    }

    private static Path goldenDir() {
        URL url = GoldenFormatTest.class.getResource(GOLDEN);
        if (url == null) {
            throw new IllegalStateException("test resource " + GOLDEN + " is missing");
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] goldenBytes(String name) throws IOException {
        return Files.readAllBytes(goldenDir().resolve(name));
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /** The masking rule written out independently of {@code Crc32c}: rotate right by 15, add 0xa282ead8. */
    private static int mask(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    private static int maskedCrc32c(byte[] b, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(b, from, to - from);
        return mask((int) crc.getValue());
    }

    private static int getIntLe(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    private static long getLongLe(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(at);
    }

    private static void putIntLe(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }
}
