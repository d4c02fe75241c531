package io.kintsugi.repair.net;

import io.kintsugi.engine.RangeEntry;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.repair.lineage.GoldenLineageRecordWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The golden repair frames (docs/FORMAT.md 14.5): today's code encodes each byte for byte, decodes each to the
 * same fields, the headers and CRCs match literals recomputed here independently, and every bit flip after the
 * length field is a checksum mismatch.
 */
class GoldenRepairFrameTest {

    static byte[] golden(String name) throws IOException {
        try (InputStream in = GoldenRepairFrameTest.class.getClassLoader()
                .getResourceAsStream(GoldenRepairFrames.DIR + name)) {
            assertNotNull(in, "missing golden file " + name);
            return in.readAllBytes();
        }
    }

    static RepairFrameFormat.Frame verified(byte[] frame) {
        return RepairFrameFormat.verify(Arrays.copyOf(frame, 8), Arrays.copyOfRange(frame, 8, frame.length),
                "golden", 0);
    }

    /** Masking as FORMAT.md section 2 defines it, written out again so that the test does not trust Crc32c. */
    static int maskedCrc(byte[] b, int from) {
        CRC32C c = new CRC32C();
        c.update(b, from, b.length - from);
        int crc = (int) c.getValue();
        return Integer.rotateRight(crc, 15) + 0xA282EAD8;
    }

    @Test
    void todaysCodeWritesTheGoldenBytes() throws IOException {
        for (Map.Entry<String, byte[]> e : GoldenRepairFrames.frames().entrySet()) {
            assertArrayEquals(golden(e.getKey()), e.getValue(), e.getKey());
        }
    }

    @Test
    void headersAndChecksumsAreTheDocumentedLiterals() throws IOException {
        Map<String, String> headers = Map.ofEntries(
                Map.entry("hello.frame", "23000000e2383cfe01"),
                Map.entry("welcome.frame", "440000002a87365802"),
                Map.entry("request.frame", "2b0000006bc4118d03"),
                Map.entry("digest.frame", "41000000c531231604"),
                Map.entry("digest-open-end.frame", "480000001cc4101b04"),
                Map.entry("no-digest.frame", "02000000ae6aa0ce04"),
                Map.entry("chunk.frame", "27000000baa8299d05"),
                Map.entry("end.frame", "2d0000004b9f04a806"),
                Map.entry("error.frame", "220000005ce94bf807"),
                Map.entry("request-pull.frame", "2b0000001429328a03"),
                Map.entry("pull.frame", "9000000079fb2e9708"),
                Map.entry("pulled.frame", "2a000000105aee4109"),
                Map.entry("request-lineage.frame", "2b000000d60dbba103"),
                Map.entry("lineage-query.frame", "4c0000009ecdad0e0a"),
                Map.entry("lineage-query-open.frame", "200000000d941a200a"),
                Map.entry("lineage-records.frame", "c7000000f131c6860b"),
                Map.entry("lineage-records-empty.frame", "05000000257b243d0b"),
                Map.entry("request-plans.frame", "2b00000029b09c9403"),
                Map.entry("plans.frame", "b4000000211161680c"),
                Map.entry("plans-empty.frame", "07000000be8c61480c"),
                Map.entry("request-decide.frame", "2b00000050d11eab03"),
                Map.entry("decision-approve.frame", "3600000092d122e70d"),
                Map.entry("decision-reject.frame", "1d000000581f04c20d"),
                Map.entry("decided.frame", "57000000ad0da5390e"),
                Map.entry("decided-rejected.frame", "73000000aa6889d30e"),
                Map.entry("error-no-such-plan.frame", "230000008312474307"));
        for (Map.Entry<String, String> e : headers.entrySet()) {
            byte[] frame = golden(e.getKey());
            assertEquals(e.getValue(), HexFormat.of().formatHex(frame, 0, 9), e.getKey());
            ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(frame.length - 8, b.getInt(0), e.getKey() + " length");
            assertEquals(maskedCrc(frame, 8), b.getInt(4), e.getKey() + " crc");
        }
        assertEquals("0302941000000000000020c0c1", HexFormat.of().formatHex(golden("request.frame"), 8, 21));
        assertEquals("0300000002000000" + "6b31" + "01000000" + "76",
                HexFormat.of().formatHex(golden("chunk.frame"), 9, 24));
    }

    @Test
    void goldenFramesDecodeToTheirFields() throws IOException {
        HandshakeFrames.Hello hello = HandshakeFrames.decodeHello(verified(golden("hello.frame")).body());
        assertEquals(1, hello.protocolVersion());
        assertArrayEquals(GoldenRepairFrames.run(0), hello.nonce());

        HandshakeFrames.Welcome w = HandshakeFrames.decodeWelcome(verified(golden("welcome.frame")).body());
        assertEquals(1, w.protocolVersion());
        assertArrayEquals(GoldenRepairFrames.run(0x20), w.nonce());
        assertArrayEquals(GoldenRepairFrames.run(0xa0), w.proof());
        assertArrayEquals(Arrays.copyOfRange(golden("welcome.frame"), 9, 43), w.signedBody());

        HandshakeFrames.Request r = HandshakeFrames.decodeRequest(verified(golden("request.frame")).body());
        assertEquals(RepairFrameFormat.KIND_STREAM_RANGE, r.kind());
        assertEquals(4244, r.sequence());
        assertArrayEquals(GoldenRepairFrames.run(0xc0), r.proof());

        assertEquals(GoldenRepairFrames.closedDigest(),
                DigestFrames.decodeDigest(verified(golden("digest.frame")).body()));
        RangeDigest open = DigestFrames.decodeDigest(verified(golden("digest-open-end.frame")).body());
        assertEquals(GoldenRepairFrames.openDigest(), open);
        assertNull(open.to());
        assertEquals(RangeDigest.Status.DAMAGED, open.status());
        assertNull(DigestFrames.decodeDigest(verified(golden("no-digest.frame")).body()));

        List<RangeEntry> pairs = ChunkFrames.decodeChunk(verified(golden("chunk.frame")).body());
        assertEquals(GoldenRepairFrames.PAIRS, pairs);

        ChunkFrames.End end = ChunkFrames.decodeEnd(verified(golden("end.frame")).body());
        assertEquals(new ChunkFrames.End(4244, 3, 10, GoldenRepairFrames.pairsHash(), 1), end);
        // The range hash of the three pairs (FORMAT.md 12.2), high half first; pinned so a hashing change shows.
        assertEquals("0b0f650665595cd8b9d2c746c56e6495", end.hash().toString());

        ErrorFrames.Error error = ErrorFrames.decodeError(verified(golden("error.frame")).body());
        assertEquals(RepairFrameFormat.REASON_NOT_HELD, error.reason());
        assertEquals("no range held at sequence 4244", error.detail());

        HandshakeFrames.Request pr = HandshakeFrames.decodeRequest(verified(golden("request-pull.frame")).body());
        assertEquals(RepairFrameFormat.KIND_PULL, pr.kind());
        assertEquals(4244, pr.sequence());
        PullFrames.Pull pull = PullFrames.decodePull(verified(golden("pull.frame")).body());
        assertEquals(GoldenRepairFrames.pullOrder(), pull.order());
        assertArrayEquals(GoldenRepairFrames.run(0xe0), pull.proof());
        assertArrayEquals(PullFrames.pullSignedBody(GoldenRepairFrames.pullOrder()), pull.signedBody());
        byte[] pullFrame = golden("pull.frame");
        // e = 14, "127.0.0.1:7001", r = 9, "replica-b", i = 16, the repair id, then the digest's length (u32 LE).
        assertEquals("0e3132372e302e302e313a37303031" + "097265706c6963612d62" + "10", HexFormat.of()
                .formatHex(pullFrame, 9, 35));
        assertEquals(new PullOutcome(4244, 3, 10, 47, 4096, false),
                PullFrames.decodePulled(verified(golden("pulled.frame")).body()));

        HandshakeFrames.Request lr = HandshakeFrames.decodeRequest(
                verified(golden("request-lineage.frame")).body());
        assertEquals(RepairFrameFormat.KIND_LINEAGE, lr.kind());
        assertEquals(0, lr.sequence());
        LineageFrames.LineageQuery q = LineageFrames.decodeLineageQuery(
                verified(golden("lineage-query.frame")).body());
        assertEquals(GoldenRepairFrames.lineageRequest(), q.request());
        assertArrayEquals(GoldenRepairFrames.run(0xe0), q.proof());
        assertArrayEquals(LineageFrames.lineageQuerySignedBody(GoldenRepairFrames.lineageRequest()),
                q.signedBody());
        // r = 9, "replica-b", n = 6, "orders", flags 3, from (u32 2, "k1"), to (u32 2, "k9"), since seconds
        // 1772366400 and nanoseconds 500000000 (LE), proof length 32.
        assertEquals("09" + "7265706c6963612d62" + "06" + "6f7264657273" + "03" + "02000000" + "6b31" + "02000000"
                + "6b39" + "402aa46900000000" + "0065cd1d" + "20",
                HexFormat.of().formatHex(golden("lineage-query.frame"), 9, 9 + 1 + 9 + 1 + 6 + 1 + 6 + 6 + 8 + 4 + 1));
        LineageFrames.LineageQuery openQuery = LineageFrames.decodeLineageQuery(
                verified(golden("lineage-query-open.frame")).body());
        assertEquals(GoldenRepairFrames.openLineageRequest(), openQuery.request());
        assertNull(openQuery.request().from());
        assertNull(openQuery.request().to());
        assertEquals(0, openQuery.proof().length);
        assertEquals(GoldenRepairFrames.lineageAnswer(), LineageFrames.decodeLineageRecords(
                verified(golden("lineage-records.frame")).body()));
        // The first record's payload is FORMAT.md 15's range.record, byte for byte.
        byte[] records = golden("lineage-records.frame");
        byte[] first = io.kintsugi.repair.lineage.LineageRecordFormat.encode(GoldenLineageRecordWriter.RANGE);
        assertEquals("02000000" + HexFormat.of().formatHex(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(first.length).array()), HexFormat.of().formatHex(records, 9, 17));
        assertArrayEquals(first, Arrays.copyOfRange(records, 17, 17 + first.length));
        assertEquals(List.of(), LineageFrames.decodeLineageRecords(
                verified(golden("lineage-records-empty.frame")).body()));
    }

    @Test
    void goldenApprovalFramesDecodeToTheirFields() throws IOException {
        HandshakeFrames.Request plansRequest = HandshakeFrames.decodeRequest(
                verified(golden("request-plans.frame")).body());
        assertEquals(RepairFrameFormat.KIND_PLANS, plansRequest.kind());
        assertEquals(0, plansRequest.sequence());
        PlanListing listing = PlanFrameFormat.decodePlans(verified(golden("plans.frame")).body());
        assertEquals(GoldenRepairFrames.planListing(), listing);
        assertEquals("[key#000010e7/2B .. key#000010ef/2B)", listing.plans().get(0).range());
        assertEquals("[start .. end)", listing.plans().get(1).range());
        // waiting 2, listed 2, then the first plan: id 16 "00112233aabbccdd", namespace 6 "orders", flags 3, from
        // (length 2, hash 0x10e7 = Arrays.hashCode("k1")), to (length 2, hash 0x10ef).
        assertEquals("02000000" + "0200" + "10" + "30303131323233336161626263636464" + "06" + "6f7264657273" + "03"
                + "02000000" + "e7100000" + "02000000" + "ef100000", HexFormat.of().formatHex(golden("plans.frame"),
                9, 9 + 4 + 2 + 17 + 7 + 1 + 16));
        assertEquals(new PlanListing(0, List.of()),
                PlanFrameFormat.decodePlans(verified(golden("plans-empty.frame")).body()));

        HandshakeFrames.Request decide = HandshakeFrames.decodeRequest(
                verified(golden("request-decide.frame")).body());
        assertEquals(RepairFrameFormat.KIND_DECIDE, decide.kind());
        PlanFrameFormat.Decision approve = PlanFrameFormat.decodeDecision(
                verified(golden("decision-approve.frame")).body());
        assertEquals(RepairFrameFormat.DECISION_APPROVE, approve.decision());
        assertEquals("00112233aabbccdd", approve.repairId());
        assertEquals("", approve.why());
        assertArrayEquals(GoldenRepairFrames.run(0xe0), approve.proof());
        assertArrayEquals(PlanFrameFormat.decisionSignedBody(RepairFrameFormat.DECISION_APPROVE, "00112233aabbccdd",
                ""), approve.signedBody());
        PlanFrameFormat.Decision reject = PlanFrameFormat.decodeDecision(
                verified(golden("decision-reject.frame")).body());
        assertEquals(RepairFrameFormat.DECISION_REJECT, reject.decision());
        assertEquals("44556677eeff0011", reject.repairId());
        assertEquals("not now", reject.why());
        assertEquals(0, reject.proof().length);
        assertEquals("02" + "10" + "34343535363637376565666630303131" + "0700" + "6e6f74206e6f77" + "00",
                HexFormat.of().formatHex(golden("decision-reject.frame"), 9, 37));

        assertEquals(GoldenRepairFrames.repaired(),
                PlanFrameFormat.decodeDecided(verified(golden("decided.frame")).body()));
        PlanDecision rejected = PlanFrameFormat.decodeDecided(verified(golden("decided-rejected.frame")).body());
        assertEquals(GoldenRepairFrames.rejected(), rejected);
        assertEquals(-1, rejected.proofSequence());
        ErrorFrames.Error noPlan = ErrorFrames.decodeError(
                verified(golden("error-no-such-plan.frame")).body());
        assertEquals(RepairFrameFormat.REASON_NO_SUCH_PLAN, noPlan.reason());
        assertEquals("no plan 0123 waits for approval", noPlan.detail());
    }

    @Test
    void everyBitFlipAfterTheLengthIsAChecksumMismatch() throws IOException {
        for (String name : GoldenRepairFrames.frames().keySet()) {
            byte[] frame = golden(name);
            for (int bit = 32; bit < frame.length * 8; bit++) {
                byte[] flipped = frame.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                CorruptionException e = assertThrows(CorruptionException.class, () -> verified(flipped),
                        name + " bit " + bit);
                assertEquals(CorruptionKind.CHECKSUM_MISMATCH, e.report().kind());
                assertEquals(0, e.report().offset());
                assertEquals(frame.length, e.report().length());
            }
        }
    }
}
