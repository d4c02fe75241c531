package io.kintsugi.validation;

import io.kintsugi.engine.CorruptionEvent;
import io.kintsugi.engine.LogMarker;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreExtension;
import io.kintsugi.engine.StoreListener;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;
import io.kintsugi.validation.scan.CheckerStats;
import io.kintsugi.validation.scan.HeldRange;
import io.kintsugi.validation.scan.HeldSnapshots;
import io.kintsugi.validation.scan.RangeDigest;
import io.kintsugi.validation.scan.RangeHashChecker;
import io.kintsugi.validation.scan.RangeProbe;
import io.kintsugi.validation.scan.RangeProber;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.RecentDigests;
import io.kintsugi.validation.scan.ScanOptions;
import io.kintsugi.validation.verify.Verifier;
import io.kintsugi.validation.verify.VerifyOptions;
import io.kintsugi.validation.verify.VerifyProblem;
import io.kintsugi.validation.verify.VerifyReport;

import java.time.Instant;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Validation for one store: its health log, the checker of range-hash markers written by a primary, the scanner
 * when the store is primary, and the recording of every corruption the store finds on read. Attach it when opening
 * the store:
 *
 * <pre>{@code
 * Validator v = Validator.create();
 * try (Store store = Store.open(dir, v.attachTo(StoreOptions.builder()).replication(...).build())) {
 *     RangeScan scan = v.startScan(ScanOptions.builder().build());   // on the primary
 *     v.health().query(HealthQuery.builder().minSeverity(Severity.ERROR).build());
 * }
 * }</pre>
 *
 * <p>One validator serves one store. Its health log lives in the store's directory and is opened and closed with
 * the store.
 */
public final class Validator implements StoreExtension, StoreListener {

    private static final System.Logger LOG = System.getLogger(Validator.class.getName());

    /** Problems of one verify logged one by one; the rest are counted in its summary entry. */
    private static final int MAX_PROBLEM_ENTRIES = 100;

    private final ValidatorOptions options;
    private final List<RangeScan> scans = new CopyOnWriteArrayList<>();
    private volatile Store store;
    private volatile HealthLog health;
    private volatile RangeHashChecker checker;
    private volatile RecentDigests digests;
    private volatile HeldSnapshots holds;

    private Validator(ValidatorOptions options) {
        this.options = options;
    }

    /** @return a validator with default options */
    public static Validator create() {
        return new Validator(ValidatorOptions.defaults());
    }

    /**
     * @param options health log and checker settings
     * @return a validator
     */
    public static Validator create(ValidatorOptions options) {
        return new Validator(java.util.Objects.requireNonNull(options, "options"));
    }

    /**
     * Registers this validator with a store's options: as the extension that checks markers and as the listener
     * that logs corruption found on read.
     *
     * @param builder the store's options
     * @return the same builder
     */
    public StoreOptions.Builder attachTo(StoreOptions.Builder builder) {
        return builder.extension(this).listener(this);
    }

    @Override
    public void onOpen(Store opened) {
        if (store != null) {
            throw new IllegalStateException("a validator serves one store; " + store.directory() + " has it");
        }
        HealthLog log = HealthLog.open(opened.directory(), options.healthLog());
        this.health = log;
        this.digests = new RecentDigests(options.digestsKept());
        this.holds = new HeldSnapshots(opened, options.holdTime(), options.maxHeld());
        this.checker = new RangeHashChecker(opened, log::append, options.checkerQueue(), options.logEvery(),
                digests, holds);
        this.store = opened;
    }

    @Override
    public void onMarker(LogMarker marker) {
        RangeHashChecker c = checker;
        if (c == null) {
            marker.close();
            return;
        }
        c.offer(marker);
    }

    @Override
    public void onClose() {
        for (RangeScan s : scans) {
            s.stop();
        }
        RangeHashChecker c = checker;
        if (c != null) {
            c.close();
        }
        HeldSnapshots h = holds;
        if (h != null) {
            h.close(); // after the checker, which hands held markers over until it stops
        }
        HealthLog log = health;
        if (log != null) {
            log.close();
        }
        // The validator may serve the same directory again when the store reopens.
        scans.clear();
        store = null;
        checker = null;
        holds = null;
        digests = null;
        health = null;
    }

    /** Logs corruption the store found on read, flush or compaction; metadata only. */
    @Override
    public void onCorruption(CorruptionEvent event) {
        HealthLog log = health;
        Store s = store;
        if (log == null || s == null) {
            return;
        }
        HealthKind kind = healthKindOf(event.report().kind());
        try {
            log.append(new HealthEntry(event.time(), Severity.ERROR, s.id().toString(), kind, Verdict.DAMAGED,
                    event.namespace().orElse(""), null, null, -1, -1, null, null, -1,
                    "found by " + event.operation() + (event.fileNumber() >= 0 ? " in segment file "
                            + event.fileNumber() : "") + ": " + event.report().describe()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not log a corruption event to the health log: " + e);
        }
    }

    /**
     * Starts a range-hash scan pass on the store, which must be the primary; see {@link RangeScan}.
     *
     * @param scanOptions target and pace
     * @return the running pass
     * @throws IllegalStateException if the store is not open
     * @throws StorageException      if the store is closed
     */
    public RangeScan startScan(ScanOptions scanOptions) {
        Store s = requireOpen();
        RangeScan scan = RangeScan.start(s, health::append, scanOptions);
        scans.add(scan);
        return scan;
    }

    /**
     * Probes one range on the primary: hashes it at a snapshot and appends a held range-hash marker at a point of
     * the oplog where the range still holds exactly what was hashed, as a scan batch is marked. Every replica that
     * applies the marker hashes the same range as of it ({@link #digestAt(long)}) and keeps its snapshot there for
     * {@link ValidatorOptions#holdTime()} ({@link #heldSnapshot(long)}), so that repair can compare every replica at
     * one sequence and copy the range as of it from a healthy one. The primary's own digest is recorded at once.
     *
     * @param namespace     a namespace that has had writes on this store
     * @param fromInclusive first key, or null for the start of the namespace
     * @param toExclusive   end key, or null for the end of the namespace
     * <p>Returns once this store holds its own snapshot at the marker (its checker takes the hold on its own
     * thread), so that a pull from it at the probe's sequence can start at once.
     *
     * @return the marker's sequence and the primary's digest of the range there; when the primary could not read
     *         the range, its digest is DAMAGED and the marker is flagged so ({@code FLAG_PRIMARY_DAMAGED}): the other
     *         replicas hash and hold the range all the same, so that repair can outvote the primary
     * @throws IllegalStateException    if the store is not open
     * @throws IllegalArgumentException if the namespace does not exist, a key is over its limit, or the end does
     *                                  not sort after the start
     * @throws io.kintsugi.engine.replication.NotPrimaryException if the store is not the primary; nothing appended
     * @throws StorageException         if writes changed the range on every one of
     *                                  {@link ValidatorOptions#probeAttempts()} attempts, or the store is closed
     */
    public RangeProbe probe(String namespace, byte[] fromInclusive, byte[] toExclusive) {
        Store s = requireOpen();
        RecentDigests recent = digests;
        RangeProbe probe = RangeProber.probe(s, namespace, fromInclusive, toExclusive, options.probeAttempts());
        if (recent != null) {
            recent.put(probe.digest());
        }
        // This store's checker takes the hold of its own marker on its own thread: wait for it, so that a pull
        // from this store at the probe's sequence can start as soon as the probe returns.
        HeldSnapshots held = holds;
        if (held != null) {
            try {
                if (!held.awaitHeld(probe.sequence(), options.holdTime())) {
                    LOG.log(System.Logger.Level.WARNING, "the probe's snapshot at sequence " + probe.sequence()
                            + " is not held here after " + options.holdTime() + ": a pull from this store at it "
                            + "will be refused");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for the probe's snapshot at sequence "
                        + probe.sequence() + " to be held", e);
            }
        }
        return probe;
    }

    /**
     * What this replica found in a marker's range as of the marker: recorded for every range-hash marker it checked
     * (scan batches and probes alike) and, on the primary, for the markers it wrote. Only the most recent
     * {@link ValidatorOptions#digestsKept()} are kept; a follower has the digest once it has checked the marker
     * ({@link #awaitChecked(long)}). A probe's marker the checker had no time to check (it fell a whole queue
     * behind) is still held, and is hashed from its held snapshot on the caller's thread when asked for.
     *
     * @param sequence a marker's oplog sequence
     * @return its digest here, or empty if this replica has not checked it (yet) or has forgotten it
     * @throws IllegalStateException if the store is not open
     */
    public Optional<RangeDigest> digestAt(long sequence) {
        requireOpen();
        RecentDigests recent = digests;
        HeldSnapshots held = holds;
        if (recent == null || held == null) {
            throw new StorageException("store is closed");
        }
        Optional<RangeDigest> d = recent.at(sequence);
        if (d.isPresent()) {
            return d;
        }
        d = held.digest(sequence);
        d.ifPresent(recent::put);
        return d;
    }

    /**
     * A lease on the snapshot this replica holds at a probe's marker, to read the marker's range as of its sequence
     * (and nothing else). The hold lasts {@link ValidatorOptions#holdTime()} after the marker was checked or the
     * last lease closed, never expires while leased, and ends when the store closes; at most
     * {@link ValidatorOptions#maxHeld()} are held, the oldest released first.
     *
     * @param sequence a probe's marker sequence
     * @return the lease (close it), or empty if no snapshot is held there (not a probe's marker, not checked yet,
     *         expired or released)
     * @throws IllegalStateException if the store is not open
     */
    public Optional<HeldRange> heldSnapshot(long sequence) {
        return requireHolds().lease(sequence);
    }

    /**
     * @param sequence a probe's marker sequence
     * @return whether this replica holds a snapshot there now; asking, unlike leasing, does not extend the hold
     * @throws IllegalStateException if the store is not open
     */
    public boolean isHeld(long sequence) {
        return requireHolds().isHeld(sequence);
    }

    /**
     * Verifies the open store ({@link Verifier#verify(Store, VerifyOptions)}: pinned files, rate-limited, writers
     * never blocked) and records the outcome in the health log: one {@link HealthKind#VERIFY} entry with the status
     * and counts, and one entry per problem (at most {@value #MAX_PROBLEM_ENTRIES}) with its file, offset and kind.
     *
     * @param verifyOptions level and read rate
     * @return the report
     * @throws IllegalStateException if the store is not open
     * @throws StorageException      if the store closes meanwhile
     */
    public VerifyReport verify(VerifyOptions verifyOptions) {
        Store s = requireOpen();
        VerifyReport report = Verifier.verify(s, verifyOptions);
        HealthLog log = health;
        String replica = s.id().toString();
        int logged = 0;
        for (VerifyProblem p : report.problems()) {
            if (logged++ == MAX_PROBLEM_ENTRIES) {
                break;
            }
            log.append(new HealthEntry(Instant.now(), Severity.ERROR, replica, healthKindOf(p.kind()),
                    Verdict.DAMAGED, "", null, null, -1, -1, null, null, -1,
                    "found by verify (" + report.level() + ") in " + p.file() + " at offset " + p.offset()
                            + ": " + p.kind() + ": " + p.message()));
        }
        Severity severity;
        Verdict verdict;
        switch (report.status()) {
            case OK:
                severity = Severity.INFO;
                verdict = Verdict.NONE;
                break;
            case CORRUPT:
                severity = Severity.ERROR;
                verdict = Verdict.DAMAGED;
                break;
            default:
                severity = Severity.WARNING;
                verdict = Verdict.NOT_CHECKED;
        }
        log.append(new HealthEntry(Instant.now(), severity, replica, HealthKind.VERIFY, verdict, "", null, null,
                report.counts().entries(), report.counts().bytesRead(), null, null, s.lastSequence(),
                "online verify at level " + report.level() + ": " + report.status() + ", "
                        + report.problems().size() + " problems; " + report.counts().files() + " files, "
                        + report.counts().blocks() + " blocks, " + report.counts().records() + " records read"));
        return report;
    }

    private static HealthKind healthKindOf(CorruptionKind kind) {
        return kind == CorruptionKind.INVARIANT_VIOLATION ? HealthKind.INVARIANT_VIOLATION
                : HealthKind.CHECKSUM_FAILURE;
    }

    /** @return the store's health log */
    public HealthLog health() {
        requireOpen();
        return health;
    }

    /** @return what the marker checker has done since the store opened */
    public CheckerStats checkerStats() {
        requireOpen();
        return checker.stats();
    }

    /**
     * Waits until every marker the store has applied so far is checked (for tests and tools).
     *
     * @param timeoutMillis how long to wait at most
     * @return whether the checker caught up
     * @throws InterruptedException if interrupted
     */
    public boolean awaitChecked(long timeoutMillis) throws InterruptedException {
        requireOpen();
        return checker.awaitIdle(timeoutMillis);
    }

    private HeldSnapshots requireHolds() {
        requireOpen();
        HeldSnapshots held = holds;
        if (held == null) {
            throw new StorageException("store is closed"); // it closed between the two reads
        }
        return held;
    }

    private Store requireOpen() {
        Store s = store;
        if (s == null) {
            throw new IllegalStateException("the validator's store is not open yet: pass attachTo(...) to Store.open");
        }
        return s;
    }
}
