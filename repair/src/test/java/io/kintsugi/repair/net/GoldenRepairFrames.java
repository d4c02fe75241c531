package io.kintsugi.repair.net;

import io.kintsugi.engine.RangeEntry;
import io.kintsugi.repair.lineage.GoldenLineageRecordWriter;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.scan.RangeHasher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden repair frames of protocol version 1 (docs/FORMAT.md 14.5): fixed nonces and proofs (byte runs, not
 * random values or real HMACs), a three-pair range of namespace {@code orders} at sequence 4244 with its real range
 * hash. {@link #main} writes them to {@code repair/src/test/resources/golden/repair-frames-v1/}; only a deliberate
 * format change does that.
 */
final class GoldenRepairFrames {

    static final String DIR = "golden/repair-frames-v1/";
    static final long SEQUENCE = 4244;
    static final List<RangeEntry> PAIRS = List.of(
            new RangeEntry(ascii("k1"), ascii("v")),
            new RangeEntry(ascii("k2"), new byte[0]),
            new RangeEntry(ascii("k3"), ascii("abc")));

    private GoldenRepairFrames() {
    }

    static byte[] run(int from) {
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Hash128 pairsHash() {
        RangeHasher h = new RangeHasher();
        PAIRS.forEach(e -> h.add(e.key(), e.value()));
        return h.hash();
    }

    static RangeDigest closedDigest() {
        return new RangeDigest("orders", ascii("k1"), ascii("k9"), SEQUENCE, 3, 10, pairsHash(),
                RangeDigest.Status.OK, "");
    }

    static RangeDigest openDigest() {
        return new RangeDigest("orders", new byte[0], null, SEQUENCE, 3, 10, pairsHash(),
                RangeDigest.Status.DAMAGED, "block 7 damaged");
    }

    static PullOrder pullOrder() {
        return new PullOrder("127.0.0.1:7001", "replica-b", "00112233aabbccdd", closedDigest());
    }

    /** A lineage question with both bounds and a time with nanoseconds. */
    static LineageRequest lineageRequest() {
        return new LineageRequest("replica-b", "orders", ascii("k1"), ascii("k9"),
                Instant.parse("2026-03-01T12:00:00.5Z"));
    }

    /** A lineage question over the whole namespace, since the epoch (the strictest). */
    static LineageRequest openLineageRequest() {
        return new LineageRequest("replica-b", "orders", null, null, Instant.EPOCH);
    }

    /** An answer of two records: the golden lineage records of FORMAT.md 15 (a range copy, a whole-replica copy). */
    static List<LineageRecord> lineageAnswer() {
        return List.of(GoldenLineageRecordWriter.RANGE, GoldenLineageRecordWriter.WHOLE);
    }

    /** Two waiting plans: one over {@code [k1, k9)} of {@code orders}, one over the whole of {@code customers}. */
    static PlanListing planListing() {
        return new PlanListing(2, List.of(
                new PendingPlan("00112233aabbccdd", "orders", KeyFingerprint.of(ascii("k1")),
                        KeyFingerprint.of(ascii("k9")), "replica-c", "replica-b", SEQUENCE, 3, 34,
                        java.time.Duration.ofMillis(12_500)),
                new PendingPlan("44556677eeff0011", "customers", null, null, "replica-c", "replica-a", 4300, 0, 0,
                        java.time.Duration.ZERO)));
    }

    /** The approved first plan of {@link #planListing()}, repaired and proven at 4251. */
    static PlanDecision repaired() {
        return new PlanDecision("00112233aabbccdd", PlanDecision.Outcome.REPAIRED, "replica-c", "replica-b", SEQUENCE,
                4251, 3, 10, 47, "proven");
    }

    /** The rejected second plan of {@link #planListing()}. */
    static PlanDecision rejected() {
        return new PlanDecision("44556677eeff0011", PlanDecision.Outcome.REJECTED, "replica-c", "replica-a", 4300,
                -1, 0, 0, 0, "rejected, nothing changed: not now");
    }

    /** @return every golden frame by file name, in the order of FORMAT.md 14.5 */
    static Map<String, byte[]> frames() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("hello.frame", HandshakeFrames.hello(run(0x00)));
        m.put("welcome.frame", HandshakeFrames.welcome(HandshakeFrames.welcomeSignedBody(run(0x20)),
                run(0xa0)));
        m.put("request.frame", HandshakeFrames.request(RepairFrameFormat.KIND_STREAM_RANGE, SEQUENCE, run(0xc0)));
        m.put("digest.frame", DigestFrames.digest(closedDigest()));
        m.put("digest-open-end.frame", DigestFrames.digest(openDigest()));
        m.put("no-digest.frame", DigestFrames.noDigest());
        m.put("chunk.frame", ChunkFrames.chunk(PAIRS));
        m.put("end.frame", ChunkFrames.end(new ChunkFrames.End(SEQUENCE, 3, 10, pairsHash(), 1)));
        m.put("error.frame", ErrorFrames.error(RepairFrameFormat.REASON_NOT_HELD,
                "no range held at sequence 4244"));
        m.put("request-pull.frame", HandshakeFrames.request(RepairFrameFormat.KIND_PULL, SEQUENCE, run(0xc0)));
        m.put("pull.frame", PullFrames.pull(PullFrames.pullSignedBody(pullOrder()), run(0xe0)));
        m.put("pulled.frame", PullFrames.pulled(new PullOutcome(SEQUENCE, 3, 10, 47, 4096, false)));
        m.put("request-lineage.frame", HandshakeFrames.request(RepairFrameFormat.KIND_LINEAGE, 0, run(0xc0)));
        m.put("lineage-query.frame", LineageFrames.lineageQuery(
                LineageFrames.lineageQuerySignedBody(lineageRequest()), run(0xe0)));
        m.put("lineage-query-open.frame", LineageFrames.lineageQuery(
                LineageFrames.lineageQuerySignedBody(openLineageRequest()), new byte[0]));
        m.put("lineage-records.frame", LineageFrames.lineageRecords(lineageAnswer()));
        m.put("lineage-records-empty.frame", LineageFrames.lineageRecords(List.of()));
        m.put("request-plans.frame", HandshakeFrames.request(RepairFrameFormat.KIND_PLANS, 0, run(0xc0)));
        m.put("plans.frame", PlanFrameFormat.plans(planListing()));
        m.put("plans-empty.frame", PlanFrameFormat.plans(new PlanListing(0, List.of())));
        m.put("request-decide.frame", HandshakeFrames.request(RepairFrameFormat.KIND_DECIDE, 0, run(0xc0)));
        m.put("decision-approve.frame", PlanFrameFormat.decision(PlanFrameFormat.decisionSignedBody(
                RepairFrameFormat.DECISION_APPROVE, "00112233aabbccdd", ""), run(0xe0)));
        m.put("decision-reject.frame", PlanFrameFormat.decision(PlanFrameFormat.decisionSignedBody(
                RepairFrameFormat.DECISION_REJECT, "44556677eeff0011", "not now"), new byte[0]));
        m.put("decided.frame", PlanFrameFormat.decided(repaired()));
        m.put("decided-rejected.frame", PlanFrameFormat.decided(rejected()));
        m.put("error-no-such-plan.frame", ErrorFrames.error(RepairFrameFormat.REASON_NO_SUCH_PLAN,
                "no plan 0123 waits for approval"));
        return m;
    }

    /**
     * Writes the golden frames.
     *
     * @param args the resources directory, default {@code repair/src/test/resources}
     * @throws IOException if a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "repair/src/test/resources").resolve(DIR);
        Files.createDirectories(root);
        for (Map.Entry<String, byte[]> e : frames().entrySet()) {
            Files.write(root.resolve(e.getKey()), e.getValue());
        }
    }
}
