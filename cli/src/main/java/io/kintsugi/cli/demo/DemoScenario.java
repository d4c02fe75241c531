package io.kintsugi.cli.demo;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.Store;
import io.kintsugi.repair.RepairCoordinator;
import io.kintsugi.repair.RepairReport;
import io.kintsugi.validation.faults.FaultInjector;
import io.kintsugi.validation.faults.FaultKind;
import io.kintsugi.validation.faults.InjectedFault;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthQuery;
import io.kintsugi.validation.health.Verdict;
import io.kintsugi.validation.scan.CheckerStats;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.ScanOptions;
import io.kintsugi.validation.scan.ScanProgress;
import io.kintsugi.validation.verify.VerifyLevel;
import io.kintsugi.validation.verify.VerifyOptions;
import io.kintsugi.validation.verify.VerifyReport;
import io.kintsugi.validation.verify.VerifyStatus;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's story, step by step, on a {@link DemoReplicas} set under a {@link Workload}: load, rot a bit on
 * follower-1, corrupt a value on follower-2, scan, repair both, scan again, and audit every acknowledged write.
 * Each step checks what it claims through the {@link Narrator}; a step that throws fails and ends the story, since
 * every later step builds on it.
 */
final class DemoScenario {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String[] NAMESPACES = {Workload.ORDERS, Workload.CUSTOMERS};
    /** What a checker logs a verdict as: SCAN_BATCH, or the kind of damage when it could not read the range. */
    private static final Set<HealthKind> CHECKER_KINDS = EnumSet.of(HealthKind.SCAN_BATCH,
            HealthKind.CHECKSUM_FAILURE, HealthKind.INVARIANT_VIOLATION);

    private final Path root;
    private final long seed;
    private final int keys;
    private final Narrator say;
    /** Every choice of the story (keys, bits, values) comes from here, so that a seed replays the same story. */
    private final Random choices;

    private DemoReplicas replicas;
    private Workload workload;
    private int rotIndex;
    private int logicalIndex;
    private InjectedFault rot;
    private final List<HealthEntry> damagedEntries = new ArrayList<>();
    private final List<HealthEntry> inconsistentEntries = new ArrayList<>();

    /**
     * @param root  directory for the three replicas (replica-0..2 are created in it)
     * @param seed  drives every choice
     * @param keys  keys loaded into the faulted namespace
     * @param say   the narrator
     */
    DemoScenario(Path root, long seed, int keys, Narrator say) {
        this.root = root;
        this.seed = seed;
        this.keys = keys;
        this.say = say;
        this.choices = new Random(seed);
    }

    /**
     * Runs every step until one fails.
     *
     * @return whether every step was verified
     */
    boolean run() {
        try {
            replicas = new DemoReplicas(root);
        } catch (RuntimeException e) {
            say.say("could not start the replicas: " + e);
            return false;
        }
        try {
            say.say("3 replicas over TCP on 127.0.0.1, term " + DemoReplicas.TERM + ": primary at "
                    + replicas.stores[0].replicationStatus().endpoint() + ", follower-1 and follower-2 following;"
                    + " each with a validator (range-hash checker, health log) and a repair agent");
            workload = new Workload(replicas.stores[0], seed, keys);
            rotIndex = choices.nextInt(keys);
            // At least a quarter of the keys apart: a scanned range holds keys/25 keys (at least 100) and a block
            // about 120, so the two faults never share a range. If they did, that range would have only one good
            // copy of three, and the coordinator would rightly refuse to guess (NO_MAJORITY).
            logicalIndex = (rotIndex + keys / 4 + choices.nextInt(keys / 2)) % keys;
            workload.protect(Workload.ORDERS, Workload.orderKey(logicalIndex));
            return step(1, "Load data and start the live writers", this::load)
                    && step(2, "Rot one bit in a data block on follower-1", this::rotBit)
                    && step(3, "Corrupt one value logically on follower-2", this::corruptValue)
                    && step(4, "Range-hash scan on the primary; the followers check it", this::detect)
                    && step(5, "Repair both followers (RepairCoordinator, AUTOMATIC)", this::repair)
                    && step(6, "Follow-up scan: every range consistent everywhere", this::followUp)
                    && step(7, "Stop the writers; audit every replica", this::audit);
        } finally {
            try {
                if (workload != null) {
                    workload.stopWriters();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            replicas.close();
        }
    }

    /** One step of the story. */
    private interface Step {
        void run() throws Exception;
    }

    private boolean step(int n, String title, Step body) {
        say.begin(n, title);
        try {
            body.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            say.fail("interrupted");
        } catch (Exception e) {
            // Exceptions of the store carry metadata only (file, offset, kind), so they can be printed.
            say.fail("stopped by " + e);
        }
        return say.end().verified();
    }

    private void load() throws InterruptedException {
        long bytes = workload.load();
        say.detail(String.format(Locale.ROOT, "%d keys (%.1f MiB of keys and values) in '%s' and '%s', each batch "
                + "acknowledged by a majority (the primary and at least one follower, fsync'd)",
                workload.acknowledged(), bytes / 1048576.0, Workload.ORDERS, Workload.CUSTOMERS));
        workload.startWriters();
        say.detail(Workload.WRITERS + " writer threads now update and insert keys through the primary until step 7;"
                + " every acknowledged write goes into an oracle");
        say.check(replicas.awaitReplicated(WAIT), "both followers applied the load");
        for (int i = 0; i < DemoReplicas.SIZE; i++) {
            replicas.stores[i].flush();
            int files = replicas.stores[i].stats().segmentFiles();
            say.check(files > 0, DemoReplicas.name(i) + " flushed its memtable: " + files + " segment file"
                    + (files == 1 ? "" : "s"));
        }
    }

    private void rotBit() throws InterruptedException {
        say.detail("a bit cannot be flipped soundly under an open store's block cache, so follower-1 is closed, the"
                + " bit flipped in its file as a failing disk would leave it, and the store reopened");
        AtomicReference<InjectedFault> fault = new AtomicReference<>();
        replicas.reopenFollower(1, dir -> fault.set(FaultInjector.forStore(dir, choices.nextLong())
                .flipBitInKeyBlock(Workload.ORDERS, Workload.orderKey(rotIndex))));
        rot = fault.get();
        say.detail("flipped " + rot.detail() + " in " + root.relativize(rot.file()));
        say.check(rot.kind() == FaultKind.BIT_FLIP, "one bit flipped in a data block of a segment file");
        say.check(replicas.awaitReplicated(WAIT), "follower-1 reopened (open checks headers, index and manifest; "
                + "data blocks are checked when read) and caught up with the writes it missed");
    }

    private void corruptValue() throws InterruptedException {
        Store follower = replicas.stores[2];
        byte[] key = Workload.orderKey(logicalIndex);
        byte[] wrong = new byte[40 + choices.nextInt(120)];
        choices.nextBytes(wrong);
        InjectedFault fault = null;
        for (int attempt = 0; fault == null; attempt++) {
            try {
                fault = FaultInjector.forStore(replicas.directory(2), choices.nextLong())
                        .corruptValueLogically(follower, Workload.ORDERS, key, wrong);
            } catch (IllegalStateException e) {
                // The key's newest version is flushed at the last sequence: wait for the writers to move on.
                if (attempt == 100) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
        say.detail(fault.detail());
        say.detail("every checksum stays valid: only comparing replicas can find it");
        say.check(!Arrays.equals(follower.namespace(Workload.ORDERS).get(key),
                replicas.stores[0].namespace(Workload.ORDERS).get(key)),
                "follower-2 now reads a different value for that key than the primary");
    }

    private void detect() throws InterruptedException {
        Instant since = Instant.now();
        CheckerStats[] before = stats();
        long batches = scanAll();
        say.check(replicas.awaitReplicated(WAIT), "both followers applied and checked every marker");
        CheckerStats[] after = stats();
        for (int i = 1; i < DemoReplicas.SIZE; i++) {
            say.detail(String.format(Locale.ROOT, "%s checked %d ranges: %d consistent, %d inconsistent, "
                            + "%d damaged (unreadable)", DemoReplicas.name(i), after[i].checked() - before[i].checked()
                            + after[i].damaged() - before[i].damaged(),
                    after[i].consistent() - before[i].consistent(),
                    after[i].inconsistent() - before[i].inconsistent(), after[i].damaged() - before[i].damaged()));
        }
        damagedEntries.addAll(flagged(1, since, Verdict.DAMAGED));
        inconsistentEntries.addAll(flagged(2, since, Verdict.INCONSISTENT));
        say.detail("health entries flagged since the scan started (metadata only; keys as fingerprints):");
        for (int i = 1; i < DemoReplicas.SIZE; i++) {
            for (HealthEntry e : flagged(i, since, Verdict.INCONSISTENT, Verdict.DAMAGED)) {
                say.detail("  " + DemoReplicas.name(i) + ": " + names(line(e)));
            }
        }
        List<DamagedRange> damage = replicas.stores[1].damage();
        say.check(damage.size() == 1, "follower-1's store lists one damaged key range (" + damage.size() + ")"
                + (damage.size() == 1 ? ": the block at offset " + damage.get(0).report().offset()
                + " of segment file " + damage.get(0).fileNumber() : ""));
        say.check(damage.size() == 1 && damage.get(0).report().offset() == rot.offset(),
                "it is the block the bit was flipped in");
        say.check(!damagedEntries.isEmpty() && damage.size() == 1
                        && damagedEntries.stream().allMatch(e -> overlaps(e, damage.get(0))),
                "follower-1 flagged DAMAGED exactly the scanned ranges that hold the rotten block ("
                        + damagedEntries.size() + ")");
        say.check(flagged(1, since, Verdict.INCONSISTENT).isEmpty(), "follower-1 flagged nothing INCONSISTENT");
        byte[] victim = Workload.orderKey(logicalIndex);
        say.check(inconsistentEntries.size() == 1 && holds(inconsistentEntries.get(0), victim),
                "follower-2 flagged INCONSISTENT exactly one range, the one holding the corrupted key ("
                        + inconsistentEntries.size() + ")");
        say.check(flagged(2, since, Verdict.DAMAGED).isEmpty(), "follower-2 flagged nothing DAMAGED");
        say.check(after[1].inconsistent() == before[1].inconsistent()
                        && after[1].damaged() - before[1].damaged() == damagedEntries.size()
                        && after[2].damaged() == before[2].damaged()
                        && after[2].inconsistent() - before[2].inconsistent() == 1
                        && after[1].notChecked() == before[1].notChecked()
                        && after[2].notChecked() == before[2].notChecked(),
                "the checkers' counters agree: every other range of " + batches + " was consistent on both");
        say.check(replicas.validators[0].health().query(HealthQuery.builder().since(since)
                        .kinds(HealthKind.CHECKSUM_FAILURE, HealthKind.INVARIANT_VIOLATION).build()).isEmpty(),
                "the primary read every range cleanly");
    }

    private void repair() {
        RepairCoordinator coordinator = replicas.coordinator();
        List<DamagedRange> damage = replicas.stores[1].damage();
        // The damaged block's own key range covers it whole, so the install drops it unread; a scanned range may
        // cover only part of it.
        say.detail("follower-1: the damaged block's key range (from Store.damage())");
        RepairReport first = damage.size() == 1 ? coordinator.repairDamage(damage.get(0), Instant.EPOCH)
                : coordinator.repairRange(Workload.ORDERS, damagedEntries.get(0).minKey(),
                damagedEntries.get(0).maxKey(), Instant.EPOCH, "range found DAMAGED by follower-1's checker");
        checkRepair(first, 1, Workload.orderKey(rotIndex));
        say.check(replicas.stores[1].damage().isEmpty(), "follower-1 lists no damaged range any more, "
                + "without a reopen");
        say.detail("follower-2: the range its checker found INCONSISTENT");
        RepairReport second = coordinator.repairInconsistent(inconsistentEntries.get(0));
        checkRepair(second, 2, Workload.orderKey(logicalIndex));
    }

    private void checkRepair(RepairReport r, int target, byte[] key) {
        for (String step : r.steps()) {
            String text = names(step.substring(step.indexOf(": ") + 2));
            if (text.startsWith("voted") || text.startsWith("source chosen") || text.startsWith("copied")
                    || text.startsWith("installed") || text.startsWith("proven") || text.startsWith("proof")
                    || text.startsWith("no ") || text.startsWith("the pull")) {
                say.detail("  " + text);
            }
        }
        say.detail(String.format(Locale.ROOT, "  moved %d pairs, %d key and value bytes, %d bytes on the wire; "
                + "voted at sequence %d, proven at %d", r.pairs(), r.bytes(), r.wireBytes(), r.sequence(),
                r.proofSequence()));
        String name = DemoReplicas.name(target);
        say.check(r.outcome() == RepairReport.Outcome.REPAIRED, "repair " + r.repairId() + ": " + r.outcome()
                + ", target " + replicas.nameOf(r.target()) + ", source " + replicas.nameOf(r.source()));
        say.check(replicas.agents[target].replicaId().equals(r.target()), "the outvoted replica was " + name);
        say.check(Arrays.equals(replicas.stores[0].namespace(Workload.ORDERS).get(key),
                replicas.stores[target].namespace(Workload.ORDERS).get(key)),
                name + " reads the faulted key as the primary does");
    }

    private void followUp() throws InterruptedException {
        Instant since = Instant.now();
        CheckerStats[] before = stats();
        long batches = scanAll();
        say.check(replicas.awaitReplicated(WAIT), "both followers applied and checked every marker");
        CheckerStats[] after = stats();
        for (int i = 1; i < DemoReplicas.SIZE; i++) {
            long checked = after[i].checked() - before[i].checked();
            long consistent = after[i].consistent() - before[i].consistent();
            say.check(checked >= batches && consistent == checked && flagged(i, since, Verdict.INCONSISTENT,
                            Verdict.DAMAGED, Verdict.NOT_CHECKED).isEmpty(),
                    DemoReplicas.name(i) + ": " + consistent + " of " + checked + " ranges consistent");
        }
        for (int i = 0; i < DemoReplicas.SIZE; i++) {
            say.check(replicas.stores[i].damage().isEmpty(), DemoReplicas.name(i) + " lists no damaged range");
        }
    }

    private void audit() throws InterruptedException {
        workload.stopWriters();
        say.check(workload.failure() == null, "the writers ran without error"
                + (workload.failure() == null ? "" : ": " + workload.failure()));
        say.detail(workload.acknowledged() + " writes acknowledged by a majority, load included; "
                + workload.unacknowledged() + " not acknowledged in time (either value accepted)");
        say.check(replicas.awaitReplicated(WAIT), "both followers applied the last write, sequence "
                + replicas.stores[0].lastSequence());
        for (int i = 0; i < DemoReplicas.SIZE; i++) {
            ReplicaAudit.OracleCheck c = ReplicaAudit.checkOracle(replicas.stores[i], workload);
            say.check(c.clean(), DemoReplicas.name(i) + ": " + (c.checked() - c.wrong() - c.unreadable()) + " of "
                    + c.checked() + " acknowledged keys read back their last value"
                    + (c.clean() ? "" : "; " + c.wrong() + " wrong, " + c.unreadable() + " unreadable, e.g. "
                    + c.firstProblem()));
        }
        for (String ns : NAMESPACES) {
            ReplicaAudit.NamespaceHash primary = ReplicaAudit.hashNamespace(replicas.stores[0], ns);
            boolean equal = true;
            for (int i = 1; i < DemoReplicas.SIZE; i++) {
                equal &= primary.equals(ReplicaAudit.hashNamespace(replicas.stores[i], ns));
            }
            say.check(equal, "'" + ns + "' is equal on all three: " + primary.count() + " pairs, " + primary.bytes()
                    + " bytes, hash " + primary.hash());
        }
        for (int i = 0; i < DemoReplicas.SIZE; i++) {
            VerifyReport v = replicas.validators[i].verify(VerifyOptions.builder().level(VerifyLevel.CHECKSUMS)
                    .bytesPerSecond(1L << 40).build());
            say.check(v.status() == VerifyStatus.OK, DemoReplicas.name(i) + ": verify (checksums) " + v.status()
                    + ", " + v.counts().files() + " files, " + v.counts().blocks() + " blocks, "
                    + v.counts().records() + " log records, " + v.problems().size() + " problems");
            if (v.status() != VerifyStatus.OK) {
                // The report holds metadata only (files, offsets, kinds), so all of it can be shown.
                v.toText().lines().forEach(l -> say.detail("  " + names(l)));
            }
        }
    }

    /** Scans every namespace on the primary, one pass each, and returns the batches marked. */
    private long scanAll() throws InterruptedException {
        long batches = 0;
        for (String ns : NAMESPACES) {
            try (RangeScan scan = replicas.validators[0].startScan(ScanOptions.builder().namespace(ns)
                    .maxBatchKeys(Math.max(100, keys / 25)).bytesPerSecond(1L << 40).resume(false).build())) {
                boolean done = scan.await(WAIT);
                ScanProgress p = scan.progress();
                say.check(done && p.state() == ScanProgress.State.FINISHED, String.format(Locale.ROOT,
                        "scanned '%s' on the primary: %d ranges, %d keys, %.1f MiB, %s", ns, p.batches(), p.keys(),
                        p.bytesDone() / 1048576.0, p.state()));
                batches += p.batches();
            }
        }
        return batches;
    }

    private CheckerStats[] stats() {
        CheckerStats[] s = new CheckerStats[DemoReplicas.SIZE];
        for (int i = 0; i < s.length; i++) {
            s[i] = replicas.validators[i].checkerStats();
        }
        return s;
    }

    /**
     * The checker's verdicts on markers (entries with a sequence) since {@code since}; the store's own corruption
     * events, which the validator also logs, have none.
     */
    private List<HealthEntry> flagged(int replica, Instant since, Verdict first, Verdict... more) {
        return replicas.validators[replica].health().query(HealthQuery.builder().since(since)
                .kinds(CHECKER_KINDS).verdicts(first, more).build()).stream().filter(e -> e.sequence() >= 0)
                .toList();
    }

    /** A health entry as one line: no key bytes, only the range's fingerprint. */
    private static String line(HealthEntry e) {
        StringBuilder b = new StringBuilder().append(e.severity()).append(' ').append(e.verdict())
                .append(" namespace=").append(e.namespace()).append(" range=").append(e.rangeFingerprint());
        if (e.count() >= 0) {
            b.append(" count=").append(e.count());
        }
        if (e.expected() != null) {
            b.append(" expected=").append(e.expected());
        }
        if (e.found() != null) {
            b.append(" found=").append(e.found());
        }
        b.append(" sequence=").append(e.sequence());
        if (!e.detail().isEmpty()) {
            b.append("  ").append(e.detail());
        }
        return b.toString();
    }

    /** Whether a marker's range [minKey, maxKey) meets a damaged block's range [fromKey, toKey]. */
    private static boolean overlaps(HealthEntry e, DamagedRange d) {
        boolean startsBeforeEnd = e.minKey() == null || d.toKey() == null
                || Arrays.compareUnsigned(e.minKey(), d.toKey()) <= 0;
        boolean endsAfterStart = e.maxKey() == null || d.fromKey() == null
                || Arrays.compareUnsigned(e.maxKey(), d.fromKey()) > 0;
        return startsBeforeEnd && endsAfterStart;
    }

    /** Whether a marker's range [minKey, maxKey) holds {@code key}. */
    private static boolean holds(HealthEntry e, byte[] key) {
        return (e.minKey() == null || Arrays.compareUnsigned(e.minKey(), key) <= 0)
                && (e.maxKey() == null || Arrays.compareUnsigned(key, e.maxKey()) < 0);
    }

    /** Replaces replica ids with the narrative's names, and the demo directory with nothing (paths get long). */
    private String names(String text) {
        String s = text.replace(root.toAbsolutePath() + File.separator, "");
        s = s.replace("differs from primary " + replicas.agents[0].replicaId(), "differs from the primary");
        for (int i = 0; i < DemoReplicas.SIZE; i++) {
            if (replicas.agents[i] != null) {
                s = s.replace(replicas.agents[i].replicaId(), DemoReplicas.name(i));
            }
        }
        return s;
    }
}
