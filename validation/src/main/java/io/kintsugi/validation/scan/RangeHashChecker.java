package io.kintsugi.validation.scan;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.LogMarker;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthSink;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replica's side of range-hash scanning: for each range-hash marker written by another replica, it hashes exactly
 * that range of its own data as of the marker (the snapshot the store took as it applied the marker) and records
 * the verdict in the health log. Markers are checked on the checker's own thread, so the store keeps applying later
 * records meanwhile; if the checker falls more than its queue behind, the newest marker is dropped and logged as
 * not checked, rather than pinning ever more memory.
 *
 * <p>Every inconsistent or damaged range is logged; consistent ranges every {@code logEvery} markers (and the
 * first). The digest of every marker checked (and of the store's own markers, from what it hashed as primary) goes
 * to a bounded {@link RecentDigests}; the snapshot of a held marker (a probe's) is handed to {@link HeldSnapshots}
 * instead of being closed, so that the range can be copied as of the marker.
 */
public final class RangeHashChecker implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RangeHashChecker.class.getName());

    private final Store store;
    private final HealthSink health;
    private final int logEvery;
    private final BlockingQueue<LogMarker> queue;
    private final Thread thread;
    private final RangeHasher hasher = new RangeHasher();
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong consistent = new AtomicLong();
    private final AtomicLong inconsistent = new AtomicLong();
    private final AtomicLong damaged = new AtomicLong();
    private final AtomicLong notChecked = new AtomicLong();
    private final AtomicLong own = new AtomicLong();
    private final RecentDigests digests;
    private final HeldSnapshots holds;
    private volatile boolean closed;

    /**
     * Starts the checker's thread, keeping the digests of the last {@link RecentDigests#DEFAULT_CAPACITY} markers
     * and holding no snapshots.
     *
     * @param store         the open store whose markers it checks
     * @param health        where verdicts go
     * @param queueCapacity markers that may wait, 1..65536
     * @param logEvery      log every this many consistent verdicts, at least 1
     * @throws IllegalArgumentException if a number is outside its range
     */
    public RangeHashChecker(Store store, HealthSink health, int queueCapacity, int logEvery) {
        this(store, health, queueCapacity, logEvery, new RecentDigests(RecentDigests.DEFAULT_CAPACITY), null);
    }

    /**
     * Starts the checker's thread.
     *
     * @param store         the open store whose markers it checks
     * @param health        where verdicts go
     * @param queueCapacity markers that may wait, 1..65536
     * @param logEvery      log every this many consistent verdicts, at least 1
     * @param digests       where the digest of every marker checked (or, for its own markers, written) goes
     * @param holds         where the snapshots of held markers go, or null to hold none
     * @throws IllegalArgumentException if a number is outside its range
     */
    public RangeHashChecker(Store store, HealthSink health, int queueCapacity, int logEvery, RecentDigests digests,
                            HeldSnapshots holds) {
        if (queueCapacity < 1 || queueCapacity > 65_536) {
            throw new IllegalArgumentException("the checker's queue holds 1 to 65536 markers, was " + queueCapacity);
        }
        if (logEvery < 1) {
            throw new IllegalArgumentException("log-every must be at least 1, was " + logEvery);
        }
        this.store = store;
        this.health = health;
        this.logEvery = logEvery;
        this.digests = java.util.Objects.requireNonNull(digests, "digests");
        this.holds = holds;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = new Thread(this::run, "kintsugi-range-check-" + store.id().toString().substring(0, 8));
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Takes a marker from the store's apply thread; never blocks. Markers of other extensions are closed at once.
     *
     * @param marker the marker, which the checker now owns
     */
    public void offer(LogMarker marker) {
        byte[] payload = marker.payload();
        if (!RangeHashMarkerFormat.isRangeHashMarker(payload)) {
            marker.close();
            return;
        }
        if (closed || !queue.offer(marker)) {
            long seq = marker.sequence();
            // A probe's snapshot is kept for copying even when there is no time to check it.
            if (closed || !holdUnchecked(marker)) {
                marker.close();
            }
            notChecked.incrementAndGet();
            record(Severity.WARNING, Verdict.NOT_CHECKED, HealthKind.SCAN_BATCH, null, null, -1, seq,
                    closed ? "the store closed before the marker was checked"
                            : "the checker is " + queue.size() + " markers behind, its whole queue; this range "
                            + "is not checked in this pass");
        }
    }

    private boolean holdUnchecked(LogMarker m) {
        if (holds == null) {
            return false;
        }
        try {
            RangeHashMarker decoded = RangeHashMarkerFormat.decode(m.payload(), store.directory().resolve("oplog"),
                    m.sequence());
            if (decoded.hold()) {
                holds.hold(m, decoded);
                return true;
            }
        } catch (CorruptionException e) {
            // Malformed: nothing to hold; it is logged as not checked like any marker dropped here.
        } catch (RuntimeException e) {
            // The store is closing: this runs on its apply thread, which must not fail for a hold.
            LOG.log(System.Logger.Level.WARNING, "could not hold the marker at sequence " + m.sequence() + ": " + e);
        }
        return false;
    }

    /** @return the digests of the markers checked so far, the most recent ones */
    public RecentDigests digests() {
        return digests;
    }

    /** @return counts so far */
    public CheckerStats stats() {
        return new CheckerStats(checked.get(), consistent.get(), inconsistent.get(), damaged.get(), notChecked.get(),
                own.get(), queue.size());
    }

    /**
     * Waits until every marker offered so far has been checked (for tests and tools).
     *
     * @param timeoutMillis how long to wait at most
     * @return whether the queue drained
     * @throws InterruptedException if interrupted
     */
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!queue.isEmpty() || busy) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private volatile boolean busy;

    private void run() {
        while (!closed) {
            LogMarker m;
            try {
                m = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (m == null) {
                continue;
            }
            busy = true;
            boolean kept = false;
            try {
                kept = check(m);
            } catch (RuntimeException e) {
                if (closed) {
                    m.close();
                    break;
                }
                notChecked.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "could not check the marker at sequence " + m.sequence() + ": "
                        + e);
                record(Severity.WARNING, Verdict.NOT_CHECKED, HealthKind.SCAN_BATCH, null, null, -1, m.sequence(),
                        "the check failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            } finally {
                if (!kept) {
                    m.close();
                }
                busy = false;
            }
        }
    }

    /** @return whether the marker's snapshot was kept (a held marker); if not, the caller closes the marker */
    private boolean check(LogMarker m) {
        RangeHashMarker marker;
        try {
            marker = RangeHashMarkerFormat.decode(m.payload(), store.directory().resolve("oplog"), m.sequence());
        } catch (CorruptionException e) {
            damaged.incrementAndGet();
            record(Severity.ERROR, Verdict.DAMAGED, HealthKind.INVARIANT_VIOLATION, null, null, -1, m.sequence(),
                    e.report().describe());
            return false;
        }
        if (marker.primaryId().equals(store.id())) {
            own.incrementAndGet(); // this store hashed it as primary, and logged it then
            if (marker.primaryDamaged()) {
                digests.put(RangeDigest.damaged(marker.namespace(), marker.from(), marker.to(), m.sequence(),
                        "this primary could not read the range when it probed it"));
                return keep(m, marker);
            }
            // What it hashed at hashedAt still held at the marker (RangeWatch), so that is its digest here.
            digests.put(RangeDigest.ok(marker.namespace(), marker.from(), marker.to(), m.sequence(), marker.count(),
                    marker.bytes(), marker.hash()));
            return keep(m, marker);
        }
        hasher.reset();
        try (Cursor c = m.snapshot().scan(store.namespace(marker.namespace()), marker.from(), marker.to())) {
            while (c.next()) {
                hasher.add(c.key(), c.value());
            }
        } catch (CorruptionException e) {
            damaged.incrementAndGet();
            digests.put(RangeDigest.damaged(marker.namespace(), marker.from(), marker.to(), m.sequence(),
                    e.report().describe()));
            recordRange(marker, m.sequence(), Severity.ERROR, HealthKind.CHECKSUM_FAILURE, Verdict.DAMAGED,
                    -1, -1, null, "the range could not be read here: " + e.report().describe());
            return keep(m, marker);
        }
        checked.incrementAndGet();
        Hash128 found = hasher.hash();
        digests.put(RangeDigest.ok(marker.namespace(), marker.from(), marker.to(), m.sequence(), hasher.count(),
                hasher.bytes(), found));
        if (marker.primaryDamaged()) {
            // Nothing to compare with: the primary asserts no hash. The digest and the hold are what repair needs.
            recordRange(marker, m.sequence(), Severity.WARNING, HealthKind.SCAN_BATCH, Verdict.NONE, hasher.count(),
                    hasher.bytes(), found, "primary " + marker.primaryId() + " could not read this range; hashed and "
                            + "held here for repair");
            return keep(m, marker);
        }
        boolean same = found.equals(marker.hash()) && hasher.count() == marker.count()
                && hasher.bytes() == marker.bytes();
        if (same) {
            long n = consistent.incrementAndGet();
            if (n == 1 || n % logEvery == 0) {
                recordRange(marker, m.sequence(), Severity.INFO, HealthKind.SCAN_BATCH, Verdict.CONSISTENT,
                        hasher.count(), hasher.bytes(), found, "consistent with primary " + marker.primaryId()
                                + " (" + n + " consistent so far)");
            }
        } else {
            inconsistent.incrementAndGet();
            recordRange(marker, m.sequence(), Severity.ERROR, HealthKind.SCAN_BATCH, Verdict.INCONSISTENT,
                    hasher.count(), hasher.bytes(), found, "differs from primary " + marker.primaryId() + ": "
                            + marker.count() + " pairs of " + marker.bytes() + " bytes there, " + hasher.count()
                            + " of " + hasher.bytes() + " here");
            LOG.log(System.Logger.Level.ERROR, "range-hash mismatch in namespace " + marker.namespace()
                    + " at sequence " + m.sequence() + " against primary " + marker.primaryId());
        }
        return keep(m, marker);
    }

    /** Hands a held marker's snapshot to the holds, which then own it. */
    private boolean keep(LogMarker m, RangeHashMarker marker) {
        if (marker.hold() && holds != null && !closed) {
            holds.hold(m, marker);
            return true;
        }
        return false;
    }

    private void recordRange(RangeHashMarker marker, long sequence, Severity severity, HealthKind kind,
                             Verdict verdict, long count, long bytes, Hash128 found, String detail) {
        try {
            health.record(new HealthEntry(Instant.now(), severity, store.id().toString(), kind, verdict,
                    marker.namespace(), marker.from(), marker.to(), count, bytes, marker.hash(), found, sequence,
                    detail + " [scan " + Long.toHexString(marker.scanId()) + " batch " + marker.batch() + "]"));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not write a health entry: " + e);
        }
    }

    private void record(Severity severity, Verdict verdict, HealthKind kind, String namespace, byte[] from,
                        long count, long sequence, String detail) {
        try {
            health.record(new HealthEntry(Instant.now(), severity, store.id().toString(), kind, verdict,
                    namespace == null ? "" : namespace, from, null, count, -1, null, null, sequence, detail));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not write a health entry: " + e);
        }
    }

    /** Stops the thread and releases every marker still queued, each logged as not checked. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (LogMarker m; (m = queue.poll()) != null; ) {
            long seq = m.sequence();
            m.close();
            notChecked.incrementAndGet();
            record(Severity.WARNING, Verdict.NOT_CHECKED, HealthKind.SCAN_BATCH, null, null, -1, seq,
                    "the store closed before the marker was checked");
        }
    }
}
