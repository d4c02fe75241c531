package io.kintsugi.validation.scan;

import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.Verdict;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three replicas over the in-process transport and over TCP on 127.0.0.1: a logical corruption on one replica is
 * flagged in exactly the affected ranges on exactly that replica, and concurrent writes never cause a false alarm.
 */
class RangeScanReplicaTest {

    @TempDir
    Path dir;

    static byte[] key(int i) {
        return String.format("key-%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static List<HealthEntry> withVerdict(List<HealthEntry> entries, Verdict v) {
        return entries.stream().filter(e -> e.verdict() == v).toList();
    }

    private static boolean contains(HealthEntry e, byte[] key) {
        return Arrays.compareUnsigned(key, e.minKey()) >= 0
                && (e.maxKey() == null || Arrays.compareUnsigned(key, e.maxKey()) < 0);
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void aLogicalCorruptionIsFlaggedInExactlyItsRangesOnExactlyThatReplica(boolean tcp) throws Exception {
        long seed = 0xC0FFEE + (tcp ? 1 : 0);
        Random r = new Random(seed);
        try (ScanReplicas set = new ScanReplicas(dir, tcp)) {
            Store primary = set.stores[0];
            Namespace orders = primary.namespace("orders");
            Namespace users = primary.namespace("users");
            for (int i = 0; i < 3000; i++) {
                byte[] v = new byte[20 + r.nextInt(100)];
                r.nextBytes(v);
                orders.put(key(i), v);
                if (i % 3 == 0) {
                    users.put(key(i), v);
                }
            }
            set.awaitQuiet();
            Store victim = set.stores[2];
            byte[] bad1 = key(321);
            byte[] bad2 = key(2345);
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), bad1, "wrong".getBytes(StandardCharsets.US_ASCII));
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), bad2, "wrong".getBytes(StandardCharsets.US_ASCII));
            victim.flush(); // the wrong values now sit in a segment file with valid checksums

            List<HealthEntry> primaryLog = new ArrayList<>();
            RangeScan scan = RangeScan.start(primary, primaryLog::add, ScanOptions.builder().maxBatchKeys(400)
                    .bytesPerSecond(1L << 40).logEvery(1).build());
            assertTrue(scan.await(Duration.ofSeconds(120)));
            ScanProgress p = scan.progress();
            assertEquals(ScanProgress.State.FINISHED, p.state(), p.toString());
            assertEquals(3000 + 1000, p.keys());
            set.awaitQuiet();

            CheckerStats healthy = set.checks[1].checker.stats();
            CheckerStats sick = set.checks[2].checker.stats();
            assertEquals(p.batches(), healthy.checked(), "the healthy follower checked every batch");
            assertEquals(p.batches(), healthy.consistent());
            assertEquals(0, healthy.inconsistent());
            assertEquals(p.batches(), sick.checked());
            assertEquals(2, sick.inconsistent(), "exactly the two corrupted ranges differ");
            assertEquals(p.batches(), set.checks[0].checker.stats().own(), "the primary only sees its own markers");
            assertEquals(0, withVerdict(set.checks[0].health, Verdict.INCONSISTENT).size());
            assertEquals(0, withVerdict(set.checks[1].health, Verdict.INCONSISTENT).size());

            List<HealthEntry> flagged = withVerdict(set.checks[2].health, Verdict.INCONSISTENT);
            assertEquals(2, flagged.size());
            assertTrue(flagged.stream().allMatch(e -> e.namespace().equals("orders")));
            assertTrue(flagged.stream().anyMatch(e -> contains(e, bad1)));
            assertTrue(flagged.stream().anyMatch(e -> contains(e, bad2)));
            for (HealthEntry e : flagged) {
                assertTrue(e.expected() != null && !e.expected().equals(e.found()));
                assertTrue(!e.toString().contains("wrong") && !e.toString().contains("key-"), e.toString());
            }
            // The primary logged each of its batches with the hash the followers compared against.
            assertEquals(p.batches() + 1, primaryLog.size(), "one entry per batch, and the pass summary");
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void heavyConcurrentWritesNeverCauseAFalseInconsistency(boolean tcp) throws Exception {
        try (ScanReplicas set = new ScanReplicas(dir, tcp)) {
            Store primary = set.stores[0];
            Namespace ns = primary.namespace("hot");
            for (int i = 0; i < 2000; i++) {
                ns.put(key(i), new byte[]{(byte) i});
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Random r = new Random(77 + t);
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        int k = r.nextInt(2000);
                        if (r.nextInt(8) == 0) {
                            ns.delete(key(k));
                        } else {
                            byte[] v = new byte[1 + r.nextInt(64)];
                            r.nextBytes(v);
                            ns.put(key(k), v);
                        }
                        writes.incrementAndGet();
                    }
                });
                th.start();
                writers.add(th);
            }
            long batches = 0;
            long refused = 0;
            try {
                for (int pass = 0; pass < 4; pass++) {
                    // Each pass starts only once the writers have written 250 more times, so every pass races
                    // live writes however the machine schedules the threads.
                    long before = writes.get();
                    while (writes.get() < before + 250) {
                        assertTrue(writers.stream().anyMatch(Thread::isAlive), "the writers stopped");
                        Thread.sleep(1);
                    }
                    RangeScan scan = RangeScan.start(primary, e -> { }, ScanOptions.builder().namespace("hot")
                            .maxBatchKeys(50 + pass * 200).bytesPerSecond(1L << 40).resume(false).build());
                    assertTrue(scan.await(Duration.ofSeconds(120)));
                    assertEquals(ScanProgress.State.FINISHED, scan.progress().state(), scan.progress().toString());
                    batches += scan.progress().batches();
                    refused += scan.progress().refusedMarkers();
                }
            } finally {
                stop.set(true);
                for (Thread th : writers) {
                    th.join();
                }
            }
            set.awaitQuiet();
            for (int i = 1; i < 3; i++) {
                CheckerStats s = set.checks[i].checker.stats();
                assertEquals(0, s.inconsistent(), "follower " + i + ": " + s + " (" + refused + " refused)");
                assertEquals(batches, s.checked(), "follower " + i + " checked every marker: " + s);
            }
        }
    }

    /**
     * Values large enough that a batch spans many hash chunks, so that a write refusing a batch's marker leaves
     * checkpoints before it: the marker then lands on the unchanged prefix. Those shortened markers must be as exact
     * as whole ones on every follower.
     */
    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void markersShortenedToACheckpointAreExactOnEveryFollower(boolean tcp) throws Exception {
        try (ScanReplicas set = new ScanReplicas(dir, tcp)) {
            Store primary = set.stores[0];
            Namespace ns = primary.namespace("wide");
            Random load = new Random(41);
            for (int i = 0; i < 3000; i++) {
                byte[] v = new byte[300 + load.nextInt(500)];
                load.nextBytes(v);
                ns.put(key(i), v);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            Random r = new Random(43);
            Thread writer = new Thread(() -> {
                while (!stop.get()) {
                    byte[] v = new byte[300 + r.nextInt(500)];
                    r.nextBytes(v);
                    ns.put(key(r.nextInt(3000)), v);
                    writes.incrementAndGet();
                    LockSupport.parkNanos(200_000); // a steady stream: some batches land whole, some are cut short
                }
            });
            writer.start();
            long batches = 0;
            long shortened = 0;
            try {
                for (int pass = 0; pass < 6 && (pass < 2 || shortened == 0); pass++) {
                    long before = writes.get();
                    while (writes.get() < before + 50) {
                        assertTrue(writer.isAlive(), "the writer stopped");
                        Thread.sleep(1);
                    }
                    RangeScan scan = RangeScan.start(primary, e -> { }, ScanOptions.builder().namespace("wide")
                            .maxBatchKeys(3000).bytesPerSecond(1L << 40).resume(false).build());
                    assertTrue(scan.await(Duration.ofSeconds(120)));
                    ScanProgress p = scan.progress();
                    assertEquals(ScanProgress.State.FINISHED, p.state(), p.toString());
                    assertEquals(0, p.skippedRanges(), p.toString());
                    batches += p.batches();
                    shortened += p.shortenedMarkers();
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertTrue(shortened > 0, "some markers were cut short at a checkpoint (" + batches + " batches)");
            set.awaitQuiet();
            for (int i = 1; i < 3; i++) {
                CheckerStats s = set.checks[i].checker.stats();
                assertEquals(0, s.inconsistent(), "follower " + i + ": " + s + " (" + shortened + " shortened)");
                assertEquals(batches, s.checked(), "follower " + i + " checked every marker: " + s);
            }
        }
    }
}
