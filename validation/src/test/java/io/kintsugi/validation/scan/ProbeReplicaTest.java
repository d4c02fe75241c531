package io.kintsugi.validation.scan;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.replication.NotPrimaryException;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;
import io.kintsugi.validation.health.HealthQuery;
import io.kintsugi.validation.health.Verdict;
import io.kintsugi.validation.verify.StoreFaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probes over three replicas (in process and over TCP on 127.0.0.1): every replica's digest at one sequence tells the
 * logically corrupted replica from the healthy ones, a healthy replica's held snapshot serves the range as of that
 * sequence after later writes changed it, holds expire and are bounded, and concurrent writes never make healthy
 * replicas disagree.
 */
class ProbeReplicaTest {

    @TempDir
    Path dir;

    static byte[] key(int i) {
        return String.format("key-%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads a lease's whole range into a sorted map, checking ascending order on the way. */
    private static TreeMap<byte[], byte[]> readAll(HeldRange lease, RangeHasher hasher) {
        TreeMap<byte[], byte[]> pairs = new TreeMap<>(Arrays::compareUnsigned);
        hasher.reset();
        try (Cursor c = lease.scan()) {
            while (c.next()) {
                hasher.add(c.key(), c.value());
                pairs.put(c.key(), c.value());
            }
        }
        return pairs;
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void digestsAtOneSequenceSingleOutTheVictimAndAHealthyHoldServesTheRangeAsOfIt(boolean tcp) throws Exception {
        Random r = new Random(0x9B0BE + (tcp ? 1 : 0));
        try (ProbeReplicas set = new ProbeReplicas(dir, tcp, ValidatorOptions.defaults())) {
            Store primary = set.stores[0];
            Namespace orders = primary.namespace("orders");
            TreeMap<byte[], byte[]> oracle = new TreeMap<>(Arrays::compareUnsigned);
            for (int i = 0; i < 2000; i++) {
                byte[] v = new byte[10 + r.nextInt(60)];
                r.nextBytes(v);
                orders.put(key(i), v);
                oracle.put(key(i), v);
            }
            set.awaitChecked(primary.lastSequence());
            Store victim = set.stores[2];
            FaultHooks.writeWithoutOplog(victim.namespace("orders"), key(321), ascii("wrong"));
            victim.flush(); // the wrong value now sits in a segment file with valid checksums

            RangeProbe probe = set.validators[0].probe("orders", key(300), key(400));
            long s = probe.sequence();
            RangeDigest primaryDigest = probe.digest();
            assertEquals(RangeDigest.Status.OK, primaryDigest.status());
            assertEquals(s, primaryDigest.sequence());
            assertEquals(100, primaryDigest.count());
            set.awaitChecked(s);

            RangeDigest[] digests = new RangeDigest[3];
            for (int i = 0; i < 3; i++) {
                Optional<RangeDigest> d = set.validators[i].digestAt(s);
                assertTrue(d.isPresent(), "replica " + i + " has a digest at " + s);
                digests[i] = d.get();
                assertEquals(RangeDigest.Status.OK, digests[i].status());
                assertEquals(s, digests[i].sequence());
                assertArrayEquals(key(300), digests[i].from());
                assertArrayEquals(key(400), digests[i].to());
                assertFalse(digests[i].toString().contains("key-"), digests[i].toString());
            }
            assertEquals(primaryDigest, digests[0], "the primary's recorded digest is the probe's");
            assertTrue(digests[1].matches(digests[0]), "healthy follower agrees: " + digests[1]);
            assertFalse(digests[2].matches(digests[0]), "the victim differs: " + digests[2]);
            assertNotEquals(digests[0].hash(), digests[2].hash());
            assertEquals(digests[0].count(), digests[2].count(), "a changed value, not a missing key");
            assertTrue(set.validators[1].digestAt(s - 1).isEmpty(), "no marker at s - 1");

            // Later writes change the probed range on every replica.
            for (int i = 300; i < 400; i++) {
                if (i % 4 == 0) {
                    orders.delete(key(i));
                } else {
                    orders.put(key(i), ascii("later-" + i));
                }
            }
            orders.put(key(350), ascii("x"));
            set.awaitChecked(primary.lastSequence());
            primary.flush();
            set.stores[1].flush();

            TreeMap<byte[], byte[]> expected = new TreeMap<>(oracle.subMap(key(300), key(400)));
            RangeHasher hasher = new RangeHasher();
            for (int i : new int[]{1, 0}) {
                try (HeldRange lease = set.validators[i].heldSnapshot(s).orElseThrow()) {
                    assertEquals(s, lease.sequence());
                    assertEquals("orders", lease.namespace());
                    TreeMap<byte[], byte[]> read = readAll(lease, hasher);
                    assertEquals(expected.size(), read.size(), "replica " + i);
                    for (var e : expected.entrySet()) {
                        assertArrayEquals(e.getValue(), read.get(e.getKey()), "replica " + i + " as of s");
                    }
                    assertEquals(primaryDigest.hash(), hasher.hash(), "replica " + i + " streams what was probed");
                    assertEquals(primaryDigest.bytes(), hasher.bytes());
                    // A part of the range can be read; nothing outside it.
                    int n = 0;
                    try (Cursor c = lease.scan(key(310), key(320))) {
                        while (c.next()) {
                            n++;
                        }
                    }
                    assertEquals(10, n);
                    assertThrows(IllegalArgumentException.class, () -> lease.scan(key(299), key(320)));
                    assertThrows(IllegalArgumentException.class, () -> lease.scan(key(310), key(401)));
                    int toEnd = 0;
                    try (Cursor c = lease.scan(key(390), null)) { // null: to the range's end, not the namespace's
                        while (c.next()) {
                            toEnd++;
                        }
                    }
                    assertEquals(expected.subMap(key(390), key(400)).size(), toEnd);
                }
            }
            // The victim's hold shows its own (wrong) data as of s: not a source.
            try (HeldRange lease = set.validators[2].heldSnapshot(s).orElseThrow()) {
                readAll(lease, hasher);
                assertEquals(digests[2].hash(), hasher.hash());
            }
            assertFalse(set.validators[1].isHeld(s - 1), "only probes' markers are held");
        }
    }

    @Test
    void aDamagedBlockOnAFollowerGivesADamagedDigestNamingTheFile() throws Exception {
        Random r = new Random(0xDA3A6E);
        try (ProbeReplicas set = new ProbeReplicas(dir, false, ValidatorOptions.defaults())) {
            Namespace orders = set.stores[0].namespace("orders");
            for (int i = 0; i < 3000; i++) {
                byte[] v = new byte[50 + r.nextInt(100)];
                r.nextBytes(v);
                orders.put(key(i), v);
            }
            set.awaitChecked(set.stores[0].lastSequence());
            set.stores[2].flush();
            UUID victimId = set.stores[2].id();
            Path[] damagedFile = new Path[1];
            set.reopenFollower(2, d -> {
                try {
                    TreeMap<Long, Path> files = StoreFaults.segmentFiles(d);
                    long number = files.firstKey();
                    damagedFile[0] = files.get(number);
                    List<BlockHandle> blocks = StoreFaults.dataBlocks(damagedFile[0], number, victimId);
                    StoreFaults.flipBitInBlock(damagedFile[0], blocks.get(r.nextInt(blocks.size())), r);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            RangeProbe probe = set.validators[0].probe("orders", null, null);
            set.awaitChecked(probe.sequence());
            RangeDigest healthy = set.validators[1].digestAt(probe.sequence()).orElseThrow();
            RangeDigest victim = set.validators[2].digestAt(probe.sequence()).orElseThrow();
            assertTrue(healthy.matches(probe.digest()), healthy.toString());
            assertEquals(3000, healthy.count());
            assertEquals(RangeDigest.Status.DAMAGED, victim.status());
            assertTrue(victim.damage().contains(damagedFile[0].getFileName().toString()), victim.damage());
            assertFalse(victim.toString().contains("key-"), victim.toString());
            // The victim's own hold is no source: reading it meets the damage.
            try (HeldRange lease = set.validators[2].heldSnapshot(probe.sequence()).orElseThrow()) {
                assertThrows(CorruptionException.class, () -> readAll(lease, new RangeHasher()));
            }
        }
    }

    @Test
    void scanBatchesLeaveDigestsButNoHolds() throws Exception {
        try (ProbeReplicas set = new ProbeReplicas(dir, false, ValidatorOptions.defaults())) {
            Namespace ns = set.stores[0].namespace("users");
            for (int i = 0; i < 500; i++) {
                ns.put(key(i), ascii("v" + i));
            }
            RangeScan scan = set.validators[0].startScan(ScanOptions.builder().maxBatchKeys(100)
                    .bytesPerSecond(1L << 40).logEvery(1).build());
            assertTrue(scan.await(Duration.ofSeconds(60)));
            set.awaitChecked(set.stores[0].lastSequence());
            long batches = scan.progress().batches();
            assertTrue(batches >= 5, scan.progress().toString());
            // The markers are the last records: each replica has a digest at each, equal across replicas.
            long last = set.stores[0].lastSequence();
            int found = 0;
            for (long seq = last; seq > last - batches; seq--) {
                Optional<RangeDigest> d0 = set.validators[0].digestAt(seq);
                if (d0.isEmpty()) {
                    continue;
                }
                found++;
                for (int i = 1; i < 3; i++) {
                    assertTrue(d0.get().matches(set.validators[i].digestAt(seq).orElseThrow()), "replica " + i);
                    assertFalse(set.validators[i].isHeld(seq), "a scan batch is not held");
                }
            }
            assertTrue(found >= 1, "the last markers have digests");
        }
    }

    @Test
    void holdsExpireButNotWhileLeasedAndAreBoundedInNumber() throws Exception {
        ValidatorOptions options = ValidatorOptions.builder().holdTime(Duration.ofMillis(300)).maxHeld(2).build();
        try (ProbeReplicas set = new ProbeReplicas(dir, false, options)) {
            Namespace ns = set.stores[0].namespace("t");
            for (int i = 0; i < 100; i++) {
                ns.put(key(i), ascii("v" + i));
            }
            Validator follower = set.validators[1];
            // Get a lease before the short hold runs out; probe again if this machine was too slow.
            HeldRange lease = null;
            long s = -1;
            for (int attempt = 0; attempt < 50 && lease == null; attempt++) {
                s = set.validators[0].probe("t", key(10), key(20)).sequence();
                set.awaitChecked(s);
                lease = follower.heldSnapshot(s).orElse(null);
            }
            assertTrue(lease != null, "a lease was obtained");
            long leased = s;
            try (HeldRange l = lease) {
                ns.put(key(15), ascii("changed"));
                Thread.sleep(1000); // several hold times: a leased hold must survive them
                RangeHasher h = new RangeHasher();
                assertEquals(10, readAll(l, h).size());
                assertArrayEquals(ascii("v15"), readAll(l, h).get(key(15)));
            }
            // Released after the lease closed and the hold time passed.
            // Polling with isHeld, which does not extend the hold as a lease would.
            ScanReplicas.until(() -> !follower.isHeld(leased));
        }
        // At most two holds: the third probe releases the oldest, however long their time.
        try (ProbeReplicas set = new ProbeReplicas(dir.resolve("bounded"), false,
                ValidatorOptions.builder().maxHeld(2).build())) {
            Namespace ns = set.stores[0].namespace("t");
            ns.put(key(1), ascii("a"));
            long[] seqs = new long[3];
            for (int i = 0; i < 3; i++) {
                seqs[i] = set.validators[0].probe("t", null, null).sequence();
            }
            set.awaitChecked(seqs[2]);
            for (int r = 0; r < 3; r++) {
                assertTrue(set.validators[r].heldSnapshot(seqs[0]).isEmpty() && !set.validators[r].isHeld(seqs[0]), "replica " + r + ": oldest released");
                for (int i = 1; i < 3; i++) {
                    try (HeldRange l = set.validators[r].heldSnapshot(seqs[i]).orElseThrow()) {
                        assertEquals(1, readAll(l, new RangeHasher()).size());
                    }
                }
                assertTrue(set.validators[r].digestAt(seqs[0]).isPresent(), "digests outlive holds");
            }
            // Closing the store releases every hold, leased or not.
            HeldRange open = set.validators[1].heldSnapshot(seqs[2]).orElseThrow();
            set.close();
            StorageException closed = assertThrows(StorageException.class, open::scan);
            assertTrue(closed.getMessage().contains("released"), closed.getMessage());
            open.close();
        }
    }

    @Test
    void badProbesAreRefusedWithAReason() throws Exception {
        try (ProbeReplicas set = new ProbeReplicas(dir, false, ValidatorOptions.defaults())) {
            set.stores[0].namespace("t").put(key(1), ascii("a"));
            set.awaitChecked(set.stores[0].lastSequence());
            NotPrimaryException np = assertThrows(NotPrimaryException.class,
                    () -> set.validators[1].probe("t", null, null));
            assertTrue(np.getMessage().contains("primary"), np.getMessage());
            Validator p = set.validators[0];
            assertThrows(IllegalArgumentException.class, () -> p.probe("t", key(5), key(5)));
            assertThrows(IllegalArgumentException.class, () -> p.probe("t", key(6), key(5)));
            assertThrows(IllegalArgumentException.class, () -> p.probe("nothing-here", null, null));
            assertThrows(IllegalArgumentException.class, () -> p.probe("Bad Name", null, null));
            assertThrows(IllegalArgumentException.class, () -> p.probe("t", new byte[64 * 1024 + 1], null));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ValidatorOptions.builder().holdTime(Duration.ZERO));
            assertTrue(e.getMessage().contains("1 ms to 1 hour"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "tcp={0}")
    @ValueSource(booleans = {false, true})
    void probesUnderConcurrentWritesNeverMakeHealthyReplicasDisagree(boolean tcp) throws Exception {
        try (ProbeReplicas set = new ProbeReplicas(dir, tcp, ValidatorOptions.defaults())) {
            Store primary = set.stores[0];
            Namespace ns = primary.namespace("hot");
            for (int i = 0; i < 2000; i++) {
                ns.put(key(i), new byte[]{(byte) i});
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Random r = new Random(91 + t);
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
            List<RangeProbe> probes = new ArrayList<>();
            int refused = 0;
            Random r = new Random(4242 + (tcp ? 1 : 0));
            try {
                // 80 probes, fewer than the checker's queue so that a follower catching up in one burst still
                // checks every one; before each, the writers must have written at least 20 more times, so that
                // every probe races live writes however the machine schedules the threads.
                for (int i = 0; i < 80; i++) {
                    long before = writes.get();
                    while (writes.get() < before + 20) {
                        assertTrue(writers.stream().anyMatch(Thread::isAlive), "the writers stopped");
                        Thread.sleep(1);
                    }
                    int from = r.nextInt(1900);
                    try {
                        probes.add(set.validators[0].probe("hot", key(from), key(from + 1 + r.nextInt(100))));
                    } catch (CorruptionException | NotPrimaryException e) {
                        throw e;
                    } catch (StorageException e) {
                        assertTrue(e.getMessage().contains("attempts"), e.getMessage());
                        refused++;
                    }
                }
            } finally {
                stop.set(true);
                for (Thread th : writers) {
                    th.join();
                }
            }
            set.awaitChecked(primary.lastSequence());
            assertTrue(probes.size() >= 10, probes.size() + " probes landed, " + refused + " refused");
            for (RangeProbe p : probes) {
                for (int i = 0; i < 3; i++) {
                    int replica = i;
                    RangeDigest d = set.validators[i].digestAt(p.sequence()).orElseThrow(() -> new AssertionError(
                            "replica " + replica + " has no digest at " + p.sequence() + " of " + probes.size()
                                    + " probes: " + set.validators[replica].checkerStats() + "; not checked: "
                                    + set.validators[replica].health().query(HealthQuery.builder()
                                    .verdicts(Verdict.NOT_CHECKED).limit(3).build())));
                    assertTrue(p.digest().matches(d), "replica " + i + " at " + p.sequence() + ": " + d
                            + " vs " + p.digest());
                }
            }
            for (int i = 1; i < 3; i++) {
                assertEquals(0, set.validators[i].checkerStats().inconsistent(), "replica " + i);
            }
        }
    }
}
