package io.kintsugi.repair.resync;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.repair.lineage.LineageKind;
import io.kintsugi.repair.lineage.LineageQuery;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.validation.faults.FaultInjector;
import io.kintsugi.validation.scan.RangeDigest;
import io.kintsugi.validation.scan.RangeProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower whose data is wrong throughout is rebuilt from its peers over TCP on 127.0.0.1 while the primary takes
 * writes and deletes; afterwards every acknowledged write reads back from all three replicas and every namespace's
 * digest is equal on all three.
 */
class WholeReplicaResyncTest {

    private static final String[] NAMESPACES = {"orders", "users"};

    @TempDir
    Path dir;

    private static String key(int i) {
        return String.format("key-%06d", i);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aWreckedFollowerIsRebuiltFromItsPeersUnderWriteLoad() throws Exception {
        Random r = new Random(0x3E5C01);
        try (ResyncReplicas set = new ResyncReplicas(dir, 3)) {
            int[] keys = {3000, 1200};
            for (int n = 0; n < NAMESPACES.length; n++) {
                for (int i = 0; i < keys[n]; i++) {
                    byte[] v = new byte[20 + r.nextInt(200)];
                    r.nextBytes(v);
                    set.put(NAMESPACES[n], key(i), v);
                }
            }
            set.awaitReplicated();

            // Wreck follower 2 logically: a wrong value for a third of "orders" and for a third of the first half
            // of "users" (so that the second half of "users" is already equal), and keys the primary never had.
            Store victim = set.stores[2];
            int wrecked = 0;
            for (int n = 0; n < NAMESPACES.length; n++) {
                int limit = n == 0 ? keys[n] : keys[n] / 2;
                for (int i = 0; i < limit; i += 3) {
                    FaultHooks.writeWithoutOplog(victim.namespace(NAMESPACES[n]), bytes(key(i)), bytes("wrong"));
                    wrecked++;
                }
                FaultHooks.writeWithoutOplog(victim.namespace(NAMESPACES[n]), bytes("extra-" + n), bytes("junk"));
            }
            victim.flush();
            assertEquals("wrong", new String(victim.namespace("orders").get(bytes(key(0))), StandardCharsets.US_ASCII));

            WholeReplicaResync resync = WholeReplicaResync.builder(set.stores[0], set.validators[0])
                    .secret(ResyncReplicas.SECRET).target(set.agents[2]).targetStore(victim)
                    .source(set.agents[0]).source(set.agents[1])
                    .options(ResyncOptions.builder().maxRangePairs(400).maxRangeBytes(64 << 10)
                            .digestWait(Duration.ofSeconds(60)).build()).build();

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = writer(set, 0x3E5C02, keys, stop, failure);
            List<Long> seen = new ArrayList<>();
            Thread watcher = new Thread(() -> {
                while (!stop.get()) {
                    seen.add(resync.progress().rangesDone());
                    resync.progress().eta();
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "resync-progress-watcher");
            watcher.start();
            ResyncReport report;
            try {
                report = resync.run();
            } finally {
                stop.set(true);
                writer.join();
                watcher.join();
            }
            assertNull(failure.get());
            System.out.println("whole-replica resync of " + wrecked + " wrecked values: " + report);
            assertEquals(ResyncReport.Outcome.COMPLETE, report.outcome(), String.join("\n", report.steps()));
            assertEquals(List.of(NAMESPACES), report.namespaces());
            assertTrue(report.rangesPlanned() > 4, report.toString());
            assertEquals(report.rangesPlanned(), report.rangesCopied() + report.rangesAlreadyEqual());
            assertTrue(report.rangesAlreadyEqual() > 0, "the untouched half of users is passed: " + report);
            assertTrue(report.rangesCopied() > 0 && report.pairs() >= wrecked && report.bytes() > 0, report.toString());
            assertTrue(report.wireBytes() > report.bytes(), report.toString());
            assertTrue(report.failedRanges().isEmpty() && report.unprovenRanges().isEmpty());
            assertTrue(report.targetChecked());
            assertTrue(report.targetOnlyNamespaces().isEmpty());

            ResyncProgress p = resync.progress();
            assertEquals(report.rangesPlanned(), p.rangesTotal());
            assertEquals(p.rangesTotal(), p.rangesDone());
            assertTrue(p.complete());
            assertEquals(Optional.of(Duration.ZERO), p.eta());
            assertEquals(report.bytes(), p.bytes());
            assertEquals(report.pairs(), p.pairs());
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) >= seen.get(i - 1), "ranges done never goes back");
            }

            // Every copy is in the target's lineage log, under this resync's id, and nothing else is.
            List<LineageRecord> copies = set.agents[2].lineage().query(LineageQuery.all());
            assertEquals(report.rangesCopied(), copies.size());
            for (LineageRecord c : copies) {
                assertEquals(LineageKind.RANGE_COPY, c.kind());
                assertEquals(report.resyncId(), c.repairId());
                assertNotEquals(set.agents[2].replicaId(), c.sourceReplica());
            }

            set.awaitReplicated();
            for (int i = 0; i < 3; i++) {
                assertTrue(set.checkOracle(i) > 4200);
            }
            for (int n = 0; n < NAMESPACES.length; n++) {
                assertNull(victim.namespace(NAMESPACES[n]).get(bytes("extra-" + n)), "a key only the target had");
                assertWholeNamespaceEqual(set, NAMESPACES[n]);
            }
        }
    }

    @Test
    void aDamagedBlockAcrossACutIsReplacedByRetryingBothRangesAsOne() throws Exception {
        Random r = new Random(0x3E5C11);
        try (ResyncReplicas set = new ResyncReplicas(dir, 3)) {
            int keys = 3000;
            for (int i = 0; i < keys; i++) {
                byte[] v = new byte[20 + r.nextInt(100)];
                r.nextBytes(v);
                set.put("orders", key(i), v);
            }
            set.awaitReplicated();
            set.stores[2].flush();
            set.reopenFollower(2, d -> FaultInjector.forStore(d, 0x3E5C12).flipBitInKeyBlock("orders",
                    bytes(key(1500))));
            set.awaitReplicated();
            Store victim = set.stores[2];
            assertThrows(CorruptionException.class, () -> victim.namespace("orders").get(bytes(key(1500))));
            List<DamagedRange> damage = victim.damage();
            assertEquals(1, damage.size());
            // The test's own keys are "key-" and six digits: the damaged block's first and last key indexes.
            int first = Integer.parseInt(new String(damage.get(0).fromKey(), StandardCharsets.US_ASCII).substring(4));
            int last = Integer.parseInt(new String(damage.get(0).toKey(), StandardCharsets.US_ASCII).substring(4));
            assertTrue(first < last, "the damaged block holds more than one key");
            // Ranges of first + 1 pairs: the first cut falls just after the block's first key, inside the block.
            // The writer only overwrites existing keys, so the primary's keys (and so the cuts) stay as planned.
            WholeReplicaResync resync = WholeReplicaResync.builder(set.stores[0], set.validators[0])
                    .secret(ResyncReplicas.SECRET).target(set.agents[2]).targetStore(victim)
                    .source(set.agents[0]).source(set.agents[1])
                    .options(ResyncOptions.builder().maxRangePairs(first + 1).rangeAttempts(1)
                            .digestWait(Duration.ofSeconds(60)).build()).build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = overwriter(set, 0x3E5C13, keys, stop, failure);
            ResyncReport report;
            try {
                report = resync.run();
            } finally {
                stop.set(true);
                writer.join();
            }
            assertNull(failure.get());
            System.out.println("whole-replica resync over a damaged block of keys " + first + " to " + last + ": "
                    + report);
            assertEquals(ResyncReport.Outcome.COMPLETE, report.outcome(), String.join("\n", report.steps()));
            assertTrue(report.steps().stream().anyMatch(x -> x.contains("2 adjacent ranges failed")),
                    String.join("\n", report.steps()));
            assertTrue(victim.damage().isEmpty(), "the damaged block is gone with the install");
            set.awaitReplicated();
            for (int i = 0; i < 3; i++) {
                assertEquals(keys, set.checkOracle(i));
            }
            assertWholeNamespaceEqual(set, "orders");
        }
    }

    @Test
    void withTwoReplicasThatDisagreeNothingIsCopiedAndTheReportSaysWhy() throws Exception {
        try (ResyncReplicas set = new ResyncReplicas(dir, 2)) {
            for (int i = 0; i < 300; i++) {
                set.put("orders", key(i), bytes("value-" + i));
            }
            set.awaitReplicated();
            Store victim = set.stores[1];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), bytes(key(7)), bytes("wrong"));
            WholeReplicaResync resync = WholeReplicaResync.builder(set.stores[0], set.validators[0])
                    .secret(ResyncReplicas.SECRET).target(set.agents[1]).source(set.agents[0])
                    .options(ResyncOptions.builder().maxRangePairs(100).rangeAttempts(1)
                            .digestWait(Duration.ofSeconds(60)).build()).build();
            ResyncReport report = resync.run();
            assertEquals(ResyncReport.Outcome.INCOMPLETE, report.outcome());
            assertEquals(3, report.rangesPlanned());
            // The two ranges without the wrong value agree; the third has no majority of 2 and is not guessed at.
            assertEquals(2, report.rangesAlreadyEqual());
            assertEquals(0, report.rangesCopied());
            assertEquals(1, report.failedRanges().size());
            assertEquals(1, report.unprovenRanges().size());
            assertTrue(report.steps().stream().anyMatch(x -> x.contains("no majority of 2")), report.steps()
                    .toString());
            assertFalse(report.targetChecked());
            assertEquals("wrong", new String(victim.namespace("orders").get(bytes(key(7))), StandardCharsets.US_ASCII));
            assertTrue(set.agents[1].lineage().query(LineageQuery.all()).isEmpty());
            assertTrue(resync.progress().complete(), "a range given up is still done");
            assertTrue(report.steps().stream().noneMatch(x -> x.contains("value-") || x.contains("wrong")),
                    "steps carry no key or value bytes");
        }
    }

    @Test
    void theBuilderRefusesAMissingTargetARepeatedReplicaAndAMismatchedStore() throws Exception {
        try (ResyncReplicas set = new ResyncReplicas(dir, 2)) {
            WholeReplicaResync.Builder b = WholeReplicaResync.builder(set.stores[0], set.validators[0]);
            IllegalStateException none = assertThrows(IllegalStateException.class,
                    b::build);
            assertTrue(none.getMessage().contains("no target"), none.getMessage());
            b.target(set.agents[1]);
            assertThrows(IllegalArgumentException.class,
                    () -> b.source(set.agents[1]));
            b.source(set.agents[0]).targetStore(set.stores[0]);
            IllegalStateException wrong = assertThrows(IllegalStateException.class,
                    b::build);
            assertTrue(wrong.getMessage().contains("target's store"), wrong.getMessage());
        }
    }

    /** Probes the whole namespace on the primary (no writes run now) and compares every replica's digest there. */
    private static void assertWholeNamespaceEqual(ResyncReplicas set, String ns) throws InterruptedException {
        RangeProbe probe = set.validators[0].probe(ns, null, null);
        set.awaitReplicated();
        RangeDigest primary = probe.digest();
        assertEquals(RangeDigest.Status.OK, primary.status());
        for (int i = 1; i < 3; i++) {
            Optional<RangeDigest> d = set.validators[i].digestAt(probe.sequence());
            assertTrue(d.isPresent(), "replica " + i + " has a digest of " + ns);
            assertTrue(primary.matches(d.get()), "replica " + i + "'s digest of " + ns + ": " + d.get()
                    + " vs the primary's " + primary);
        }
    }

    /** Overwrites existing keys through the primary until stopped; every acknowledged write goes into the oracle. */
    private static Thread overwriter(ResyncReplicas set, long seed, int keys, AtomicBoolean stop,
                                     AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            Random r = new Random(seed);
            try {
                while (!stop.get()) {
                    byte[] v = new byte[10 + r.nextInt(50)];
                    r.nextBytes(v);
                    set.put("orders", key(r.nextInt(keys)), v);
                    Thread.sleep(1);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "resync-test-overwriter");
        t.start();
        return t;
    }

    /** Writes and deletes through the primary until stopped; every acknowledged one goes into the oracle. */
    private static Thread writer(ResyncReplicas set, long seed, int[] keys, AtomicBoolean stop,
                                 AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            Random r = new Random(seed);
            try {
                for (int n = 0; !stop.get(); n++) {
                    int ns = r.nextInt(NAMESPACES.length);
                    int k = r.nextInt(keys[ns] + 200);
                    if (r.nextInt(10) == 0) {
                        set.delete(NAMESPACES[ns], key(k));
                    } else {
                        byte[] v = new byte[10 + r.nextInt(50)];
                        r.nextBytes(v);
                        set.put(NAMESPACES[ns], key(k), v);
                    }
                    Thread.sleep(1);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "resync-test-writer");
        t.start();
        return t;
    }
}
