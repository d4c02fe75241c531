package io.kintsugi.repair;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.lineage.LineageKind;
import io.kintsugi.repair.lineage.LineageQuery;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.validation.faults.FaultInjector;
import io.kintsugi.validation.faults.InjectedFault;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthQuery;
import io.kintsugi.validation.health.Verdict;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.ScanOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repair loop over TCP on 127.0.0.1: a fault on one replica is found (by a scan or on read), voted on, pulled
 * from a trustworthy source, installed and proven, while a write load runs; every acknowledged write then reads back
 * from every replica.
 */
class RepairCoordinatorTest {

    private static final byte[] WRONG = "wrong".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private static String key(int i) {
        return String.format("key-%06d", i);
    }

    private static byte[] keyBytes(int i) {
        return key(i).getBytes(StandardCharsets.US_ASCII);
    }

    private static void load(RepairReplicas set, Random r, int keys) throws InterruptedException {
        for (int i = 0; i < keys; i++) {
            byte[] v = new byte[20 + r.nextInt(100)];
            r.nextBytes(v);
            set.put("orders", key(i), v);
        }
        set.awaitReplicated();
    }

    /** Scans "orders" on the primary and returns the INCONSISTENT entries replica {@code i} logged. */
    private static List<HealthEntry> scanAndCollect(RepairReplicas set, int i) throws InterruptedException {
        try (RangeScan scan = set.validators[0].startScan(ScanOptions.builder().namespace("orders")
                .maxBatchKeys(400).bytesPerSecond(1L << 40).resume(false).build())) {
            assertTrue(scan.await(Duration.ofSeconds(120)));
        }
        set.awaitReplicated();
        return set.validators[i].health().query(HealthQuery.builder().kinds(HealthKind.SCAN_BATCH)
                .verdicts(Verdict.INCONSISTENT).build());
    }

    /** Writes to keys other than {@code spared} through the primary until stopped; every acknowledged one counts. */
    private static Thread writer(RepairReplicas set, long seed, int keys, int spared, AtomicBoolean stop,
                                 AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            Random r = new Random(seed);
            try {
                for (int n = 0; !stop.get(); n++) {
                    int k = r.nextInt(keys);
                    byte[] v = new byte[10 + r.nextInt(50)];
                    r.nextBytes(v);
                    set.put("orders", k == spared ? "new-" + n : key(k), v);
                    Thread.sleep(1);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "repair-test-writer");
        t.start();
        return t;
    }

    private static List<HealthEntry> repairEntries(RepairReplicas set) {
        return set.validators[0].health().query(HealthQuery.builder().kinds(HealthKind.REPAIR).build());
    }

    @Test
    void aLogicallyCorruptedFollowerIsRepairedFromTheMajorityUnderWriteLoad() throws Exception {
        Random r = new Random(0x5EED01);
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, r, 3000);
            Store victim = set.stores[2];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), keyBytes(1234), WRONG);
            victim.flush();
            List<HealthEntry> flagged = scanAndCollect(set, 2);
            assertEquals(1, flagged.size(), "exactly the corrupted range is flagged");
            assertTrue(scanAndCollect(set, 1).isEmpty());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread w = writer(set, 0x5EED02, 3000, 1234, stop, failure);
            RepairReport report;
            try {
                report = set.coordinator().build().repairInconsistent(flagged.get(0));
            } finally {
                stop.set(true);
                w.join();
            }
            assertEquals(null, failure.get());
            assertEquals(Outcome.REPAIRED, report.outcome(), String.join("\n", report.steps()));
            assertEquals(set.agents[2].replicaId(), report.target());
            assertTrue(report.pairs() > 0 && report.pairs() <= 3000, report.toString());
            assertTrue(report.proofSequence() > report.sequence());
            assertArrayEquals(set.oracle.get("orders/" + key(1234)), victim.namespace("orders").get(keyBytes(1234)));
            set.checkOracle();

            List<LineageRecord> copies = set.agents[2].lineage().query(LineageQuery.all());
            assertEquals(1, copies.size());
            assertEquals(report.source(), copies.get(0).sourceReplica());
            assertEquals(report.repairId(), copies.get(0).repairId());
            List<HealthEntry> logged = repairEntries(set);
            assertTrue(logged.stream().anyMatch(e -> e.detail().contains("detected")));
            assertTrue(logged.stream().anyMatch(e -> e.detail().contains("voted")));
            assertTrue(logged.stream().anyMatch(e -> e.detail().contains("source chosen")));
            assertTrue(logged.stream().anyMatch(e -> e.detail().contains("copied")));
            assertTrue(logged.stream().anyMatch(e -> e.detail().contains("installed")));
            assertTrue(logged.stream().anyMatch(e -> e.verdict() == Verdict.CONSISTENT
                    && e.detail().contains("proven")));
            for (HealthEntry e : logged) {
                assertFalse(e.toString().contains("key-") || e.toString().contains("wrong"), e.toString());
            }
            assertFalse(report.toString().contains("key-"));
        }
    }

    @Test
    void aLogicallyCorruptedPrimaryPullsTheRangeFromAFollowerAndKeepsServing() throws Exception {
        Random r = new Random(0x5EED11);
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, r, 3000);
            Store primary = set.stores[0];
            FaultHooks.writeWithoutOplog(primary.namespace("orders"), keyBytes(777), WRONG);
            List<HealthEntry> flagged = scanAndCollect(set, 1);
            assertEquals(1, flagged.size());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread w = writer(set, 0x5EED12, 3000, 777, stop, failure);
            RepairReport report;
            try {
                report = set.coordinator().build().repairInconsistent(flagged.get(0));
            } finally {
                stop.set(true);
                w.join();
            }
            assertEquals(null, failure.get());
            assertEquals(Outcome.REPAIRED, report.outcome(), String.join("\n", report.steps()));
            assertEquals(set.agents[0].replicaId(), report.target());
            assertArrayEquals(set.oracle.get("orders/" + key(777)), primary.namespace("orders").get(keyBytes(777)));
            set.checkOracle();
        }
    }

    @Test
    void aFlippedBitInAFollowersBlockIsRepairedAndReadsSucceedWithoutReopening() throws Exception {
        Random r = new Random(0x5EED21);
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, r, 3000);
            set.stores[2].flush();
            AtomicReference<InjectedFault> fault = new AtomicReference<>();
            set.reopenFollower(2, d -> fault.set(FaultInjector.forStore(d, 0x5EED22)
                    .flipBitInKeyBlock("orders", keyBytes(1500))));
            set.awaitReplicated();
            Store victim = set.stores[2];
            assertThrows(CorruptionException.class, () -> victim.namespace("orders").get(keyBytes(1500)));
            List<DamagedRange> damage = victim.damage();
            assertEquals(1, damage.size());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread w = writer(set, 0x5EED23, 3000, 1500, stop, failure);
            RepairReport report;
            try {
                report = set.coordinator().build().repairDamage(damage.get(0), Instant.EPOCH);
            } finally {
                stop.set(true);
                w.join();
            }
            assertEquals(null, failure.get());
            assertEquals(Outcome.REPAIRED, report.outcome(), String.join("\n", report.steps()));
            assertEquals(set.agents[2].replicaId(), report.target());
            assertTrue(victim.damage().isEmpty(), "the repaired range is no longer listed as damaged");
            assertArrayEquals(set.oracle.get("orders/" + key(1500)), victim.namespace("orders").get(keyBytes(1500)));
            set.checkOracle();
            long blockBytes = fault.get().length();
            System.out.printf("repair of one damaged block: %d pairs, %d key and value bytes, %d bytes of chunk "
                            + "frames moved for a damaged block of %d bytes on disk: %.2f x%n", report.pairs(),
                    report.bytes(), report.wireBytes(), blockBytes, (double) report.wireBytes() / blockBytes);
        }
    }

    @Test
    void aPrimaryThatCannotReadTheRangeIsOutvotedByTwoFollowersAndRepaired() throws Exception {
        Random r = new Random(0x5EED61);
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, r, 3000);
            set.stores[0].flush();
            set.reopenPrimary(2, d -> FaultInjector.forStore(d, 0x5EED62).flipBitInKeyBlock("orders",
                    keyBytes(2000)));
            Store primary = set.stores[0];
            assertThrows(CorruptionException.class, () -> primary.namespace("orders").get(keyBytes(2000)));
            List<DamagedRange> damage = primary.damage();
            assertEquals(1, damage.size());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread w = writer(set, 0x5EED63, 3000, 2000, stop, failure);
            RepairReport report;
            try {
                report = set.coordinator().build().repairDamage(damage.get(0), Instant.EPOCH);
            } finally {
                stop.set(true);
                w.join();
            }
            assertEquals(null, failure.get());
            assertEquals(Outcome.REPAIRED, report.outcome(), String.join("\n", report.steps()));
            assertEquals(set.agents[0].replicaId(), report.target());
            assertTrue(primary.damage().isEmpty());
            assertArrayEquals(set.oracle.get("orders/" + key(2000)), primary.namespace("orders").get(keyBytes(2000)));
            set.checkOracle();
            // The followers saw the flagged marker: a warning, not an inconsistency.
            assertTrue(set.validators[1].health().query(HealthQuery.builder().kinds(HealthKind.SCAN_BATCH)
                    .verdicts(Verdict.INCONSISTENT).build()).isEmpty());
        }
    }

    @Test
    void twoReplicasThatDisagreeAreReportedAndNothingChanges() throws Exception {
        Random r = new Random(0x5EED31);
        try (RepairReplicas set = new RepairReplicas(dir, 2, 64 << 20)) {
            load(set, r, 1000);
            Store victim = set.stores[1];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), keyBytes(500), WRONG);
            RepairReport report = set.coordinator().build().repairRange("orders", keyBytes(400), keyBytes(600),
                    Instant.EPOCH, "test");
            assertEquals(Outcome.NO_MAJORITY, report.outcome(), String.join("\n", report.steps()));
            assertEquals("", report.target());
            assertArrayEquals(WRONG, victim.namespace("orders").get(keyBytes(500)), "nothing was changed");
            assertTrue(set.agents[1].lineage().query(LineageQuery.all()).isEmpty());
            assertTrue(set.agents[0].lineage().query(LineageQuery.all()).isEmpty());
        }
    }

    @Test
    void underTheApprovalPolicyNothingChangesUntilThePlanIsApproved() throws Exception {
        Random r = new Random(0x5EED41);
        try (RepairReplicas set = new RepairReplicas(dir, 3, 0)) {
            load(set, r, 2000);
            Store victim = set.stores[1];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), keyBytes(42), WRONG);
            RepairCoordinator c = set.coordinator().policy(RepairPolicy.APPROVAL).build();
            RepairReport planned = c.repairRange("orders", keyBytes(0), keyBytes(100), Instant.EPOCH, "test");
            assertEquals(Outcome.AWAITING_APPROVAL, planned.outcome(), String.join("\n", planned.steps()));
            RepairPlan plan = planned.pendingPlan().orElseThrow();
            assertEquals(set.agents[1].replicaId(), plan.target());
            assertEquals(100, plan.pairs());
            assertTrue(plan.bytesEstimate() > 100 * 20);
            assertFalse(plan.toString().contains("key-"));
            assertArrayEquals(WRONG, victim.namespace("orders").get(keyBytes(42)), "nothing changed before approval");
            assertEquals(List.of(plan), c.pendingPlans());

            RepairReport done = c.approve(plan);
            assertEquals(Outcome.REPAIRED, done.outcome(), String.join("\n", done.steps()));
            assertEquals(100, done.pairs());
            assertTrue(done.steps().stream().anyMatch(t -> t.contains("staged on disk")),
                    "a memory limit of 0 stages the range in a temporary file");
            assertTrue(java.nio.file.Files.notExists(set.directory(1).resolve("repair-staging"))
                    || java.nio.file.Files.list(set.directory(1).resolve("repair-staging")).findAny().isEmpty(),
                    "the staged file is removed after the install");
            assertTrue(c.pendingPlans().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> c.approve(plan));
            set.checkOracle();
        }
    }

    @Test
    void aSourceDamagedInAnotherRangeStillServesThisOne() throws Exception {
        Random r = new Random(0x5EED51);
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, r, 3000);
            set.stores[1].flush();
            set.reopenFollower(1, d -> FaultInjector.forStore(d, 0x5EED52).flipBitInKeyBlock("orders",
                    keyBytes(2900)));
            set.awaitReplicated();
            assertThrows(CorruptionException.class, () -> set.stores[1].namespace("orders").get(keyBytes(2900)));
            Store victim = set.stores[2];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), keyBytes(100), WRONG);

            // Only replica 1 may be the source: the primary's lineage is not given to this coordinator.
            RepairCoordinator c = RepairCoordinator.builder(set.stores[0], set.validators[0])
                    .secret(RepairReplicas.SECRET).digestWait(Duration.ofSeconds(60))
                    .replica(set.agents[0].replicaId(), set.agents[0].endpoint(), null)
                    .replica(set.agents[1]).replica(set.agents[2]).build();
            RepairReport report = c.repairRange("orders", keyBytes(0), keyBytes(200), Instant.EPOCH, "test");
            assertEquals(Outcome.REPAIRED, report.outcome(), String.join("\n", report.steps()));
            assertEquals(set.agents[1].replicaId(), report.source());
            assertArrayEquals(set.oracle.get("orders/" + key(100)), victim.namespace("orders").get(keyBytes(100)));
            assertFalse(set.stores[1].damage().isEmpty(), "the source's other range is still damaged");
        }
    }

    @Test
    void aCoordinatorGivenOnlyEndpointsReadsEachReplicasLineageOverTheWire() throws Exception {
        Random r = new Random(0x5EED61);
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, r, 3000);
            String victimId = set.agents[2].replicaId();
            // Replica 0 once copied an overlapping range from the victim: it must not be the source while the
            // damage could date from before that copy.
            Instant copiedAt = Instant.now().minusSeconds(60);
            set.agents[0].lineage().append(new LineageRecord(copiedAt, LineageKind.RANGE_COPY,
                    set.agents[0].replicaId(), victimId, "orders", keyBytes(50), keyBytes(150), 1, 100, 1000, null,
                    "earlier"));
            Store victim = set.stores[2];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), keyBytes(100), WRONG);

            RepairCoordinator.Builder b = RepairCoordinator.builder(set.stores[0], set.validators[0])
                    .secret(RepairReplicas.SECRET).digestWait(Duration.ofSeconds(60));
            for (RepairAgent a : set.agents) {
                b.replica(a.replicaId(), a.endpoint());
            }
            RepairCoordinator c = b.build();
            RepairReport first = c.repairRange("orders", keyBytes(0), keyBytes(200), Instant.EPOCH, "test");
            assertEquals(Outcome.REPAIRED, first.outcome(), String.join("\n", first.steps()));
            assertEquals(victimId, first.target());
            assertEquals(set.agents[1].replicaId(), first.source(), String.join("\n", first.steps()));
            assertTrue(first.steps().stream().anyMatch(st -> st.contains("not a source: " + set.agents[0].replicaId()
                    + " copied an overlapping range from " + victimId) && st.contains("repair earlier")),
                    String.join("\n", first.steps()));
            assertArrayEquals(set.oracle.get("orders/" + key(100)), victim.namespace("orders").get(keyBytes(100)));

            // Damage known to be newer than that copy: replica 0's lineage, read over the wire, no longer bars it.
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), keyBytes(120), WRONG);
            RepairReport second = c.repairRange("orders", keyBytes(0), keyBytes(200), copiedAt.plusSeconds(1),
                    "test");
            assertEquals(Outcome.REPAIRED, second.outcome(), String.join("\n", second.steps()));
            assertEquals(set.agents[0].replicaId(), second.source(), String.join("\n", second.steps()));
            assertArrayEquals(set.oracle.get("orders/" + key(120)), victim.namespace("orders").get(keyBytes(120)));
            assertEquals(2, set.agents[2].lineage().query(LineageQuery.all()).size());
            set.checkOracle();
        }
    }
}
