package io.kintsugi.engine.replication;

import io.kintsugi.engine.Store;
import io.kintsugi.engine.WriteBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three stores under a random workload while followers and the primary restart, connections are cut, frames are
 * corrupted on the wire and the primary role moves between caught-up replicas. In the end every replica's full scan
 * is identical and holds every acknowledged write. Seeded: a failure names its seed, and
 * {@code -Dkintsugi.replication.steps=N} makes the run longer.
 */
class ReplicationChaosTest {

    private static final int STEPS = Integer.getInteger("kintsugi.replication.steps", 200);
    private static final List<String> NAMESPACES = List.of("a", "b");

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"in-process", "tcp"})
    void replicasEndIdenticalWithEveryAcknowledgedWrite(String transport) throws Exception {
        long seed = Long.getLong("kintsugi.replication.seed", 20261122L) + transport.hashCode();
        Random random = new Random(seed);
        InProcessNetwork net = new InProcessNetwork();
        Map<String, FaultyTransport> transports = new HashMap<>();
        try (ReplicaSet set = new ReplicaSet(dir, 3, name -> transports.compute(name, (n, old) ->
                new FaultyTransport(transport.equals("tcp") ? TcpTransport.bind("127.0.0.1", 0) : net.transport(n),
                        seed ^ n.hashCode())),
                r -> ReplicaSet.fastTimeouts(r).secret(ReplicaSet.SECRET).maxBatchRecords(64)
                        .writeConcern(WriteConcern.followers(1, Duration.ofMillis(500))),
                s -> s.memtableBudget(64 << 10))) {
            int primary = 0;
            long term = 1;
            set.store(0).promote(term);
            for (int i = 1; i < 3; i++) {
                set.store(i).follow(set.endpoint(0), term);
            }
            Map<String, TreeMap<String, String>> oracle = new HashMap<>();
            NAMESPACES.forEach(n -> oracle.put(n, new TreeMap<>()));
            int acknowledged = 0;
            int unconfirmed = 0;
            for (int step = 0; step < STEPS; step++) {
                int action = random.nextInt(100);
                String what = "step " + step + " (seed " + seed + ")";
                if (action < 60) {
                    int[] counts = writeBurst(set.store(primary), random, step, oracle);
                    acknowledged += counts[0];
                    unconfirmed += counts[1];
                } else if (action < 70) {
                    int f = follower(random, primary);
                    set.close(f);
                    set.open(f).follow(set.endpoint(primary), term);
                } else if (action < 78) {
                    transports.get("r" + random.nextInt(3)).cutAll();
                } else if (action < 86) {
                    // Damage frames on the wire until the next step's end: every replica's writes, either way.
                    transports.get("r" + random.nextInt(3)).corruptWrites(0.2);
                    int[] counts = writeBurst(set.store(primary), random, step, oracle);
                    acknowledged += counts[0];
                    unconfirmed += counts[1];
                    transports.values().forEach(t -> t.corruptWrites(0));
                } else if (action < 93) {
                    // The primary restarts: it comes back as a follower of nobody until promoted again.
                    set.close(primary);
                    set.open(primary);
                    term++;
                    set.store(primary).promote(term);
                    for (int i = 0; i < 3; i++) {
                        if (i != primary) {
                            set.store(i).follow(set.endpoint(primary), term);
                        }
                    }
                } else {
                    // A clean failover: once a follower has everything, the coordinator moves the primary there.
                    int next = follower(random, primary);
                    long last = set.store(primary).lastSequence();
                    set.awaitApplied(next, last);
                    set.store(primary).stepDown();
                    term++;
                    set.store(next).promote(term);
                    primary = next;
                    for (int i = 0; i < 3; i++) {
                        if (i != primary) {
                            set.store(i).follow(set.endpoint(primary), term);
                        }
                    }
                }
                if (random.nextInt(10) == 0) {
                    set.store(random.nextInt(3)).flush();
                }
                for (int i = 0; i < 3; i++) {
                    FollowerState st = set.store(i).replicationStatus().followerState();
                    assertTrue(st != FollowerState.DIVERGED && st != FollowerState.NEEDS_RESYNC
                            && st != FollowerState.FAILED, what + ": store " + i + " is " + st + ": "
                            + set.store(i).replicationStatus());
                }
            }
            long last = set.store(primary).lastSequence();
            List<String> expected = new ArrayList<>();
            for (String ns : NAMESPACES) {
                expected.addAll(ReplicaSet.rows(ns, oracle.get(ns)));
            }
            long badFrames = 0;
            for (int i = 0; i < 3; i++) {
                set.awaitApplied(i, last);
                assertEquals(expected, ReplicaSet.fullScan(set.store(i), NAMESPACES),
                        "store " + i + " differs from the oracle (seed " + seed + ")");
                badFrames += set.store(i).replicationStatus().badFrames();
            }
            assertTrue(acknowledged > 0, "no write was acknowledged (seed " + seed + ")");
            long corrupted = transports.values().stream().mapToLong(FaultyTransport::corrupted).sum();
            System.out.printf("chaos %s: %d steps, %d acknowledged writes, %d unconfirmed, %d frames corrupted, "
                    + "%d refused by frame checks (counts restart with each store)%n", transport, STEPS, acknowledged, unconfirmed,
                    corrupted, badFrames);
        }
    }

    /**
     * A burst of writes to the primary. Every write that returned, or was reported "maybe written" (durable on the
     * primary, too few acknowledgements), is in the primary's log, so the oracle takes both.
     *
     * @return acknowledged and unconfirmed counts
     */
    private static int[] writeBurst(Store p, Random random, int step, Map<String, TreeMap<String, String>> oracle) {
        int acknowledged = 0;
        int unconfirmed = 0;
        int n = 1 + random.nextInt(30);
        for (int i = 0; i < n; i++) {
            String ns = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
            String key = "k" + random.nextInt(300);
            boolean delete = random.nextInt(10) == 0;
            String value = delete ? null : "v" + step + "." + i + "." + "x".repeat(random.nextInt(200));
            WriteBatch batch = p.newBatch();
            if (delete) {
                batch.delete(p.namespace(ns), b(key));
            } else {
                batch.put(p.namespace(ns), b(key), b(value));
            }
            try {
                p.write(batch);
                acknowledged++;
            } catch (WriteConcernException e) {
                unconfirmed++;
            }
            if (delete) {
                oracle.get(ns).remove(key);
            } else {
                oracle.get(ns).put(key, value);
            }
        }
        return new int[] {acknowledged, unconfirmed};
    }

    private static int follower(Random random, int primary) {
        int f = random.nextInt(2);
        return f >= primary ? f + 1 : f;
    }

}
