package io.kintsugi.repair.net;

import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.repair.lineage.GoldenLineageRecordWriter;
import io.kintsugi.repair.lineage.LineageKind;
import io.kintsugi.repair.lineage.LineageLog;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lineage over the wire (a LINEAGE request): a replica's lineage log answers a coordinator in another process
 * exactly as it answers one in its own; the question is signed; a server without a log, or whose log cannot be read,
 * refuses with the reason, so that the replica is not trusted as a source.
 */
class LineageProtocolTest {

    private static final byte[] SECRET = "lineage-test-secret-0123456789".getBytes(StandardCharsets.US_ASCII);

    private static final RangeSource NOTHING = new RangeSource() {
        @Override
        public Optional<RangeDigest> digestAt(long sequence) {
            return Optional.empty();
        }

        @Override
        public RangeStream openRange(long sequence) {
            throw new RangeUnavailableException(sequence, "nothing held");
        }
    };

    private static final PullHandler NO_PULLS = o -> {
        throw new IllegalStateException("no pulls in this test");
    };

    @TempDir
    Path dir;

    private static RepairClient client(byte[] secret) {
        return new RepairClient(RepairClientOptions.builder().secret(secret).build());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static LineageRecord copy(String source, String ns, String from, String to, Instant t, String repair) {
        return new LineageRecord(t, LineageKind.RANGE_COPY, "replica-a", source, ns, from == null ? null : b(from),
                to == null ? null : b(to), 42, 3, 30, new Hash128(1, 2), repair);
    }

    @Test
    void aRealLineageLogAnswersOverTheWireAsItDoesInProcess() {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        try (Store store = Store.open(dir.resolve("store"));
             LineageLog log = LineageLog.open(store.directory())) {
            log.append(copy("replica-b", "orders", "k10", "k20", t0, "r1"));
            log.append(copy("replica-c", "orders", "k10", "k20", t0.plusSeconds(10), "r2"));
            log.append(copy("replica-b", "orders", "k30", "k40", t0.plusSeconds(20), "r3"));
            log.append(copy("replica-b", "users", null, null, t0.plusSeconds(30), "r4"));
            log.append(copy("replica-b", "orders", "k15", null, t0.plusSeconds(40), "r5"));
            try (RepairServer server = RepairServer.start(NOTHING, NO_PULLS, q -> log.copiedFrom(q.sourceReplica(),
                    q.namespace(), q.from(), q.to(), q.since()), RepairServerOptions.builder().secret(SECRET)
                    .build())) {
                RepairClient client = client(SECRET);
                List<LineageRequest> questions = List.of(
                        new LineageRequest("replica-b", "orders", b("k12"), b("k18"), Instant.EPOCH),
                        new LineageRequest("replica-b", "orders", b("k12"), b("k18"), t0.plusSeconds(1)),
                        new LineageRequest("replica-b", "orders", null, null, Instant.EPOCH),
                        new LineageRequest("replica-c", "orders", b("k00"), b("k11"), Instant.EPOCH),
                        new LineageRequest("replica-d", "orders", null, null, Instant.EPOCH),
                        new LineageRequest("replica-b", "users", b("a"), b("b"), t0.plusSeconds(30)),
                        new LineageRequest("replica-b", "orders", b("k00"), b("k05"), Instant.EPOCH));
                for (LineageRequest q : questions) {
                    List<LineageRecord> local = log.copiedFrom(q.sourceReplica(), q.namespace(), q.from(), q.to(),
                            q.since());
                    assertEquals(local, client.lineage(server.endpoint(), q), q.toString());
                }
                // Spot-check the in-process answers the comparison relies on.
                assertEquals(List.of("r1", "r5"), client.lineage(server.endpoint(), questions.get(0)).stream()
                        .map(LineageRecord::repairId).toList());
                assertEquals(List.of("r5"), client.lineage(server.endpoint(), questions.get(1)).stream()
                        .map(LineageRecord::repairId).toList());
                assertEquals(List.of(), client.lineage(server.endpoint(), questions.get(4)));
                assertEquals(List.of(), client.lineage(server.endpoint(), questions.get(6)));
            }
        }
    }

    @Test
    void theQuestionArrivesIntactAndEveryRecordKindComesBack() {
        AtomicReference<LineageRequest> seen = new AtomicReference<>();
        List<LineageRecord> answer = List.of(GoldenLineageRecordWriter.RANGE, GoldenLineageRecordWriter.OPEN_RANGE,
                GoldenLineageRecordWriter.WHOLE);
        try (RepairServer server = RepairServer.start(NOTHING, NO_PULLS, q -> {
            seen.set(q);
            return answer;
        }, RepairServerOptions.builder().build())) {
            LineageRequest q = new LineageRequest("replica-ü", "orders", new byte[0], new byte[] {(byte) 0xff, 0},
                    Instant.ofEpochSecond(1_700_000_000L, 123_456_789));
            assertEquals(answer, client(null).lineage(server.endpoint(), q));
            assertEquals(q, seen.get());
        }
    }

    @Test
    void aClientWithoutTheSecretIsRefusedAndTheLogIsNotRead() {
        AtomicReference<LineageRequest> seen = new AtomicReference<>();
        try (RepairServer server = RepairServer.start(NOTHING, NO_PULLS, q -> {
            seen.set(q);
            return List.of();
        }, RepairServerOptions.builder().secret(SECRET).build())) {
            byte[] other = "another-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
            LineageRequest q = new LineageRequest("replica-b", "orders", null, null, Instant.EPOCH);
            RepairProtocolException e = assertThrows(RepairProtocolException.class,
                    () -> client(other).lineage(server.endpoint(), q));
            assertEquals(RepairProtocolException.Problem.AUTHENTICATION_FAILED, e.problem());
            e = assertThrows(RepairProtocolException.class, () -> client(null).lineage(server.endpoint(), q));
            assertEquals(RepairProtocolException.Problem.AUTHENTICATION_FAILED, e.problem());
            assertNull(seen.get(), "the handler never ran");
        }
    }

    @Test
    void aServerWithoutALogOrWithADamagedOneRefusesWithTheReason() {
        LineageRequest q = new LineageRequest("replica-b", "orders", b("k1"), b("k2"), Instant.EPOCH);
        try (RepairServer server = RepairServer.start(NOTHING, NO_PULLS, RepairServerOptions.builder().secret(SECRET)
                .build())) {
            RepairRefusedException e = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).lineage(server.endpoint(), q));
            assertEquals(RepairFrameFormat.REASON_SOURCE_FAILED, e.reason());
            assertTrue(e.getMessage().contains("serves no lineage log"), e.getMessage());
        }
        try (RepairServer server = RepairServer.start(NOTHING, NO_PULLS, r -> {
            throw new CorruptionException(CorruptionReport.of(dir.resolve("lineage/00000001.log"), 128, 40,
                    CorruptionKind.CHECKSUM_MISMATCH, "lineage record 3"));
        }, RepairServerOptions.builder().secret(SECRET).build())) {
            RepairRefusedException e = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).lineage(server.endpoint(), q));
            assertEquals(RepairFrameFormat.REASON_SOURCE_FAILED, e.reason());
            assertTrue(e.getMessage().contains("CorruptionException"), e.getMessage());
            assertTrue(e.getMessage().contains("00000001.log"), e.getMessage());
            assertFalse(e.getMessage().contains("k1"), e.getMessage());
        }
    }
}
