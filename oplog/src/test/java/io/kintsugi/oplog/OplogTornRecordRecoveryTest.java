package io.kintsugi.oplog;

import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery of a record whose payload holds the bytes of a validly encoded record, as when an application stores
 * log records as values. A crash that tears such a record must be a torn tail, not "corruption before valid data":
 * the record-like bytes inside it belong to it. Its header checksum makes its length trustworthy, so only bytes
 * after its end can prove that acknowledged data follows; a damaged length still never hides the records after it.
 *
 * <p>The log: record 1 with a {@value #SMALL}-byte payload at offset 36, record 2 with a {@value #BIG}-byte payload
 * at offset 165 holding, at payload offset {@value #INNER_AT}, an encoded record of sequence 3 (the sequence a
 * search after record 2 looks for), and in some tests a record 3 after it.
 */
class OplogTornRecordRecoveryTest {

    static final int SMALL = 100;
    static final int BIG = 4000;
    static final int INNER_AT = 100;
    static final long TERM = 1;
    static final int RECORD_1 = SegmentHeaderFormat.LENGTH;
    static final int RECORD_2 = RECORD_1 + RecordFormat.HEADER_LENGTH + SMALL;
    static final int INNER = RECORD_2 + RecordFormat.HEADER_LENGTH + INNER_AT;
    static final int RECORD_3 = RECORD_2 + RecordFormat.HEADER_LENGTH + BIG;

    @TempDir
    Path dir;

    @Test
    void offsetsOfTheLogAreAsDescribed() {
        assertEquals(36, RECORD_1);
        assertEquals(165, RECORD_2);
        assertEquals(294, INNER);
        assertEquals(4194, RECORD_3);
    }

    @Test
    void aCrashThatCutsARecordHoldingAnEncodedRecordIsATornTail() throws IOException {
        Path segment = writeLog(false);
        int cut = RECORD_2 + RecordFormat.HEADER_LENGTH + BIG / 2;
        assertTrue(cut > INNER + innerRecord().length, "the cut must keep the whole inner record");
        FileCorruptor.truncate(segment, cut);
        // The premise: searching every byte after the torn record's start finds the inner record, intact and with
        // the next sequence but one. That search alone would call this crash corruption.
        assertEquals(INNER, byteSearchFromOneByteIn(segment, RECORD_2, 1));

        try (Oplog log = Oplog.open(dir)) {
            RecoveryReport.TornTail torn = log.recoveryReport().tornTail().orElseThrow();
            assertEquals(segment, torn.file());
            assertEquals(RECORD_2, torn.offset());
            assertEquals(cut - RECORD_2, torn.bytesDropped());
            assertEquals(1, torn.lastValidSequence());
            assertEquals(CorruptionKind.TRUNCATED, torn.cause());
            assertEquals(1, log.lastSequence());
            assertEquals(RECORD_2, Files.size(segment), "the segment is cut where the torn record started");
            try (OplogReader reader = log.reader(1)) {
                assertArrayEquals(smallPayload(), reader.next().payload());
                assertNull(reader.next());
            }
            assertEquals(2, log.append(TERM, 0, new byte[] {1, 2, 3}));
        }
        try (Oplog log = Oplog.open(dir)) {
            assertTrue(log.recoveryReport().tornTail().isEmpty());
            assertEquals(2, log.lastSequence());
        }
    }

    @Test
    void aCompleteLastRecordWithADamagedPayloadHoldingAnEncodedRecordIsATornTail() throws IOException {
        Path segment = writeLog(false);
        long size = Files.size(segment);
        FileCorruptor.flipBit(segment, RECORD_2 + RecordFormat.HEADER_LENGTH + 3000, 2);
        assertEquals(INNER, byteSearchFromOneByteIn(segment, RECORD_2, 1));

        try (Oplog log = Oplog.open(dir)) {
            RecoveryReport.TornTail torn = log.recoveryReport().tornTail().orElseThrow();
            assertEquals(RECORD_2, torn.offset());
            assertEquals(size - RECORD_2, torn.bytesDropped());
            assertEquals(1, torn.lastValidSequence());
            assertEquals(CorruptionKind.CHECKSUM_MISMATCH, torn.cause());
            assertEquals(1, log.lastSequence());
        }
    }

    @Test
    void aDamagedPayloadHoldingAnEncodedRecordFollowedByAnIntactRecordIsCorruptBeforeValidData()
            throws IOException {
        Path segment = writeLog(true);
        FileCorruptor.flipBit(segment, RECORD_2 + RecordFormat.HEADER_LENGTH + 3000, 2);
        byte[] damaged = Files.readAllBytes(segment);
        Map<String, byte[]> before = FileCorruptor.snapshot(dir);

        CorruptionException e = assertThrows(CorruptionException.class, () -> Oplog.open(dir).close());
        CorruptionReport report = e.report();
        assertEquals(CorruptionException.class, e.getClass());
        assertEquals(CorruptionKind.CORRUPT_BEFORE_VALID_DATA, report.kind());
        assertEquals(segment, report.file());
        assertEquals(RECORD_2, report.offset());
        assertEquals(RecordFormat.HEADER_LENGTH + BIG, report.length());
        // The header is intact, so the search starts at the record's end and finds record 3, not the inner record.
        assertTrue(report.detail().startsWith("record checksum mismatch"), report.describe());
        assertTrue(report.detail().contains("an intact record follows at offset " + RECORD_3), report.describe());
        assertEquals(OptionalLong.of(Integer.toUnsignedLong(getIntLe(damaged, RECORD_2 + 8))), report.expected());
        assertEquals(OptionalLong.of(Integer.toUnsignedLong(
                maskedCrcWithoutCrcFields(damaged, RECORD_2, RECORD_3))), report.actual());
        assertUnchanged(before);
    }

    @Test
    void aFlippedLengthFollowedByIntactRecordsIsCorruptBeforeValidData() throws IOException {
        Path segment = writeLog(true);
        // Bit 4 of the length's second byte adds 4096: the record would now claim to run past the end of the file,
        // which without a header checksum would look like a record cut by a crash and hide records 2 and 3.
        FileCorruptor.flipBit(segment, RECORD_1 + RecordFormat.LENGTH_OFFSET + 1, 4);
        byte[] damaged = Files.readAllBytes(segment);
        assertEquals(SMALL + 4096, getIntLe(damaged, RECORD_1));
        assertTrue(RECORD_1 + RecordFormat.HEADER_LENGTH + SMALL + 4096 > damaged.length);
        Map<String, byte[]> before = FileCorruptor.snapshot(dir);

        CorruptionException e = assertThrows(CorruptionException.class, () -> Oplog.open(dir).close());
        CorruptionReport report = e.report();
        assertEquals(CorruptionException.class, e.getClass());
        assertEquals(CorruptionKind.CORRUPT_BEFORE_VALID_DATA, report.kind());
        assertEquals(segment, report.file());
        assertEquals(RECORD_1, report.offset());
        assertEquals(RecordFormat.HEADER_LENGTH, report.length(), "only the header is known to be damaged");
        assertTrue(report.detail().startsWith("record header checksum mismatch"), report.describe());
        // The length is untrusted, so every byte after the record's start is searched; record 2 is the first hit.
        assertTrue(report.detail().contains("an intact record follows at offset " + RECORD_2), report.describe());
        assertEquals(OptionalLong.of(Integer.toUnsignedLong(getIntLe(damaged, RECORD_1 + 4))), report.expected());
        assertEquals(OptionalLong.of(Integer.toUnsignedLong(maskedCrcWithoutCrcFields(damaged, RECORD_1,
                RECORD_1 + RecordFormat.HEADER_LENGTH))), report.actual());
        assertUnchanged(before);
    }

    /**
     * Writes record 1 and record 2 (holding the inner record), and record 3 if asked, then closes the log.
     *
     * @return the segment file
     */
    private Path writeLog(boolean withRecord3) throws IOException {
        byte[] big = new byte[BIG];
        for (int i = 0; i < BIG; i++) {
            big[i] = (byte) (i * 37 + 11);
        }
        byte[] inner = innerRecord();
        System.arraycopy(inner, 0, big, INNER_AT, inner.length);
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(1, log.append(TERM, 0, smallPayload()));
            assertEquals(2, log.append(TERM, 0, big));
            if (withRecord3) {
                assertEquals(3, log.append(TERM, 0, new byte[10]));
            }
        }
        Path segment = dir.resolve(SegmentHeaderFormat.fileName(1));
        byte[] bytes = Files.readAllBytes(segment);
        assertEquals(RECORD_3 + (withRecord3 ? RecordFormat.HEADER_LENGTH + 10 : 0), bytes.length);
        assertArrayEquals(inner, Arrays.copyOfRange(bytes, INNER, INNER + inner.length),
                "the inner record lies inside record 2's payload");
        return segment;
    }

    private static byte[] smallPayload() {
        byte[] b = new byte[SMALL];
        Arrays.fill(b, (byte) 'k');
        return b;
    }

    /** A valid encoded record of sequence 3, as an application might store one as a value. */
    private static byte[] innerRecord() {
        byte[] payload = new byte[40];
        Arrays.fill(payload, (byte) 0x5a);
        ByteBuffer b = ByteBuffer.allocate(RecordFormat.encodedLength(payload.length)).order(ByteOrder.LITTLE_ENDIAN);
        RecordFormat.encode(b, 3, TERM, 0, payload);
        return b.array();
    }

    /** Where a search of every byte after {@code badOffset}, as for a record whose length is untrusted, stops. */
    private static long byteSearchFromOneByteIn(Path segment, long badOffset, long lastGoodSequence)
            throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            return RecordScanner.findIntactRecordAfter(ch, badOffset, badOffset + 1, ch.size(), lastGoodSequence);
        }
    }

    private void assertUnchanged(Map<String, byte[]> before) {
        Map<String, byte[]> after = FileCorruptor.snapshot(dir);
        assertEquals(before.keySet(), after.keySet());
        for (var e : before.entrySet()) {
            assertTrue(Arrays.equals(e.getValue(), after.get(e.getKey())), "a failed open changed " + e.getKey());
        }
    }

    /** The masked CRC32C of {@code b[start, end)} without the record's two CRC fields at [start + 4, start + 12). */
    private static int maskedCrcWithoutCrcFields(byte[] b, int start, int end) {
        CRC32C crc = new CRC32C();
        crc.update(b, start, 4);
        crc.update(b, start + 12, end - start - 12);
        return Crc32c.mask((int) crc.getValue());
    }

    private static int getIntLe(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }
}
