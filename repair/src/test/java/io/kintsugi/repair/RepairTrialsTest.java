package io.kintsugi.repair;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.RepairServiceEvent.Kind;
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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded repair trials over TCP on 127.0.0.1: three replicas under a write and read load, one random fault
 * ({@link TrialFault}) on one replica (the primary too), sometimes a bit flip on another replica in a far range (so
 * that a source is itself damaged elsewhere), found by a range-hash scan or by a read, and repaired by a
 * {@link RepairService} under {@link RepairPolicy#AUTOMATIC} with no other call. Then, with the load stopped:
 * <ul>
 *   <li>every replica the coordinator outvoted is one that was damaged, and every damaged one was repaired (its
 *   lineage shows the copies; the others' lineage is empty);</li>
 *   <li>no job gave up or ended without a majority;</li>
 *   <li>no replica lists a damaged range, and every block of the namespace reads on every replica;</li>
 *   <li>the three replicas hash the namespace alike (read with a cursor, and by a coordinator's vote over the whole
 *   namespace, which finds them CONSISTENT);</li>
 *   <li>every acknowledged write (puts and deletes) reads back on all three;</li>
 *   <li>no read during the trial returned a wrong value ({@link TrialWorkload}).</li>
 * </ul>
 *
 * <p>With two replicas ({@link #seededTwoReplicaTrials}) the service reports each fault with no majority and
 * changes nothing: no copy, the fault still there, every acknowledged write still read back.
 *
 * <p>The seed picks everything: the fault ({@code seed mod 4}), the replica ({@code seed mod 3}), the key, the
 * detection, the second fault; it is printed in every assertion message. Trials: {@code -Dkintsugi.repair.trials=N}
 * (by default a fiftieth of {@code kintsugi.corruption.cases}, so 4 by default and 60 under {@code -Pstress});
 * seeds {@code base, base+1, ...} with {@code -Dkintsugi.repair.trials.base} (default {@value #BASE_SEED}); one seed
 * alone: {@code -Dkintsugi.repair.trial.seed=S}. The interleaving of writes, reads and repairs depends on the
 * machine, so a seed fixes the faults and the workload, not every timing.
 */
class RepairTrialsTest {

    static final long BASE_SEED = 0x7121A1;
    private static final int KEYS = 2000;
    /** The first fault is on one of the keys below this. */
    private static final int FIRST_FAULT_KEYS = 700;
    /** Keys between the two faults of a trial with two, at least: a block holds about 140 to 170 keys here. */
    private static final int GAP = 600;

    @TempDir
    Path dir;

    static List<Long> seeds() {
        String one = System.getProperty("kintsugi.repair.trial.seed");
        if (one != null && !one.isBlank()) {
            return List.of(Long.decode(one.trim()));
        }
        int trials = Integer.getInteger("kintsugi.repair.trials",
                Math.max(4, Integer.getInteger("kintsugi.corruption.cases", 200) / 50));
        long base = Long.getLong("kintsugi.repair.trials.base", BASE_SEED);
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            seeds.add(base + i);
        }
        return seeds;
    }

    @TestFactory
    Stream<DynamicTest> seededRepairTrials() {
        return seeds().stream().map(s -> DynamicTest.dynamicTest("seed 0x" + Long.toHexString(s),
                () -> new Trial(s, dir.resolve("seed-" + Long.toHexString(s)), 3).run()));
    }

    /**
     * Two replicas only: a bit flip or a logical corruption on either is found and reported with no majority, and
     * nothing is copied or changed. A quarter as many trials as with three replicas, at least two.
     */
    @TestFactory
    Stream<DynamicTest> seededTwoReplicaTrials() {
        List<Long> seeds = seeds();
        return seeds.stream().limit(seeds.size() == 1 ? 1 : Math.max(2, seeds.size() / 4)).map(s ->
                DynamicTest.dynamicTest("two replicas, seed 0x" + Long.toHexString(s),
                        () -> new Trial(s, dir.resolve("two-" + Long.toHexString(s)), 2).run()));
    }

    /** One damaged replica and the key the fault is placed by. */
    private record Damage(int replica, TrialFault kind, int key) {
    }

    /** One seeded trial. */
    private static final class Trial {
        final long seed;
        final Path root;
        final int replicas;
        final TrialFault kind;
        final int victim;
        final boolean byScan;
        final List<Damage> damage = new ArrayList<>();
        final List<InjectedFault> injected = new CopyOnWriteArrayList<>();
        final String at;
        long term = 1;
        int scans;

        Trial(long seed, Path root, int replicas) {
            this.seed = seed;
            this.root = root;
            this.replicas = replicas;
            // SplittableRandom mixes its seed: java.util.Random's first draws for seeds 1, 2, 3... are nearly equal.
            SplittableRandom r = new SplittableRandom(seed);
            if (replicas == 3) {
                kind = TrialFault.values()[(int) Math.floorMod(seed, 4L)];
                victim = (int) Math.floorMod(seed, 3L);
            } else {
                kind = Math.floorMod(seed, 2L) == 0 ? TrialFault.BIT_FLIP : TrialFault.LOGICAL;
                victim = (int) Math.floorMod(seed / 2, 2L);
            }
            byScan = !kind.detectedOnRead() || r.nextBoolean();
            damage.add(new Damage(victim, kind, r.nextInt(FIRST_FAULT_KEYS)));
            // A source damaged in another range: only beside faults placed by key, and at least GAP keys on, more
            // than two blocks, so that no block holds both. (Two replicas wrong within one block's range have no
            // majority there: that is reported, not repaired.)
            if (replicas == 3 && (kind == TrialFault.BIT_FLIP || kind == TrialFault.LOGICAL) && r.nextInt(3) == 0) {
                damage.add(new Damage((victim + 1 + r.nextInt(2)) % 3, TrialFault.BIT_FLIP,
                        FIRST_FAULT_KEYS + GAP + r.nextInt(KEYS - FIRST_FAULT_KEYS - GAP)));
            }
            StringBuilder s = new StringBuilder("seed 0x" + Long.toHexString(seed) + " (" + replicas + " replicas, ");
            for (Damage d : damage) {
                s.append(d.kind()).append(" on replica ").append(d.replica());
                if (d.kind() == TrialFault.BIT_FLIP || d.kind() == TrialFault.LOGICAL) {
                    s.append(" at key ").append(d.key());
                }
                s.append(", ");
            }
            at = s.append("found by ").append(byScan ? "a scan" : "a read").append("): ").toString();
        }

        void run() throws Exception {
            Set<Integer> spared = new HashSet<>();
            damage.forEach(d -> spared.add(d.key()));
            // Compressed blocks differ in length by a few bytes; only uncompressed ones can be swapped in place.
            try (RepairReplicas set = new RepairReplicas(root, replicas, 64 << 20,
                    b -> b.compression(kind != TrialFault.SWAPPED_BLOCKS))) {
                TrialWorkload load = new TrialWorkload(set, KEYS, seed, spared);
                load.load();
                for (Store s : set.stores) {
                    s.flush();
                }
                load.start();
                List<RepairServiceEvent> events = new CopyOnWriteArrayList<>();
                Instant faultsAt;
                try {
                    // Faults in files first: a restart would undo a logical corruption still in a memtable. The
                    // primary's last: its restart raises the term, and the fixture reopens followers at term 1.
                    for (Damage d : damage) {
                        if (d.kind().onDisk() && d.replica() != 0) {
                            damageOnDisk(set, load, d);
                        }
                    }
                    for (Damage d : damage) {
                        if (d.kind().onDisk() && d.replica() == 0) {
                            damageOnDisk(set, load, d);
                        }
                    }
                    for (Damage d : damage) {
                        if (!d.kind().onDisk()) {
                            corruptLogically(set, load, d);
                        }
                    }
                    faultsAt = Instant.now();
                    try (RepairService service = service(set, events).start()) {
                        detect(set);
                        if (replicas == 3) {
                            awaitRepaired(set, events);
                        } else {
                            awaitReported(events);
                        }
                    }
                } finally {
                    load.stop();
                }
                if (replicas == 3) {
                    prove(set, load, events, faultsAt);
                } else {
                    proveNothingChanged(set, load, events);
                }
                long jobs = events.stream().filter(e -> e.kind() == Kind.QUEUED).count();
                System.out.printf("repair trial %s%d writes, %d reads checked, %d scan passes, %d jobs, %d repairs%n",
                        at, load.writes.get(), load.reads.get(), scans, jobs,
                        events.stream().filter(e -> e.outcome() == Outcome.REPAIRED).count());
            }
        }

        private void damageOnDisk(RepairReplicas set, TrialWorkload load, Damage d) {
            load.gates[d.replica()].writeLock().lock();
            try {
                load.expectDamageOn(d.replica());
                java.util.function.Consumer<Path> edit = p -> injected.add(d.kind().applyOnDisk(p,
                        seed + d.replica(), TrialWorkload.key(d.key())));
                if (d.replica() == 0) {
                    set.reopenPrimary(++term, edit);
                } else {
                    set.reopenFollower(d.replica(), edit);
                }
            } finally {
                load.gates[d.replica()].writeLock().unlock();
            }
        }

        private void corruptLogically(RepairReplicas set, TrialWorkload load, Damage d) throws InterruptedException {
            Store store = set.stores[d.replica()];
            long flushed = store.lastSequence();
            // The key's newest version is flushed: the injection needs a later write in the memtable to sit at.
            RepairReplicas.until(() -> store.lastSequence() > flushed);
            load.skipKey(d.key());
            injected.add(FaultInjector.forStore(set.directory(d.replica()), seed).corruptValueLogically(store,
                    TrialWorkload.NAMESPACE, TrialWorkload.key(d.key()), TrialFault.WRONG));
        }

        private RepairService.Builder service(RepairReplicas set, List<RepairServiceEvent> events) {
            RepairService.Builder b = RepairService.builder(set.coordinator().build())
                    .pollInterval(Duration.ofMillis(50)).backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                    .listener(events::add);
            for (int i = 0; i < set.stores.length; i++) {
                b.watch(set.stores[i], set.validators[i]);
            }
            return b;
        }

        /** A range-hash scan of the namespace, or reads on each damaged replica, which must throw. */
        private void detect(RepairReplicas set) throws InterruptedException {
            if (byScan) {
                scan(set);
                scans++;
                return;
            }
            for (Damage d : damage) {
                Store s = set.stores[d.replica()];
                if (d.kind() == TrialFault.BIT_FLIP) {
                    assertThrows(CorruptionException.class, () -> s.namespace(TrialWorkload.NAMESPACE)
                            .get(TrialWorkload.key(d.key())), at + "the read of the flipped block must throw");
                } else {
                    // Which keys the junk or the swap hit is not known: a cursor over all of them meets it.
                    assertThrows(CorruptionException.class, () -> readAll(s), at + "a cursor over the damaged "
                            + "replica must throw");
                }
            }
        }

        private void scan(RepairReplicas set) throws InterruptedException {
            try (RangeScan scan = set.validators[0].startScan(ScanOptions.builder()
                    .namespace(TrialWorkload.NAMESPACE).maxBatchKeys(400).bytesPerSecond(1L << 40).resume(false)
                    .build())) {
                assertTrue(scan.await(Duration.ofSeconds(120)), "the scan did not finish within 120 s");
            }
            set.awaitReplicated();
        }

        /** Until every job ended and each fault's symptom is gone from its replica. */
        private void awaitRepaired(RepairReplicas set, List<RepairServiceEvent> events) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long lastScan = System.nanoTime();
            while (!repaired(set, events)) {
                // A scan pass skips a range that keeps changing under the writes once its retries run out; as a
                // scanner running pass after pass would, the trial scans again while no job is open.
                if (byScan && System.nanoTime() - lastScan > Duration.ofSeconds(2).toNanos() && !anyOpen(events)) {
                    scan(set);
                    scans++;
                    lastScan = System.nanoTime();
                }
                List<RepairServiceEvent> bad = events.stream().filter(e -> e.kind() == Kind.GAVE_UP
                        || (e.kind() == Kind.FINISHED && e.outcome() == Outcome.NO_MAJORITY)).toList();
                assertTrue(bad.isEmpty(), at + "a job gave up or found no majority: " + bad + "\n" + events);
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(at + "not repaired within 120 s; events: " + events + "\nscan verdicts: "
                            + scanVerdicts(set));
                }
                Thread.sleep(20);
            }
        }

        private static boolean anyOpen(List<RepairServiceEvent> events) {
            Set<Long> open = new TreeSet<>();
            for (RepairServiceEvent e : events) {
                if (e.kind() == Kind.QUEUED) {
                    open.add(e.jobId());
                } else if (e.kind() == Kind.FINISHED || e.kind() == Kind.GAVE_UP || e.kind() == Kind.REJECTED) {
                    open.remove(e.jobId());
                }
            }
            return !open.isEmpty();
        }

        /** Every replica's scan verdicts, for a failure message: metadata only. */
        private static String scanVerdicts(RepairReplicas set) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < set.validators.length; i++) {
                for (HealthEntry e : set.validators[i].health().query(HealthQuery.builder()
                        .kinds(HealthKind.SCAN_BATCH).build())) {
                    b.append("\n  replica ").append(i).append(": ").append(e.verdict()).append(" at sequence ")
                            .append(e.sequence()).append(' ').append(e.rangeFingerprint()).append(": ")
                            .append(e.detail());
                }
            }
            return b.toString();
        }

        private boolean repaired(RepairReplicas set, List<RepairServiceEvent> events) {
            Set<Long> open = new TreeSet<>();
            for (RepairServiceEvent e : events) {
                if (e.kind() == Kind.QUEUED) {
                    open.add(e.jobId());
                } else if (e.kind() == Kind.FINISHED || e.kind() == Kind.GAVE_UP || e.kind() == Kind.REJECTED) {
                    open.remove(e.jobId());
                }
            }
            if (!open.isEmpty() || events.stream().noneMatch(e -> e.kind() == Kind.FINISHED)) {
                return false;
            }
            for (Damage d : damage) {
                Store s = set.stores[d.replica()];
                try {
                    if (d.kind() == TrialFault.LOGICAL) {
                        byte[] got = s.namespace(TrialWorkload.NAMESPACE).get(TrialWorkload.key(d.key()));
                        if (Arrays.equals(TrialFault.WRONG, got)) {
                            return false;
                        }
                    } else {
                        // A damaged block not yet found is found here, listed, and taken up by the service.
                        readAll(s);
                        if (!s.damage().isEmpty()) {
                            return false;
                        }
                    }
                } catch (CorruptionException e) {
                    return false;
                }
            }
            return true;
        }

        /** Until every job ended; each must end with no majority, and none may repair. */
        private void awaitReported(List<RepairServiceEvent> events) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                List<RepairServiceEvent> ends = events.stream().filter(e -> e.kind() == Kind.FINISHED
                        || e.kind() == Kind.GAVE_UP).toList();
                for (RepairServiceEvent e : ends) {
                    assertEquals(Outcome.NO_MAJORITY, e.outcome(), at + "two replicas: reported, never guessed; "
                            + "events: " + events);
                }
                long queued = events.stream().filter(e -> e.kind() == Kind.QUEUED).count();
                if (!ends.isEmpty() && ends.size() == queued) {
                    return;
                }
                assertTrue(System.nanoTime() - deadline < 0, at + "not reported within 120 s; events: " + events);
                Thread.sleep(20);
            }
        }

        /** Two replicas: nothing copied, the fault still there, every acknowledged write still on the other. */
        private void proveNothingChanged(RepairReplicas set, TrialWorkload load, List<RepairServiceEvent> events)
                throws InterruptedException {
            assertEquals(List.of(), load.wrongAnswers, at + "wrong answers during the trial");
            assertTrue(load.writes.get() > 0, at + "the load ran");
            set.awaitReplicated();
            for (int i = 0; i < set.stores.length; i++) {
                assertEquals(List.of(), set.agents[i].lineage().query(LineageQuery.all()), at + "replica " + i
                        + " copied nothing");
            }
            Damage d = damage.get(0);
            byte[] faultKey = TrialWorkload.key(d.key());
            if (d.kind() == TrialFault.LOGICAL) {
                assertArrayEquals(TrialFault.WRONG, set.stores[d.replica()].namespace(TrialWorkload.NAMESPACE)
                        .get(faultKey), at + "the corrupted value is left as it is");
            } else {
                assertThrows(CorruptionException.class, () -> set.stores[d.replica()]
                        .namespace(TrialWorkload.NAMESPACE).get(faultKey), at + "the damaged block is left as it is");
            }
            for (int i = 0; i < set.stores.length; i++) {
                for (Map.Entry<Integer, TrialWorkload.Write> w : load.oracle.entrySet()) {
                    if (i == d.replica() && w.getKey() == d.key()) {
                        continue;
                    }
                    byte[] got;
                    try {
                        got = set.stores[i].namespace(TrialWorkload.NAMESPACE).get(TrialWorkload.key(w.getKey()));
                    } catch (CorruptionException e) {
                        assertEquals(d.replica(), i, at + "only the damaged replica may fail a read");
                        continue;
                    }
                    if (!Arrays.equals(w.getValue().value(), got)) {
                        throw new AssertionError(at + "replica " + i + " lost acknowledged write "
                                + w.getValue().number() + " of key " + w.getKey());
                    }
                }
            }
            assertTrue(set.validators[0].health().query(HealthQuery.builder().kinds(HealthKind.REPAIR).build())
                    .stream().anyMatch(e -> e.detail().contains("no majority")), at + "the primary's health log "
                    + "says there was no majority; events: " + events);
        }

        /** After the load stopped: the claims of the class comment. */
        private void prove(RepairReplicas set, TrialWorkload load, List<RepairServiceEvent> events,
                           Instant faultsAt) throws Exception {
            assertEquals(List.of(), load.wrongAnswers, at + "wrong answers during the trial");
            assertTrue(load.writes.get() > 0 && load.reads.get() > 0, at + "the load ran: " + load.writes
                    + " writes, " + load.reads + " reads");
            set.awaitReplicated();

            Set<String> damagedIds = new TreeSet<>();
            damage.forEach(d -> damagedIds.add(set.agents[d.replica()].replicaId()));
            Set<String> outvoted = new TreeSet<>();
            for (HealthEntry e : set.validators[0].health().query(HealthQuery.builder().kinds(HealthKind.REPAIR)
                    .since(faultsAt).build())) {
                int i = e.detail().indexOf(", outvoted: ");
                if (e.detail().contains(": voted at sequence ") && i >= 0) {
                    String rest = e.detail().substring(i + ", outvoted: ".length());
                    int end = rest.indexOf(',');
                    outvoted.addAll(Arrays.asList((end < 0 ? rest : rest.substring(0, end)).split(", ")));
                }
            }
            assertEquals(damagedIds, outvoted, at + "the outvoted replicas are exactly the damaged ones; "
                    + "events: " + events);
            for (int i = 0; i < set.stores.length; i++) {
                List<LineageRecord> copies = set.agents[i].lineage().query(LineageQuery.all());
                String id = set.agents[i].replicaId();
                if (damagedIds.contains(id)) {
                    assertFalse(copies.isEmpty(), at + "replica " + i + " was damaged and repaired: its lineage "
                            + "shows the copy");
                    for (LineageRecord c : copies) {
                        assertFalse(damagedIds.contains(c.sourceReplica()) && damageOverlaps(set, c), at
                                + "replica " + i + " copied from a replica damaged in the same range");
                    }
                } else {
                    assertEquals(List.of(), copies, at + "replica " + i + " was not damaged and copied nothing");
                }
                assertEquals(List.of(), set.stores[i].damage(), at + "replica " + i + " still lists damage");
            }

            byte[][] hashes = new byte[set.stores.length][];
            for (int i = 0; i < set.stores.length; i++) {
                hashes[i] = namespaceHash(set.stores[i]);
            }
            for (int i = 1; i < hashes.length; i++) {
                assertArrayEquals(hashes[0], hashes[i], at + "replica " + i + " hashes the namespace unlike the "
                        + "primary");
            }
            RepairReport whole = set.coordinator().build().repairRange(TrialWorkload.NAMESPACE, null, null,
                    Instant.EPOCH, "trial proof");
            assertEquals(Outcome.CONSISTENT, whole.outcome(), at + String.join("\n", whole.steps()));

            for (int i = 0; i < set.stores.length; i++) {
                for (Map.Entry<Integer, TrialWorkload.Write> w : load.oracle.entrySet()) {
                    byte[] got = set.stores[i].namespace(TrialWorkload.NAMESPACE).get(TrialWorkload.key(w.getKey()));
                    if (!Arrays.equals(w.getValue().value(), got)) {
                        throw new AssertionError(at + "replica " + i + " lost acknowledged write "
                                + w.getValue().number() + " of key " + w.getKey() + ": it reads "
                                + (got == null ? "absent" : "write " + TrialWorkload.writeNumberOf(w.getKey(), got)));
                    }
                }
            }
        }

        /** Whether a copy's range holds the key of a fault on its source (the copy would then be of damage). */
        private boolean damageOverlaps(RepairReplicas set, LineageRecord c) {
            for (Damage d : damage) {
                if (!set.agents[d.replica()].replicaId().equals(c.sourceReplica())) {
                    continue;
                }
                byte[] k = TrialWorkload.key(d.key());
                boolean afterFrom = c.from() == null || c.from().length == 0
                        || Arrays.compareUnsigned(k, c.from()) >= 0;
                boolean beforeTo = c.to() == null || c.to().length == 0
                        || Arrays.compareUnsigned(k, c.to()) < 0;
                if (afterFrom && beforeTo) {
                    return true;
                }
            }
            return false;
        }

        private static void readAll(Store s) {
            try (Cursor c = s.namespace(TrialWorkload.NAMESPACE).scan(null, null)) {
                while (c.next()) {
                    c.value();
                }
            }
        }

        /** SHA-256 over every (key, value) pair of the namespace, read with a cursor, lengths included. */
        private static byte[] namespaceHash(Store s) throws Exception {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (Cursor c = s.namespace(TrialWorkload.NAMESPACE).scan(null, null)) {
                while (c.next()) {
                    md.update(java.nio.ByteBuffer.allocate(8).putInt(c.key().length).putInt(c.value().length)
                            .array());
                    md.update(c.key());
                    md.update(c.value());
                }
            }
            return md.digest();
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
