package io.kintsugi.repair;

import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.RepairServiceEvent.Kind;
import io.kintsugi.validation.faults.FaultInjector;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthQuery;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.ScanOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repair service over TCP on 127.0.0.1 with three replicas: what a scan or a client read finds is repaired with
 * no call but starting the service, or waits for approval under {@link RepairPolicy#APPROVAL}.
 */
class RepairServiceTest {

    private static final byte[] WRONG = "wrong".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return String.format("key-%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static void load(RepairReplicas set, long seed, int keys) throws InterruptedException {
        Random r = new Random(seed);
        for (int i = 0; i < keys; i++) {
            byte[] v = new byte[20 + r.nextInt(100)];
            r.nextBytes(v);
            set.put("orders", new String(key(i), StandardCharsets.US_ASCII), v);
        }
        set.awaitReplicated();
    }

    private static void scan(RepairReplicas set) throws InterruptedException {
        try (RangeScan scan = set.validators[0].startScan(ScanOptions.builder().namespace("orders")
                .maxBatchKeys(400).bytesPerSecond(1L << 40).resume(false).build())) {
            assertTrue(scan.await(Duration.ofSeconds(120)));
        }
    }

    private static RepairService.Builder service(RepairCoordinator coordinator, RepairReplicas set,
                                                 List<RepairServiceEvent> events) {
        RepairService.Builder b = RepairService.builder(coordinator).pollInterval(Duration.ofMillis(50))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400)).listener(events::add);
        for (int i = 0; i < set.stores.length; i++) {
            b.watch(set.stores[i], set.validators[i]);
        }
        return b;
    }

    private static List<RepairServiceEvent> of(List<RepairServiceEvent> events, Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).toList();
    }

    /** No event holds key bytes: ranges appear as fingerprints only. */
    private static void assertMetadataOnly(List<RepairServiceEvent> events) {
        for (RepairServiceEvent e : events) {
            assertFalse(e.toString().contains("key-0"), "an event shows key bytes: " + e.kind());
        }
    }

    @Test
    void aLogicalCorruptionFoundByAScanIsRepairedWithNoCallButStartingTheService() throws Exception {
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, 0x5E41, 3000);
            Store victim = set.stores[2];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), key(1234), WRONG);
            List<RepairServiceEvent> events = new CopyOnWriteArrayList<>();
            try (RepairService service = service(set.coordinator().build(), set, events).start()) {
                scan(set);
                RepairReplicas.until(() -> !of(events, Kind.FINISHED).isEmpty());
                RepairServiceEvent done = of(events, Kind.FINISHED).get(0);
                assertEquals(Outcome.REPAIRED, done.outcome(), events.toString());
                assertEquals(1, of(events, Kind.QUEUED).size(), "one job for the one flagged range: " + events);
                assertTrue(of(events, Kind.GAVE_UP).isEmpty());
                assertTrue(service.pendingPlans().isEmpty());
            }
            assertArrayEquals(set.oracle.get("orders/key-001234"), victim.namespace("orders").get(key(1234)));
            set.checkOracle();
            assertEquals(1, set.agents[2].lineage().query(io.kintsugi.repair.lineage.LineageQuery.all()).size());
            assertMetadataOnly(events);
        }
    }

    @Test
    void underApprovalNothingChangesUntilApproveAndARejectedPlanChangesNothing() throws Exception {
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, 0x5E42, 3000);
            Store victim = set.stores[1];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), key(700), WRONG);
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), key(2600), WRONG);
            List<RepairServiceEvent> events = new CopyOnWriteArrayList<>();
            try (RepairService service = service(set.coordinator().policy(RepairPolicy.APPROVAL).build(), set,
                    events).start()) {
                scan(set);
                RepairReplicas.until(() -> service.pendingPlans().size() == 2);
                set.awaitReplicated();
                // Another look, and the plans still wait: no second job for either range, nothing pulled.
                service.wakeUp();
                RepairReplicas.until(() -> of(events, Kind.AWAITING_APPROVAL).size() == 2);
                assertEquals(2, service.pendingPlans().size());
                assertArrayEquals(WRONG, victim.namespace("orders").get(key(700)));
                assertArrayEquals(WRONG, victim.namespace("orders").get(key(2600)));
                assertTrue(set.agents[1].lineage().query(io.kintsugi.repair.lineage.LineageQuery.all()).isEmpty());
                assertThrows(IllegalArgumentException.class, () -> service.approve("no-such-plan"));

                List<RepairPlan> plans = service.pendingPlans();
                RepairPlan first = plans.get(0);
                RepairPlan second = plans.get(1);
                assertEquals(set.agents[1].replicaId(), first.target());
                RepairReport report = service.approve(first.repairId()).get(120, TimeUnit.SECONDS);
                assertEquals(Outcome.REPAIRED, report.outcome(), String.join("\n", report.steps()));
                service.reject(second.repairId(), "operator says no").get(60, TimeUnit.SECONDS);
                set.awaitReplicated();
                // Every verdict is logged by now (the probes' too); a full round takes none of them up again.
                service.lookNow().get(120, TimeUnit.SECONDS);
                assertTrue(service.pendingPlans().isEmpty(), service.pendingPlans().toString());
                assertEquals(2, of(events, Kind.QUEUED).size(), events.toString());
                assertEquals(2, of(events, Kind.AWAITING_APPROVAL).size(), events.toString());
                assertThrows(IllegalArgumentException.class, () -> service.approve(second.repairId()));
                assertEquals(1, of(events, Kind.REJECTED).size());
                assertTrue(set.validators[0].health().query(HealthQuery.builder().kinds(HealthKind.REPAIR).build())
                        .stream().anyMatch(e -> e.detail().contains("rejected, nothing changed")));
            }
            // Exactly one of the two keys is repaired: the approved plan's range.
            byte[] a = victim.namespace("orders").get(key(700));
            byte[] b = victim.namespace("orders").get(key(2600));
            assertTrue(java.util.Arrays.equals(WRONG, a) != java.util.Arrays.equals(WRONG, b),
                    "the approved range is repaired and the rejected one is not");
            assertEquals(1, set.agents[1].lineage().query(io.kintsugi.repair.lineage.LineageQuery.all()).size());
            assertMetadataOnly(events);
        }
    }

    @Test
    void aDamagedBlockFoundByAClientReadIsRepairedAndTheReadThenSucceeds() throws Exception {
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            load(set, 0x5E43, 3000);
            set.stores[2].flush();
            set.reopenFollower(2, d -> FaultInjector.forStore(d, 0x5E44).flipBitInKeyBlock("orders", key(1500)));
            set.awaitReplicated();
            Store victim = set.stores[2];
            List<RepairServiceEvent> events = new CopyOnWriteArrayList<>();
            try (RepairService service = service(set.coordinator().build(), set, events).start()) {
                assertThrows(CorruptionException.class, () -> victim.namespace("orders").get(key(1500)));
                RepairReplicas.until(() -> !of(events, Kind.FINISHED).isEmpty());
                assertEquals(Outcome.REPAIRED, of(events, Kind.FINISHED).get(0).outcome(), events.toString());
                assertTrue(victim.damage().isEmpty(), "the repaired range is no longer listed as damaged");
                assertArrayEquals(set.oracle.get("orders/key-001500"), victim.namespace("orders").get(key(1500)));
            }
            assertEquals(1, of(events, Kind.QUEUED).size(), events.toString());
            set.checkOracle();
            assertMetadataOnly(events);
        }
    }
}
