package io.kintsugi.repair;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.engine.replication.FollowerState;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.oplog.Durability;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.repair.net.RepairClientOptions;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary takes writes that reach no follower, fails over, the new primary writes more, and the old primary
 * rejoins as a follower and stops DIVERGED; {@link DivergedFollowerRepair} brings it back over TCP on 127.0.0.1.
 */
class DivergedFollowerRepairTest {

    private static final byte[] SECRET = "kintsugi-diverged-test-secret".getBytes(StandardCharsets.US_ASCII);
    private static final String NS = "orders";

    @TempDir
    Path root;

    private final Store[] stores = new Store[3];
    private final Validator[] validators = new Validator[3];
    private final RepairAgent[] agents = new RepairAgent[3];
    /** Every write acknowledged by a primary whose history survived: key to value, null for a delete. */
    private final Map<String, byte[]> oracle = new TreeMap<>();

    private void open(int i) {
        validators[i] = Validator.create(ValidatorOptions.builder().build());
        ReplicationOptions ro = ReplicationOptions.builder(TcpTransport.bind("127.0.0.1", 0))
                .heartbeatInterval(Duration.ofMillis(20)).peerTimeout(Duration.ofMillis(1500))
                .connectTimeout(Duration.ofSeconds(1))
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100)).build();
        stores[i] = Store.open(root.resolve("r" + i), validators[i].attachTo(StoreOptions.builder())
                .durability(Durability.NONE).memtableBudget(64 << 10).replication(ro).build());
        agents[i] = RepairAgent.start(stores[i], validators[i], RepairAgentOptions.builder().secret(SECRET).build());
    }

    private static byte[] key(int k) {
        return String.format("k%05d", k).getBytes(StandardCharsets.US_ASCII);
    }

    private void put(int replica, int k, byte[] value, boolean acknowledged) {
        stores[replica].namespace(NS).put(key(k), value);
        if (acknowledged) {
            oracle.put(new String(key(k), StandardCharsets.US_ASCII), value);
        }
    }

    @Test
    void aDivergedOldPrimaryIsRebasedByTheTouchedRangesAndFollowsAgain() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 3; i++) {
            open(i);
        }
        try {
            stores[0].promote(1);
            stores[1].follow(stores[0].replicationStatus().endpoint(), 1);
            stores[2].follow(stores[0].replicationStatus().endpoint(), 1);
            for (int k = 0; k < 3000; k++) {
                put(0, k, value(random, k), true);
            }
            awaitAt(1, stores[0].lastSequence());
            awaitAt(2, stores[0].lastSequence());
            long agreed = stores[0].lastSequence();

            // The followers lose the primary; it goes on taking writes in keys 1000..1099 that reach no one.
            stores[1].stepDown();
            stores[2].stepDown();
            for (int k = 1000; k < 1100; k++) {
                if (k % 10 == 0) {
                    stores[0].namespace(NS).delete(key(k));
                } else {
                    put(0, k, value(random, -k), false);
                }
            }
            byte[] divergedOnly = "k01050x".getBytes(StandardCharsets.US_ASCII); // a key no primary kept
            stores[0].namespace(NS).put(divergedOnly, value(random, 1));
            long lastDiverged = stores[0].lastSequence();

            // Failover: replica 1 becomes primary of term 2 and writes keys 2000..2199.
            stores[1].promote(2);
            String primaryEndpoint = stores[1].replicationStatus().endpoint();
            stores[2].follow(primaryEndpoint, 2);
            for (int k = 2000; k < 2200; k++) {
                put(1, k, value(random, k + 7), true);
            }
            assertTrue(stores[1].lastSequence() > lastDiverged);

            stores[0].follow(primaryEndpoint, 2);
            until(() -> stores[0].replicationStatus().followerState() == FollowerState.DIVERGED);
            DivergenceReport d = stores[0].replicationStatus().divergence().orElseThrow();
            assertEquals(agreed, d.lastAgreedSequence());
            assertEquals(lastDiverged, d.lastDivergedSequence());
            assertTrue(d.complete());

            DivergedFollowerRepair repair = new DivergedFollowerRepair(stores[1], validators[1], "r1",
                    agents[1].endpoint(), primaryEndpoint,
                    new RepairClient(RepairClientOptions.builder().secret(SECRET).build()), stores[0], "r0",
                    agents[0].lineage(), root.resolve("staging"), Duration.ofSeconds(30));
            // The primary keeps taking writes during the repair, inside the touched span (overwrites of keys it
            // has, so that the span's key count is known).
            Map<String, byte[]> duringRepair = new java.util.concurrent.ConcurrentHashMap<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread writer = new Thread(() -> {
                Random r = new Random(11);
                while (!stop.get()) {
                    int k = 1500 + r.nextInt(100);
                    byte[] v = value(r, k);
                    stores[1].namespace(NS).put(key(k), v);
                    duringRepair.put(new String(key(k), StandardCharsets.US_ASCII), v);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "writes-during-repair");
            writer.start();
            DivergedFollowerRepair.Report report;
            try {
                report = repair.run(() -> {
                    agents[0].close();
                    open(0);
                    return new DivergedFollowerRepair.Reopened(stores[0], validators[0]);
                }, 3);
            } finally {
                stop.set(true);
                writer.join();
            }
            oracle.putAll(duringRepair);
            assertTrue(!duringRepair.isEmpty());

            assertTrue(report.proven(), report.toString());
            List<String> steps = validators[1].health().query(HealthQuery.builder().kinds(HealthKind.REPAIR).build())
                    .stream().map(HealthEntry::detail).filter(x -> x.startsWith("diverged " + report.repairId()))
                    .toList();
            assertTrue(steps.stream().anyMatch(x -> x.contains(": detected on follower r0")), steps.toString());
            assertTrue(steps.stream().anyMatch(x -> x.contains(": copied ")), steps.toString());
            assertTrue(steps.stream().anyMatch(x -> x.contains(": rebased follower r0 at sequence "
                    + report.sequence())), steps.toString());
            assertTrue(steps.stream().anyMatch(x -> x.contains(": proven: ")), steps.toString());
            assertTrue(steps.stream().noneMatch(x -> x.contains("DIFFERENT") || x.contains("failed")),
                    steps.toString());
            assertEquals(1, report.ranges());
            // Only the touched span moved: keys 1000..2199 of the primary, not the 3 000-key namespace.
            long inSpan = oracle.keySet().stream().filter(k -> k.compareTo("k01000") >= 0
                    && k.compareTo("k02199") <= 0).count();
            assertEquals(inSpan, report.pairs());
            assertTrue(report.pairs() < oracle.size() / 2, "pairs moved: " + report.pairs());
            List<LineageRecord> copies = agents[0].lineage().copiedFrom("r1", NS, null, null,
                    java.time.Instant.EPOCH);
            assertEquals(1, copies.size());
            assertTrue(Arrays.equals(key(1000), copies.get(0).from()), "the copy starts at the first touched key");
            assertTrue(Arrays.equals(Arrays.copyOf(key(2199), 7), copies.get(0).to()),
                    "the copy ends just past the last touched key");
            assertTrue(Files.isDirectory(root.resolve("r0").resolve("diverged")
                    .resolve("oplog-rebased-at-" + report.sequence())), "the replaced oplog is kept");

            // It follows again: later writes reach all three.
            for (int k = 2200; k < 2300; k++) {
                put(1, k, value(random, k), true);
            }
            stores[1].namespace(NS).delete(key(5));
            oracle.put(new String(key(5), StandardCharsets.US_ASCII), null);
            awaitAt(0, stores[1].lastSequence());
            awaitAt(2, stores[1].lastSequence());
            assertEquals(FollowerState.STREAMING, stores[0].replicationStatus().followerState());
            for (int i = 0; i < 3; i++) {
                for (Map.Entry<String, byte[]> e : oracle.entrySet()) {
                    byte[] got = stores[i].namespace(NS).get(e.getKey().getBytes(StandardCharsets.US_ASCII));
                    assertTrue(Arrays.equals(e.getValue(), got), "replica " + i + " reads a wrong value for an "
                            + "acknowledged write");
                }
            }
            assertEquals(contents(1), contents(0), "replica 0 holds what the primary holds");
            assertEquals(contents(1), contents(2), "replica 2 holds what the primary holds");
            assertTrue(stores[0].namespace(NS).get(divergedOnly) == null, "the diverged write is superseded");
        } finally {
            for (int i = 2; i >= 0; i--) {
                agents[i].close();
                stores[i].close();
            }
        }
    }

    private static byte[] value(Random random, int salt) {
        byte[] v = new byte[20 + random.nextInt(60)];
        random.nextBytes(v);
        v[0] = (byte) salt;
        return v;
    }

    /** The namespace's pairs, as hex strings, for comparing replicas (assertion messages show no bytes). */
    private List<String> contents(int i) {
        List<String> out = new ArrayList<>();
        try (Cursor c = stores[i].namespace(NS).scan(null, null)) {
            while (c.next()) {
                out.add(Arrays.hashCode(c.key()) + ":" + Arrays.hashCode(c.value()) + ":" + c.value().length);
            }
        }
        return out;
    }

    private void awaitAt(int i, long sequence) throws InterruptedException {
        until(() -> stores[i].lastSequence() >= sequence);
    }

    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(5);
        }
    }
}
