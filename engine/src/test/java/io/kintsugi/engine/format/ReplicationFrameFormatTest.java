package io.kintsugi.engine.format;

import io.kintsugi.engine.format.ReplicationFrameFormat.Frame;
import io.kintsugi.engine.replication.ReplicationProtocolException;
import io.kintsugi.engine.replication.ReplicationProtocolException.Problem;
import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication frames ({@link ReplicationFrameFormat}, docs/FORMAT.md section 10): round trips, and the exact
 * {@link Problem} of every way a frame can be damaged or malformed. Malformed bodies are wrapped in frames with a
 * correct CRC ({@link ReplicationFrameFormat#frame}), so that they get past the frame checksum as a buggy or hostile
 * peer's frame would; damaged records inside RECORDS likewise.
 */
class ReplicationFrameFormatTest {

    private static final UUID P = GoldenReplicationFrameWriter.PRIMARY;
    private static final UUID F = GoldenReplicationFrameWriter.FOLLOWER;
    private static final byte[] NONCE = GoldenReplicationFrameWriter.FOLLOWER_NONCE;
    private static final byte[] PROOF = GoldenReplicationFrameWriter.FETCH_PROOF;
    private static final long SEED = 0x4b545347L;

    // ------------------------------------------------------------------ helpers

    /** Receives {@code frame} as a peer does and decodes its body by its type. */
    private static Object decode(byte[] frame) {
        Frame f = GoldenReplicationFrameTest.read(frame);
        return switch (f.type()) {
            case ReplicationFrameFormat.TYPE_HELLO -> ReplicationFrameFormat.decodeHello(f.body());
            case ReplicationFrameFormat.TYPE_WELCOME -> ReplicationFrameFormat.decodeWelcome(f.body());
            case ReplicationFrameFormat.TYPE_FETCH -> ReplicationFrameFormat.decodeFetch(f.body());
            case ReplicationFrameFormat.TYPE_RECORDS -> ReplicationFrameFormat.decodeRecords(f.body());
            case ReplicationFrameFormat.TYPE_HEARTBEAT -> ReplicationFrameFormat.decodeHeartbeat(f.body());
            case ReplicationFrameFormat.TYPE_ACK -> ReplicationFrameFormat.decodeAck(f.body());
            case ReplicationFrameFormat.TYPE_REJECT -> ReplicationFrameFormat.decodeReject(f.body());
            default -> throw new AssertionError("type " + f.type());
        };
    }

    /** A frame of the given type around {@code body}, with a correct length and CRC. */
    private static byte[] frame(int type, byte[] body) {
        return ReplicationFrameFormat.frame(type, body);
    }

    private static byte[] body(byte[] frame) {
        return Arrays.copyOfRange(frame, 9, frame.length);
    }

    private static ReplicationProtocolException fails(Problem problem, Executable x) {
        ReplicationProtocolException e = assertThrows(ReplicationProtocolException.class, x);
        assertSame(ReplicationProtocolException.class, e.getClass());
        assertEquals(problem, e.problem(), e.getMessage());
        return e;
    }

    private static ReplicationProtocolException decodeFails(Problem problem, byte[] frame) {
        return fails(problem, () -> decode(frame));
    }

    private static byte[] header(int length) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0, length).array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] golden(String name) throws IOException {
        return GoldenReplicationFrameTest.golden(name);
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void helloHeartbeatAckAndFetchRoundTrip() {
        for (long term : new long[]{0, 1, Long.MAX_VALUE}) {
            ReplicationFrameFormat.Hello h = (ReplicationFrameFormat.Hello) decode(
                    ReplicationFrameFormat.hello(F, term, NONCE));
            assertEquals(List.of(1, F, term), List.of(h.protocolVersion(), h.follower(), h.followerTerm()));
            assertArrayEquals(NONCE, h.nonce());
            ReplicationFrameFormat.Heartbeat hb = (ReplicationFrameFormat.Heartbeat) decode(
                    ReplicationFrameFormat.heartbeat(term + 5, term));
            assertEquals(term + 5, hb.primaryLastSequence());
            assertEquals(term, hb.term());
            assertEquals(term, decode(ReplicationFrameFormat.ack(term)));
        }
        for (byte[] proof : new byte[][]{new byte[0], PROOF}) {
            for (long from : new long[]{1, 2, Long.MAX_VALUE}) {
                ReplicationFrameFormat.Fetch fetch = (ReplicationFrameFormat.Fetch) decode(
                        ReplicationFrameFormat.fetch(from, proof));
                assertEquals(from, fetch.fromSequence());
                assertArrayEquals(proof, fetch.proof());
            }
        }
        assertEquals(8 + 1 + 8 + 1, ReplicationFrameFormat.fetch(1, new byte[0]).length);
    }

    @Test
    void welcomeRoundTripsWithAndWithoutProofAndHistory() {
        for (TermHistory history : List.of(TermHistory.empty(), GoldenReplicationFrameWriter.HISTORY)) {
            for (byte[] proof : new byte[][]{new byte[0], PROOF}) {
                byte[] signed = ReplicationFrameFormat.welcomeSignedBody(P, 9, 3, 2, NONCE, history);
                ReplicationFrameFormat.Welcome w = (ReplicationFrameFormat.Welcome) decode(
                        ReplicationFrameFormat.welcome(signed, proof));
                assertEquals(List.of(1, P, 9L, 3L, 2L), List.of(w.protocolVersion(), w.primary(), w.term(),
                        w.firstSequence(), w.lastSequence()));
                assertArrayEquals(NONCE, w.nonce());
                assertEquals(history, w.history());
                assertArrayEquals(proof, w.proof());
                assertArrayEquals(signed, w.signedBody());
            }
        }
    }

    @Test
    void recordsRoundTrip() {
        byte[] big = new byte[100_000];
        new Random(SEED).nextBytes(big);
        List<LogRecord> records = List.of(new LogRecord(1, 0, 0, new byte[0]), new LogRecord(2, 0, 255, big),
                new LogRecord(3, 4, 17, "x".getBytes(StandardCharsets.US_ASCII)));
        ReplicationFrameFormat.Records rs = (ReplicationFrameFormat.Records) decode(
                ReplicationFrameFormat.records(99, records));
        assertEquals(99, rs.primaryLastSequence());
        assertEquals(records, rs.records());
        ReplicationFrameFormat.Records one = (ReplicationFrameFormat.Records) decode(
                ReplicationFrameFormat.records(1, records.subList(0, 1)));
        assertEquals(records.subList(0, 1), one.records());
    }

    @Test
    void rejectRoundTripsAndCutsALongDetailToTheLimit() {
        for (String detail : new String[]{"", "no", "\u00e9t\u00e9 \u2014 \ud83d\ude00"}) {
            ReplicationFrameFormat.Reject r = (ReplicationFrameFormat.Reject) decode(
                    ReplicationFrameFormat.reject(ReplicationFrameFormat.REASON_NOT_RETAINED, 3, detail));
            assertEquals(ReplicationFrameFormat.REASON_NOT_RETAINED, r.reason());
            assertEquals(3, r.term());
            assertEquals(detail, r.detail());
        }
        String longDetail = "y".repeat(5000);
        byte[] frame = ReplicationFrameFormat.reject(ReplicationFrameFormat.REASON_PROTOCOL_ERROR, 1, longDetail);
        assertEquals(8 + 1 + 1 + 8 + 2 + 1024, frame.length);
        assertEquals("y".repeat(1024), ((ReplicationFrameFormat.Reject) decode(frame)).detail());
    }

    @Test
    void encodersRefuseNoncesAndProofsOfTheWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> ReplicationFrameFormat.hello(F, 1, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> ReplicationFrameFormat.hello(F, 1, new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> ReplicationFrameFormat.welcomeSignedBody(P, 1, 1, 0,
                new byte[0], TermHistory.empty()));
        assertThrows(IllegalArgumentException.class, () -> ReplicationFrameFormat.fetch(1, new byte[16]));
        byte[] signed = ReplicationFrameFormat.welcomeSignedBody(P, 1, 1, 0, NONCE, TermHistory.empty());
        assertThrows(IllegalArgumentException.class, () -> ReplicationFrameFormat.welcome(signed, new byte[1]));
    }

    // ------------------------------------------------------------------ the frame header

    @Test
    void aZeroOrNegativeLengthIsMalformed() {
        for (int n : new int[]{0, -1, Integer.MIN_VALUE}) {
            fails(Problem.MALFORMED, () -> ReplicationFrameFormat.frameLength(header(n), 1 << 20));
        }
        assertEquals(1, ReplicationFrameFormat.frameLength(header(1), 1 << 20));
    }

    @Test
    void aLengthAboveTheReceiversLimitIsTooLarge() {
        int limit = 1 << 20;
        assertEquals(limit, ReplicationFrameFormat.frameLength(header(limit), limit));
        fails(Problem.TOO_LARGE, () -> ReplicationFrameFormat.frameLength(header(limit + 1), limit));
        fails(Problem.TOO_LARGE, () -> ReplicationFrameFormat.frameLength(header(Integer.MAX_VALUE), limit));
        // A golden frame read by a receiver whose limit is one byte below its length.
        fails(Problem.TOO_LARGE, () -> GoldenReplicationFrameTest.read(golden("records.frame"), 141));
    }

    @Test
    void verifyKeepsAnUnknownTypeForTheSessionToRefuse() {
        Frame f = GoldenReplicationFrameTest.read(frame(99, new byte[]{1, 2}));
        assertEquals(99, f.type());
        assertEquals(2, f.body().remaining());
        assertEquals("unknown type 99", ReplicationFrameFormat.typeName(99));
        // A frame of just a type byte has an empty body.
        assertEquals(0, GoldenReplicationFrameTest.read(frame(5, new byte[0])).body().remaining());
    }

    // ------------------------------------------------------------------ the frame CRC

    @Test
    void everySingleBitFlipInTheTypeBodyOrCrcOfEveryGoldenFrameIsAChecksumMismatch() throws IOException {
        for (String name : GoldenReplicationFrameTest.FILES) {
            byte[] good = golden(name);
            for (int bit = 4 * 8; bit < good.length * 8; bit++) {
                byte[] f = good.clone();
                f[bit / 8] ^= (byte) (1 << (bit % 8));
                ReplicationProtocolException e = fails(Problem.CHECKSUM_MISMATCH, () -> ReplicationFrameFormat.verify(
                        Arrays.copyOf(f, 8), Arrays.copyOfRange(f, 8, f.length)));
                assertTrue(e.getMessage().contains("does not match its checksum"), e.getMessage());
            }
        }
    }

    @Test
    void seededRandomDamageToAGoldenFrameIsAChecksumMismatch() throws IOException {
        Random random = new Random(SEED);
        byte[] good = golden("welcome.frame");
        for (int i = 0; i < 500; i++) {
            byte[] f = good.clone();
            int flips = 1 + random.nextInt(16);
            boolean changed = false;
            for (int j = 0; j < flips; j++) {
                int at = 4 + random.nextInt(f.length - 4);
                byte before = f[at];
                f[at] = (byte) random.nextInt(256);
                changed |= before != f[at];
            }
            if (!changed || Arrays.equals(f, good)) {
                continue;
            }
            fails(Problem.CHECKSUM_MISMATCH, () -> ReplicationFrameFormat.verify(Arrays.copyOf(f, 8),
                    Arrays.copyOfRange(f, 8, f.length)));
        }
    }

    // ------------------------------------------------------------------ records inside RECORDS

    /** The golden RECORDS frame with one byte changed and the frame CRC recomputed: only a record CRC can tell. */
    private static byte[] recordsWithByte(int frameOffset, int xor) throws IOException {
        byte[] body = body(golden("records.frame"));
        body[frameOffset - 9] ^= (byte) xor;
        return frame(ReplicationFrameFormat.TYPE_RECORDS, body);
    }

    @Test
    void aDamagedRecordPayloadInsideRecordsIsAChecksumMismatch() throws IOException {
        // record 1 (the second) starts at frame offset 81; its payload at 110
        ReplicationProtocolException e = decodeFails(Problem.CHECKSUM_MISMATCH, recordsWithByte(110 + 3, 0x40));
        assertTrue(e.getMessage().contains("record 1 ") && e.getMessage().contains("does not match its checksum"),
                e.getMessage());
        // the record CRC field of record 0 itself
        e = decodeFails(Problem.CHECKSUM_MISMATCH, recordsWithByte(21 + 8, 0x01));
        assertTrue(e.getMessage().contains("record 0 ") && !e.getMessage().contains("header"), e.getMessage());
        // the last payload byte of record 0
        decodeFails(Problem.CHECKSUM_MISMATCH, recordsWithByte(80, 0x80));
    }

    @Test
    void aDamagedRecordHeaderInsideRecordsIsAHeaderChecksumMismatch() throws IOException {
        int[] headerBytes = {21 + 12, 21 + 20, 21 + 28, 81 + 0, 121 + 4, 121 + 28}; // sequence, term, type, length,
        for (int at : headerBytes) {                                                // header crc, type
            ReplicationProtocolException e = decodeFails(Problem.CHECKSUM_MISMATCH, recordsWithByte(at, 0x01));
            assertTrue(e.getMessage().contains("header checksum"), at + ": " + e.getMessage());
        }
        // A damaged length is caught by the header CRC before it is used, even one that points past the frame.
        ReplicationProtocolException e = decodeFails(Problem.CHECKSUM_MISMATCH, recordsWithByte(21 + 3, 0x7f));
        assertTrue(e.getMessage().contains("header checksum"), e.getMessage());
    }

    @Test
    void aRecordWhoseLengthRunsPastTheFrameIsMalformed() {
        byte[] payload = new byte[50];
        byte[] body = body(ReplicationFrameFormat.records(10, List.of(new LogRecord(10, 1, 1, payload))));
        // Cut inside the payload: the header (and its CRC) is whole, the payload is not.
        byte[] cut = Arrays.copyOf(body, 12 + 29 + 10);
        ReplicationProtocolException e = decodeFails(Problem.MALFORMED, frame(ReplicationFrameFormat.TYPE_RECORDS,
                cut));
        assertTrue(e.getMessage().contains("50 bytes"), e.getMessage());
    }

    @Test
    void aRecordCountThatDoesNotFitTheFrameIsMalformed() throws IOException {
        for (int count : new int[]{0, -1, 4, 5, Integer.MAX_VALUE}) {
            byte[] body = body(golden("records.frame"));
            ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putInt(8, count);
            decodeFails(Problem.MALFORMED, frame(ReplicationFrameFormat.TYPE_RECORDS, body));
        }
        // 2 of 3: the third record is left over after the last field
        byte[] body = body(golden("records.frame"));
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        ReplicationProtocolException e = decodeFails(Problem.MALFORMED, frame(ReplicationFrameFormat.TYPE_RECORDS,
                body));
        assertTrue(e.getMessage().contains("after its last field"), e.getMessage());
    }

    @Test
    void aRecordWithAnImpossibleSequenceOrTermIsMalformed() {
        // Valid CRCs, but sequence 0 / a negative term: a peer's bug, not damage.
        decodeFails(Problem.MALFORMED, ReplicationFrameFormat.records(5, List.of(new LogRecord(0, 1, 1, new byte[1]))));
        decodeFails(Problem.MALFORMED, ReplicationFrameFormat.records(5, List.of(new LogRecord(-3, 1, 1,
                new byte[0]))));
        decodeFails(Problem.MALFORMED, ReplicationFrameFormat.records(5, List.of(new LogRecord(1, -1, 1,
                new byte[0]))));
    }

    // ------------------------------------------------------------------ every body: too short, too long

    @Test
    void everyTruncationOfEveryGoldenBodyIsMalformed() throws IOException {
        for (String name : GoldenReplicationFrameTest.FILES) {
            byte[] good = golden(name);
            byte[] body = body(good);
            for (int len = 0; len < body.length; len++) {
                byte[] cut = frame(good[8], Arrays.copyOf(body, len));
                ReplicationProtocolException e = fails(Problem.MALFORMED, () -> decode(cut));
                assertTrue(!e.getMessage().isEmpty(), name + " cut to " + len);
            }
        }
    }

    @Test
    void aByteAfterTheLastFieldOfEveryGoldenBodyIsMalformed() throws IOException {
        for (String name : GoldenReplicationFrameTest.FILES) {
            byte[] good = golden(name);
            byte[] longer = frame(good[8], Arrays.copyOf(body(good), good.length - 9 + 1));
            ReplicationProtocolException e = decodeFails(Problem.MALFORMED, longer);
            assertTrue(e.getMessage().contains("after its last field"), name + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ field rules

    @Test
    void aProofLengthOtherThanZeroOrThirtyTwoIsMalformed() throws IOException {
        for (int m : new int[]{1, 16, 31, 33, 255}) {
            ByteBuffer fetch = le(8 + 1 + m).putLong(7).put((byte) m);
            ReplicationProtocolException e = decodeFails(Problem.MALFORMED, frame(ReplicationFrameFormat.TYPE_FETCH,
                    fetch.array()));
            assertTrue(e.getMessage().contains("proof length " + m), e.getMessage());

            byte[] welcome = body(golden("welcome.frame"));
            byte[] bad = Arrays.copyOf(welcome, 174 + 1 + m);
            bad[174] = (byte) m;
            e = decodeFails(Problem.MALFORMED, frame(ReplicationFrameFormat.TYPE_WELCOME, bad));
            assertTrue(e.getMessage().contains("proof length " + m), e.getMessage());
        }
    }

    @Test
    void aFetchFromSequenceZeroOrBelowIsMalformed() {
        for (long from : new long[]{0, -1, Long.MIN_VALUE}) {
            ByteBuffer b = le(9).putLong(from).put((byte) 0);
            ReplicationProtocolException e = decodeFails(Problem.MALFORMED, frame(ReplicationFrameFormat.TYPE_FETCH,
                    b.array()));
            assertTrue(e.getMessage().contains("sequence " + from), e.getMessage());
        }
    }

    @Test
    void aRejectDetailAboveTheLimitIsMalformed() {
        for (int k : new int[]{1025, 4096, 0xffff}) {
            ByteBuffer b = le(1 + 8 + 2 + k).put((byte) 6).putLong(1).putShort((short) k);
            ReplicationProtocolException e = decodeFails(Problem.MALFORMED, frame(ReplicationFrameFormat.TYPE_REJECT,
                    b.array()));
            assertTrue(e.getMessage().contains("exceeds the limit of 1024"), e.getMessage());
        }
        // exactly the limit is accepted, even when not sent by this build's encoder
        ByteBuffer b = le(1 + 8 + 2 + 1024).put((byte) 6).putLong(1).putShort((short) 1024);
        assertEquals(1024, ((ReplicationFrameFormat.Reject) decode(frame(ReplicationFrameFormat.TYPE_REJECT,
                b.array()))).detail().length());
    }

    /** The golden WELCOME body with one 8-byte field of history entry {@code entry} replaced. */
    private static byte[] welcomeWithEntryField(int entry, int fieldOffset, long value) throws IOException {
        byte[] body = body(golden("welcome.frame"));
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putLong(78 + 32 * entry + fieldOffset, value);
        return frame(ReplicationFrameFormat.TYPE_WELCOME, body);
    }

    @Test
    void aWelcomeWhoseHistoryDoesNotStrictlyIncreaseIsMalformed() throws IOException {
        // history entries start at body offset 78: version 2, primary 16, term 8, first 8, last 8, nonce 32, count 4
        ReplicationProtocolException e = decodeFails(Problem.MALFORMED, welcomeWithEntryField(1, 0, 0));
        assertTrue(e.getMessage().contains("invalid term history"), e.getMessage());
        decodeFails(Problem.MALFORMED, welcomeWithEntryField(2, 0, 3));     // term 7 -> 3, equal to entry 1's
        decodeFails(Problem.MALFORMED, welcomeWithEntryField(2, 8, 101));   // start 4242 -> 101, equal
        decodeFails(Problem.MALFORMED, welcomeWithEntryField(1, 8, 4243));  // start 101 -> 4243, after entry 2's
        decodeFails(Problem.MALFORMED, welcomeWithEntryField(0, 0, -1));    // negative term
        decodeFails(Problem.MALFORMED, welcomeWithEntryField(0, 8, 0));     // start 0
    }

    @Test
    void aWelcomeHistoryCountThatDoesNotFitIsMalformed() throws IOException {
        for (int n : new int[]{-1, 4, 100, TermHistory.MAX_ENTRIES + 1, Integer.MAX_VALUE}) {
            byte[] body = body(golden("welcome.frame"));
            ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putInt(74, n);
            decodeFails(Problem.MALFORMED, frame(ReplicationFrameFormat.TYPE_WELCOME, body));
        }
    }

    @Test
    void theFormatLeavesTheProtocolVersionToTheSessions() throws IOException {
        // A HELLO of version 2 decodes; the primary answers it with REJECT (unsupported version).
        byte[] body = body(golden("hello.frame"));
        body[0] = 2;
        assertEquals(2, ((ReplicationFrameFormat.Hello) decode(frame(ReplicationFrameFormat.TYPE_HELLO, body)))
                .protocolVersion());
    }
}
