package io.kintsugi.engine.format;

import io.kintsugi.engine.format.ReplicationFrameFormat.Frame;
import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.LogRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reads the checked-in golden replication frames ({@code src/test/resources/golden/replication-frames-v1}, written by
 * {@link GoldenReplicationFrameWriter}) so that any change to the protocol's bytes fails here. A deliberate change
 * bumps {@link ReplicationFrameFormat#PROTOCOL_VERSION}, adds a new golden directory and updates
 * {@code docs/FORMAT.md} section 10.
 *
 * <p>Expected values are literals, and the checksums are recomputed with an independent CRC32C masking, so that a
 * change to the format class's constants cannot make these checks pass by accident.
 */
class GoldenReplicationFrameTest {

    static final String GOLDEN = "/golden/replication-frames-v1/";
    static final List<String> FILES = List.of("hello.frame", "welcome.frame", "fetch.frame", "records.frame",
            "heartbeat.frame", "ack.frame", "reject.frame");

    private static final UUID PRIMARY = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");
    private static final UUID FOLLOWER = UUID.fromString("76543210-fedc-ba98-8000-00000000f011");
    private static final UUID OTHER = UUID.fromString("fedcba98-7654-3210-8000-0000000000b2");
    private static final String PRIMARY_HEX = "efcdab8967452301" + "dec0000000000080";
    private static final String FOLLOWER_HEX = "98badcfe10325476" + "11f0000000000080";

    // ---------------------------------------------------------------- the files

    @Test
    void theGoldenDirectoryHoldsExactlyOneFilePerFrameType() throws Exception {
        Path dir = Paths.get(GoldenReplicationFrameTest.class.getResource(GOLDEN + "ack.frame").toURI()).getParent();
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(FILES.stream().sorted().toList(), s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList());
        }
        assertEquals(FILES, List.copyOf(GoldenReplicationFrameWriter.frames().keySet()));
    }

    @Test
    void currentCodeEncodesExactlyTheGoldenBytes() throws IOException {
        for (Map.Entry<String, byte[]> e : GoldenReplicationFrameWriter.frames().entrySet()) {
            assertArrayEquals(golden(e.getKey()), e.getValue(), e.getKey() + " is no longer encoded as the golden "
                    + "file: a protocol change needs a version bump, new golden files and docs/FORMAT.md section 10");
        }
    }

    @Test
    void everyGoldenFrameHasTheDocumentedHeader() throws IOException {
        int[] types = {1, 2, 3, 4, 5, 6, 7};
        int[] lengths = {67, 216, 50, 150, 25, 17, 44};
        for (int i = 0; i < FILES.size(); i++) {
            byte[] f = golden(FILES.get(i));
            ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(lengths[i], f.length, FILES.get(i));
            assertEquals(f.length - 8, b.getInt(0), FILES.get(i) + ": the length counts type and body");
            assertEquals(maskedCrc(f, 8, f.length), b.getInt(4), FILES.get(i) + ": the CRC covers type and body");
            assertEquals(types[i], f[8], FILES.get(i));
        }
    }

    // ---------------------------------------------------------------- each frame, decoded and laid out

    @Test
    void hello() throws IOException {
        byte[] f = golden("hello.frame");
        assertEquals("3b000000" + "d0b0d787" + "01" + "0100" + FOLLOWER_HEX + "0600000000000000"
                + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", hex(f));
        ReplicationFrameFormat.Hello h = ReplicationFrameFormat.decodeHello(read(f).body());
        assertEquals(1, h.protocolVersion());
        assertEquals(FOLLOWER, h.follower());
        assertEquals(6, h.followerTerm());
        assertArrayEquals(counting(0x00), h.nonce());
    }

    @Test
    void welcome() throws IOException {
        byte[] f = golden("welcome.frame");
        String history = "03000000"
                + "0000000000000000" + "0100000000000000" + PRIMARY_HEX
                + "0300000000000000" + "6500000000000000" + "1032547698badcfe" + "b200000000000080"
                + "0700000000000000" + "9210000000000000" + PRIMARY_HEX;
        String signed = "0100" + PRIMARY_HEX + "0700000000000000" + "0100000000000000" + "9410000000000000"
                + hex(counting(0x20)) + history;
        assertEquals("d0000000" + "644a4a32" + "02" + signed + "20" + hex(counting(0xa0)), hex(f));
        ReplicationFrameFormat.Welcome w = ReplicationFrameFormat.decodeWelcome(read(f).body());
        assertEquals(1, w.protocolVersion());
        assertEquals(PRIMARY, w.primary());
        assertEquals(7, w.term());
        assertEquals(1, w.firstSequence());
        assertEquals(4244, w.lastSequence());
        assertArrayEquals(counting(0x20), w.nonce());
        assertEquals(TermHistory.of(List.of(new TermHistory.Entry(0, 1, PRIMARY), new TermHistory.Entry(3, 101, OTHER),
                new TermHistory.Entry(7, 4242, PRIMARY))), w.history());
        assertArrayEquals(counting(0xa0), w.proof());
        // The proof signs the body from the protocol version through the last history entry: frame bytes [9, 183).
        assertEquals(signed, hex(w.signedBody()));
        assertArrayEquals(Arrays.copyOfRange(f, 9, 183), w.signedBody());
    }

    @Test
    void fetch() throws IOException {
        byte[] f = golden("fetch.frame");
        assertEquals("2a000000" + "4ad01c88" + "03" + "9310000000000000" + "20" + hex(counting(0xc0)), hex(f));
        ReplicationFrameFormat.Fetch fetch = ReplicationFrameFormat.decodeFetch(read(f).body());
        assertEquals(4243, fetch.fromSequence());
        assertArrayEquals(counting(0xc0), fetch.proof());
    }

    @Test
    void records() throws IOException {
        byte[] f = golden("records.frame");
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("8e000000" + "c36a010b" + "04" + "9510000000000000" + "03000000", hex(f, 0, 21));
        byte[] batch = HexFormat.of().parseHex("02000000010100000002000000" + "6b3101000000760202000000020000006b31");
        byte[] namespace = HexFormat.of().parseHex("07000000066f7264657273");
        // Records at frame offsets 21, 81 and 121, each exactly as in an oplog segment.
        assertEquals("1f000000" + "f6f13042" + "d4aade44" + "9310000000000000" + "0700000000000000" + "01"
                + hex(batch), hex(f, 21, 81));
        assertEquals("0b000000" + "dfc6d98e" + "60a14d29" + "9410000000000000" + "0700000000000000" + "02"
                + hex(namespace), hex(f, 81, 121));
        assertEquals("00000000" + "b0f09c63" + "b0f09c63" + "9510000000000000" + "0700000000000000" + "ff",
                hex(f, 121, 150));
        for (int[] r : new int[][]{{21, 81}, {81, 121}, {121, 150}}) {
            assertEquals(recordCrc(f, r[0], r[0] + 29), b.getInt(r[0] + 4), "header crc of the record at " + r[0]);
            assertEquals(recordCrc(f, r[0], r[1]), b.getInt(r[0] + 8), "record crc of the record at " + r[0]);
        }
        ReplicationFrameFormat.Records rs = ReplicationFrameFormat.decodeRecords(read(f).body());
        assertEquals(4245, rs.primaryLastSequence());
        assertEquals(List.of(new LogRecord(4243, 7, 1, batch), new LogRecord(4244, 7, 2, namespace),
                new LogRecord(4245, 7, 255, new byte[0])), rs.records());
    }

    @Test
    void heartbeat() throws IOException {
        byte[] f = golden("heartbeat.frame");
        assertEquals("11000000" + "44d03a51" + "05" + "9510000000000000" + "0700000000000000", hex(f));
        ReplicationFrameFormat.Heartbeat h = ReplicationFrameFormat.decodeHeartbeat(read(f).body());
        assertEquals(4245, h.primaryLastSequence());
        assertEquals(7, h.term());
    }

    @Test
    void ack() throws IOException {
        byte[] f = golden("ack.frame");
        assertEquals("09000000" + "45841e78" + "06" + "9510000000000000", hex(f));
        assertEquals(4245, ReplicationFrameFormat.decodeAck(read(f).body()));
    }

    @Test
    void reject() throws IOException {
        byte[] f = golden("reject.frame");
        String detail = "term 7 < 9 \u2014 step down";
        assertEquals(22, detail.length());
        assertEquals("24000000" + "158b6756" + "07" + "02" + "0900000000000000" + "1800"
                + hex(detail.getBytes(StandardCharsets.UTF_8)), hex(f));
        assertEquals("e28094", hex(f, 31, 34), "the dash is three bytes of UTF-8");
        ReplicationFrameFormat.Reject r = ReplicationFrameFormat.decodeReject(read(f).body());
        assertEquals(2, r.reason());
        assertEquals(ReplicationFrameFormat.REASON_STALE_TERM, r.reason());
        assertEquals(9, r.term());
        assertEquals(detail, r.detail());
    }

    @Test
    void theProtocolConstantsAreAsDocumented() {
        assertEquals(1, ReplicationFrameFormat.PROTOCOL_VERSION);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), List.of(ReplicationFrameFormat.TYPE_HELLO,
                ReplicationFrameFormat.TYPE_WELCOME, ReplicationFrameFormat.TYPE_FETCH,
                ReplicationFrameFormat.TYPE_RECORDS, ReplicationFrameFormat.TYPE_HEARTBEAT,
                ReplicationFrameFormat.TYPE_ACK, ReplicationFrameFormat.TYPE_REJECT));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), List.of(ReplicationFrameFormat.REASON_NOT_PRIMARY,
                ReplicationFrameFormat.REASON_STALE_TERM, ReplicationFrameFormat.REASON_AUTHENTICATION_FAILED,
                ReplicationFrameFormat.REASON_UNSUPPORTED_VERSION, ReplicationFrameFormat.REASON_NOT_RETAINED,
                ReplicationFrameFormat.REASON_PROTOCOL_ERROR, ReplicationFrameFormat.REASON_SHUTTING_DOWN));
        assertEquals(8, ReplicationFrameFormat.HEADER_LENGTH);
        assertEquals(32, ReplicationFrameFormat.NONCE_LENGTH);
        assertEquals(1024, ReplicationFrameFormat.MAX_DETAIL_BYTES);
    }

    // ---------------------------------------------------------------- helpers, shared with ReplicationFrameFormatTest

    /** Reads a whole frame as a receiver does: the length against a generous limit, then the CRC. */
    static Frame read(byte[] frame) {
        return read(frame, Integer.MAX_VALUE - 16);
    }

    /** Reads a whole frame as a receiver with the given frame limit does. */
    static Frame read(byte[] frame, int maxFrame) {
        byte[] header = Arrays.copyOfRange(frame, 0, 8);
        int n = ReplicationFrameFormat.frameLength(header, maxFrame);
        assertEquals(frame.length - 8, n, "the test frame's length field");
        return ReplicationFrameFormat.verify(header, Arrays.copyOfRange(frame, 8, frame.length));
    }

    static byte[] golden(String name) throws IOException {
        try (InputStream in = GoldenReplicationFrameTest.class.getResourceAsStream(GOLDEN + name)) {
            if (in == null) {
                throw new IOException("golden file " + GOLDEN + name + " is missing from the test resources");
            }
            return in.readAllBytes();
        }
    }

    static int maskedCrc(byte[] b, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(b, from, to - from);
        return mask(crc);
    }

    /** The CRC of record bytes [start, start + 4) and [start + 12, end): the record without its two CRC fields. */
    static int recordCrc(byte[] b, int start, int end) {
        CRC32C crc = new CRC32C();
        crc.update(b, start, 4);
        crc.update(b, start + 12, end - start - 12);
        return mask(crc);
    }

    private static int mask(CRC32C crc) {
        return Integer.rotateRight((int) crc.getValue(), 15) + 0xa282ead8;
    }

    private static byte[] counting(int first) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static String hex(byte[] b, int from, int to) {
        return HexFormat.of().formatHex(b, from, to);
    }
}
