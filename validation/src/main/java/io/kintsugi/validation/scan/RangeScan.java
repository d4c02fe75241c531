package io.kintsugi.validation.scan;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Snapshot;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreStats;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthSink;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One range-hash scan pass on a primary, running on its own thread: it walks the target in key order in batches
 * bounded by count, bytes and time, hashes each batch at a snapshot ({@link RangeHasher}), and appends a marker to
 * the oplog at a point where the batch's range holds exactly what was hashed ({@link RangeMarking}); followers check
 * the same range at the marker. If writes change a batch's range before its marker lands, the batch is hashed
 * again at half the size, up to {@link ScanOptions#maxRetries()} times; writes are never held up.
 *
 * <p>The pass saves where it stands after every batch ({@link ScanStateFormat}), so a pass interrupted by a stop or
 * a restart continues from there when started again with the same target. A damaged block met on the way is logged
 * to the health log and its range skipped; the rest of the pass goes on.
 */
public final class RangeScan implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RangeScan.class.getName());
    /** How often a running pass saves its position at most: one second. */
    private static final long SAVE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Store store;
    private final HealthSink health;
    private final ScanOptions options;
    private final ScanStateFile stateFile;
    private final String replicaId;
    private final Thread thread;
    private final RangeHasher hasher = new RangeHasher();
    /** Of the batch being hashed, in key order. */
    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private final long totalEstimate;

    private volatile boolean stopRequested;
    private volatile ScanProgress.State state = ScanProgress.State.RUNNING;
    private volatile String failure;
    private volatile ScanState position;
    private volatile long bytesThisRun;
    private volatile long refused;
    private volatile long shortened;
    /** The batch size in keys that last landed; the next batch starts from twice that. */
    private int landedKeys;
    /** Bytes the last attempt's cursor stepped over ({@link Cursor#bytesVisited()}). */
    private long visited;
    private long lastSaveNanos = System.nanoTime();
    private volatile long skipped;

    private RangeScan(Store store, HealthSink health, ScanOptions options) {
        this.store = store;
        this.health = health;
        this.options = options;
        this.replicaId = store.id().toString();
        this.stateFile = new ScanStateFile(store.directory(), store.id());
        StoreStats stats = store.stats();
        this.totalEstimate = stats.segmentBytes() + stats.memtableBytes();
        this.position = initialState();
        this.landedKeys = options.maxBatchKeys();
        this.thread = new Thread(this::run, "kintsugi-scan-" + Long.toHexString(position.scanId()));
        this.thread.setDaemon(true);
    }

    /**
     * Starts a pass on {@code store}, which must be the primary, or resumes the saved one of the same target.
     *
     * @param store   an open primary
     * @param health  where the pass logs its batches and the damage it meets
     * @param options target and pace
     * @return the running pass
     * @throws io.kintsugi.oplog.CorruptionException if the saved scan state is damaged
     * @throws StorageException if the store is closed
     */
    public static RangeScan start(Store store, HealthSink health, ScanOptions options) {
        RangeScan scan = new RangeScan(store, health, options);
        scan.thread.start();
        return scan;
    }

    private ScanState initialState() {
        if (options.resume()) {
            Optional<ScanState> saved = stateFile.load();
            if (saved.isPresent() && saved.get().sameTarget(options)) {
                LOG.log(System.Logger.Level.INFO, () -> "resuming " + saved.get());
                return saved.get();
            }
        }
        long id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        String first = options.namespace() != null ? options.namespace() : firstNamespace();
        return new ScanState(id, options.namespace(), options.from(), options.to(), first == null ? "-" : first,
                options.from(), 0, 0, 0);
    }

    private String firstNamespace() {
        List<String> names = sortedNamespaces();
        return names.isEmpty() ? null : names.get(0);
    }

    private List<String> sortedNamespaces() {
        List<String> names = new ArrayList<>(store.namespaceNames());
        names.sort(null);
        return names;
    }

    /** @return where the pass stands */
    public ScanProgress progress() {
        ScanState p = position;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? bytesThisRun / seconds : 0;
        Optional<Duration> eta = Optional.empty();
        if (state == ScanProgress.State.FINISHED) {
            eta = Optional.of(Duration.ZERO);
        } else if (rate > 0 && totalEstimate > p.bytes()) {
            eta = Optional.of(Duration.ofMillis((long) ((totalEstimate - p.bytes()) / rate * 1000)));
        }
        return new ScanProgress(p.scanId(), state, p.currentNamespace(), p.batches(), p.keys(), p.bytes(),
                totalEstimate, rate, eta, refused, shortened, skipped, Optional.ofNullable(failure));
    }

    /**
     * Waits for the pass to end.
     *
     * @param timeout how long to wait at most
     * @return whether it ended (finished, stopped or failed)
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Stops the pass after the batch in hand, keeping its saved state so that it can resume, and waits for it. */
    public void stop() {
        stopRequested = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private void run() {
        try {
            scanAll();
            if (stopRequested) {
                state = ScanProgress.State.STOPPED;
            } else {
                stateFile.delete();
                ScanState p = position;
                record(Severity.INFO, HealthKind.SCAN_BATCH, Verdict.NONE, options.namespace() == null ? ""
                                : options.namespace(), null, null, p.keys(), p.bytes(), null, -1,
                        "scan pass " + Long.toHexString(p.scanId()) + " finished: " + p.batches() + " batches, "
                                + refused + " re-hashed, " + skipped + " ranges skipped");
                state = ScanProgress.State.FINISHED;
            }
        } catch (RuntimeException e) {
            if (stopRequested) {
                state = ScanProgress.State.STOPPED;
                return;
            }
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            state = ScanProgress.State.FAILED;
            LOG.log(System.Logger.Level.WARNING, "scan pass " + Long.toHexString(position.scanId()) + " stopped: "
                    + failure);
        }
    }

    private void scanAll() {
        List<String> names = options.namespace() != null ? List.of(options.namespace()) : sortedNamespaces();
        for (String name : names) {
            if (name.compareTo(position.currentNamespace()) < 0) {
                continue; // done before a restart
            }
            byte[] from = name.equals(position.currentNamespace()) ? position.nextFrom() : options.from();
            if (!store.namespaceNames().contains(name)) {
                continue; // nothing written there yet: nothing to compare
            }
            scanNamespace(store.namespace(name), from);
            if (stopRequested) {
                return;
            }
        }
    }

    private void scanNamespace(Namespace ns, byte[] start) {
        byte[] from = start;
        byte[] targetTo = options.to();
        while (!stopRequested) {
            Batch b = markBatch(ns, from, targetTo);
            ScanState p = position;
            long batches = p.batches() + (b.marked ? 1 : 0);
            position = new ScanState(p.scanId(), p.targetNamespace(), p.targetFrom(), p.targetTo(), ns.name(),
                    b.end == null ? from : b.end, batches, p.keys() + b.count, p.bytes() + b.bytes);
            bytesThisRun += b.bytes;
            if (b.marked && (batches == 1 || batches % options.logEvery() == 0)) {
                record(Severity.INFO, HealthKind.SCAN_BATCH, Verdict.NONE, ns.name(), from, b.end, b.count, b.bytes,
                        b.hash, b.sequence, "primary's batch " + (batches - 1) + " of scan pass "
                                + Long.toHexString(p.scanId()));
            }
            if (b.end == null || (targetTo != null && Arrays.equals(b.end, targetTo))) {
                return;
            }
            saveNowAndThen();
            from = b.end;
        }
        // A stop interrupts this thread; clear the flag while saving, or the file channel would refuse to write
        // and the position reached would be lost.
        boolean interrupted = Thread.interrupted();
        try {
            stateFile.save(position);
            lastSaveNanos = System.nanoTime();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Saves where the pass stands at most every {@link #SAVE_INTERVAL_NANOS}: a crash then repeats at most that
     * much of the pass, while saving after every batch would add a file replacement and its syncs per batch,
     * competing with the oplog's syncs. A stop always saves.
     */
    private void saveNowAndThen() {
        long now = System.nanoTime();
        if (now - lastSaveNanos >= SAVE_INTERVAL_NANOS) {
            stateFile.save(position);
            lastSaveNanos = now;
        }
    }

    /** What one batch came to. */
    private record Batch(boolean marked, byte[] end, long count, long bytes, Hash128 hash, long sequence) {
    }

    private Batch markBatch(Namespace ns, byte[] from, byte[] targetTo) {
        // Start from the size that last landed (doubled, up to the maximum): under a steady write load the size
        // that writes leave alone long enough changes slowly, and re-hashing from the maximum every batch would
        // spend the byte budget on batches that are refused.
        int maxKeys = (int) Math.min(options.maxBatchKeys(), 2L * landedKeys);
        for (int attempt = 0; ; attempt++) {
            int limit = maxKeys;
            RangeMarking.Attempt a;
            try {
                a = RangeMarking.attempt(store, ns, from, snapshot -> hash(snapshot, ns, from, targetTo, limit),
                        (hashedAt, h) -> new RangeHashMarker(store.id(), position.scanId(), position.batches(),
                                hashedAt, HashAlgorithm.XXH3_128_CHAINED, ns.name(), from, h.end(), h.count(),
                                h.bytes(), h.hash()), this::checkpointBefore);
            } catch (CorruptionException e) {
                return skipDamage(ns, from, targetTo, e);
            }
            RangeMarking.Hashed h = a.hashed();
            // Charged for what the cursor stepped over, not only the live pairs hashed: under writes a range holds
            // several versions of its keys, and reading them is the scan's cost to the writers.
            options.throttle().acquire(visited);
            if (a.sequence().isPresent()) {
                // A marker cut short by a write lands at a checkpoint: the next attempt starts from what landed.
                if (h.count() < hasher.count()) {
                    shortened++;
                    landedKeys = (int) Math.max(1, h.count());
                } else {
                    landedKeys = limit;
                }
                return new Batch(true, h.end(), h.count(), h.bytes(), h.hash(), a.sequence().getAsLong());
            }
            refused++;
            if (attempt >= options.maxRetries()) {
                skipped++;
                record(Severity.WARNING, HealthKind.SCAN_BATCH, Verdict.NOT_CHECKED, ns.name(), from, h.end(),
                        h.count(), h.bytes(), h.hash(), -1, "writes changed the range " + (attempt + 1)
                                + " times before its marker could land; left unchecked in this pass");
                return new Batch(false, h.end(), 0, 0, h.hash(), -1);
            }
            maxKeys = Math.max(1, maxKeys / 2);
        }
    }

    private RangeMarking.Hashed hash(Snapshot snapshot, Namespace ns, byte[] from, byte[] targetTo, int maxKeys) {
        hasher.reset();
        checkpoints.clear();
        long chains = 0;
        long deadline = System.nanoTime() + options.maxBatchTime().toNanos();
        try (Cursor c = snapshot.scan(ns, from, targetTo)) {
            try {
                while (c.next()) {
                    byte[] key = c.key();
                    hasher.add(key, c.value());
                    if (hasher.chains() != chains) {
                        chains = hasher.chains();
                        checkpoint(key, targetTo);
                    }
                    boolean full = hasher.count() >= maxKeys || hasher.bytes() >= options.maxBatchBytes()
                            || System.nanoTime() >= deadline;
                    byte[] end = full ? endAfter(key, targetTo) : null;
                    if (end != null) {
                        return new RangeMarking.Hashed(end, hasher.count(), hasher.bytes(), hasher.hash());
                    }
                }
            } finally {
                visited = c.bytesVisited();
            }
        }
        return new RangeMarking.Hashed(targetTo, hasher.count(), hasher.bytes(), hasher.hash());
    }

    /**
     * Keeps the hash of the batch so far, ending after {@code key}, as a place its marker can fall back to if a write
     * lands further on. Taken just after the hasher folded a chunk, when keeping it costs a copy of at most the last
     * pair's tail: about one checkpoint per {@value RangeHasher#CHUNK} bytes hashed.
     */
    private void checkpoint(byte[] key, byte[] targetTo) {
        byte[] end = endAfter(key, targetTo);
        if (end != null) {
            checkpoints.add(new Checkpoint(end, hasher.mark()));
        }
    }

    /**
     * Where a range that holds {@code key} as its last pair can end: just after it, if that successor is still a
     * valid key (so that the next batch can start there) and lies before the target's end; otherwise null.
     */
    private static byte[] endAfter(byte[] key, byte[] targetTo) {
        if (key.length >= RangeHashMarkerFormat.MAX_KEY_LENGTH) {
            return null;
        }
        byte[] end = Arrays.copyOf(key, key.length + 1);
        return targetTo == null || Arrays.compareUnsigned(end, targetTo) < 0 ? end : null;
    }

    /**
     * After a write refused the batch's marker: the longest checkpointed range, shorter than the one refused, that
     * ends at or before the first key written, so that it can be marked without reading it again.
     */
    private RangeMarking.Hashed checkpointBefore(byte[] firstChanged, RangeMarking.Hashed tried) {
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            Checkpoint c = checkpoints.get(i);
            if (Arrays.compareUnsigned(c.end(), firstChanged) <= 0
                    && (tried.end() == null || Arrays.compareUnsigned(c.end(), tried.end()) < 0)) {
                RangeHasher.Mark m = c.mark();
                return new RangeMarking.Hashed(c.end(), m.count(), m.bytes(), m.hash());
            }
        }
        return null;
    }

    /** The hash of a batch's first pairs, up to {@code end} (exclusive). */
    private record Checkpoint(byte[] end, RangeHasher.Mark mark) {
    }

    /**
     * A damaged block stopped the batch: log it, and go on after the damaged range the store recorded. If the store
     * recorded none that covers the batch's start, the pass cannot safely go on.
     */
    private Batch skipDamage(Namespace ns, byte[] from, byte[] targetTo, CorruptionException e) {
        HealthKind kind = e.report().kind() == CorruptionKind.INVARIANT_VIOLATION ? HealthKind.INVARIANT_VIOLATION
                : HealthKind.CHECKSUM_FAILURE;
        byte[] resumeAt = null;
        for (DamagedRange d : store.damage()) {
            if (!d.namespace().equals(ns.name())) {
                continue;
            }
            boolean reaches = d.toKey() == null || Arrays.compareUnsigned(d.toKey(), from) >= 0;
            if (reaches) {
                byte[] after = d.toKey() == null ? null : Arrays.copyOf(d.toKey(), d.toKey().length + 1);
                if (resumeAt == null || (after != null && Arrays.compareUnsigned(after, resumeAt) < 0)) {
                    resumeAt = after;
                }
                if (after == null) {
                    resumeAt = null;
                    break;
                }
            }
        }
        skipped++;
        record(Severity.ERROR, kind, Verdict.DAMAGED, ns.name(), from, resumeAt, -1, -1, null, -1,
                "the primary could not read the range: " + e.report().describe());
        if (resumeAt == null || (targetTo != null && Arrays.compareUnsigned(resumeAt, targetTo) >= 0)) {
            return new Batch(false, targetTo, 0, 0, null, -1);
        }
        return new Batch(false, resumeAt, 0, 0, null, -1);
    }

    private void record(Severity severity, HealthKind kind, Verdict verdict, String namespace, byte[] from,
                        byte[] to, long count, long bytes, Hash128 hash, long sequence, String detail) {
        try {
            health.record(new HealthEntry(Instant.now(), severity, replicaId, kind, verdict, namespace, from,
                    to, count, bytes, hash, null, sequence, detail));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not write a health entry: " + e);
        }
    }
}
