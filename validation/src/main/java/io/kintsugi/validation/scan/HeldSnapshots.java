package io.kintsugi.validation.scan;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.LogMarker;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.StorageException;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The snapshots a replica keeps at held markers (a probe's, {@link RangeHashMarkerFormat#FLAG_HOLD}), so that the
 * marker's range can be read as of the marker's sequence for a while after the store moved on: repair copies a
 * range from a healthy replica this way. A snapshot pins memtables and files, so holds are bounded in time and in
 * number:
 * <ul>
 *   <li>a hold ends {@code holdTime} after it was taken or after its last lease closed, whichever is later; a small
 *       reaper thread releases expired holds; a hold never expires while leased;</li>
 *   <li>at most {@code maxHeld} holds exist: taking one more releases the oldest, which is logged. A released hold
 *       cannot be leased again; a lease already open on it keeps its snapshot until the lease closes;</li>
 *   <li>{@link #close()} (the store closing) releases every hold and closes every snapshot, leased or not.</li>
 * </ul>
 * Thread-safe.
 */
public final class HeldSnapshots implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HeldSnapshots.class.getName());

    private final Store store;
    private final long holdNanos;
    private final int maxHeld;
    private final ScheduledExecutorService reaper;
    // Guarded by this; in the order the holds were taken, oldest first.
    private final Map<Long, Hold> holds = new LinkedHashMap<>();
    private boolean closed;

    /**
     * Starts the reaper.
     *
     * @param store    the open store whose markers are held
     * @param holdTime how long a hold lasts after it was taken or last leased, 1 ms to 1 hour
     * @param maxHeld  most holds at once, 1..4096
     * @throws IllegalArgumentException if a setting is outside its range
     */
    public HeldSnapshots(Store store, Duration holdTime, int maxHeld) {
        if (holdTime.toMillis() < 1 || holdTime.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("a hold lasts 1 ms to 1 hour, was " + holdTime);
        }
        if (maxHeld < 1 || maxHeld > 4096) {
            throw new IllegalArgumentException("1 to 4096 snapshots may be held, was " + maxHeld);
        }
        this.store = store;
        this.holdNanos = holdTime.toNanos();
        this.maxHeld = maxHeld;
        String name = "kintsugi-hold-reaper-" + store.id().toString().substring(0, 8);
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        // Checking a few times per hold time bounds how long an expired snapshot outlives its time.
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(holdNanos / 4, TimeUnit.SECONDS.toNanos(1)));
        reaper.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.NANOSECONDS);
    }

    /**
     * Keeps a held marker's snapshot. Takes ownership of {@code logMarker}: it is closed when the hold ends (at once
     * if these holds are closed).
     *
     * @param logMarker the applied marker, with its snapshot at exactly its sequence
     * @param marker    the decoded marker: its range is the only one a lease may read
     */
    public void hold(LogMarker logMarker, RangeHashMarker marker) {
        Hold evicted = null;
        synchronized (this) {
            if (closed || holds.containsKey(logMarker.sequence())) {
                logMarker.close();
                return;
            }
            Namespace ns = store.namespace(marker.namespace());
            holds.put(logMarker.sequence(), new Hold(logMarker, marker, ns, System.nanoTime() + holdNanos));
            notifyAll(); // a probe on this store may be waiting for its own hold
            if (holds.size() > maxHeld) {
                Iterator<Hold> oldest = holds.values().iterator();
                evicted = oldest.next();
                oldest.remove();
                evicted.end();
            }
        }
        if (evicted != null) {
            LOG.log(System.Logger.Level.WARNING, "released the held snapshot at sequence " + evicted.sequence()
                    + " before its time: at most " + maxHeld + " snapshots are held (ValidatorOptions.maxHeld)");
        }
    }

    /**
     * @param sequence a held marker's sequence
     * @return a lease on its snapshot, if it is still held; close it when done
     */
    public Optional<HeldRange> lease(long sequence) {
        synchronized (this) {
            Hold h = holds.get(sequence);
            if (h == null) {
                return Optional.empty();
            }
            h.leases++;
            return Optional.of(new HeldRange(h));
        }
    }

    /**
     * @param sequence a marker's sequence
     * @return whether a snapshot is held there now; unlike a lease, asking does not extend the hold
     */
    public synchronized boolean isHeld(long sequence) {
        return holds.containsKey(sequence);
    }

    /**
     * Waits until a snapshot is held at {@code sequence}: a primary's checker takes the hold of its own probe
     * marker on its own thread, after the probe appended it.
     *
     * @param sequence a held marker's sequence
     * @param timeout  how long to wait at most
     * @return whether it is held (false if the time ran out or these holds were closed)
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean awaitHeld(long sequence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed && !holds.containsKey(sequence)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return !closed;
    }

    /**
     * Hashes a held range now, for a held marker the checker had no time to check (it fell a whole queue behind):
     * the snapshot is still the one at the marker, so the digest is the one the checker would have recorded.
     *
     * @param sequence a marker's sequence
     * @return the range's digest as of the marker, or empty if no snapshot is held there
     */
    public Optional<RangeDigest> digest(long sequence) {
        Optional<HeldRange> lease = lease(sequence);
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try (HeldRange l = lease.get()) {
            RangeHashMarker m = l.hold().marker();
            RangeHasher hasher = new RangeHasher();
            try (Cursor c = l.scan()) {
                while (c.next()) {
                    hasher.add(c.key(), c.value());
                }
            } catch (CorruptionException e) {
                return Optional.of(RangeDigest.damaged(m.namespace(), m.from(), m.to(), sequence,
                        e.report().describe()));
            }
            return Optional.of(RangeDigest.ok(m.namespace(), m.from(), m.to(), sequence, hasher.count(),
                    hasher.bytes(), hasher.hash()));
        }
    }

    /** @return holds in place now */
    public synchronized int size() {
        return holds.size();
    }

    private void reap() {
        long now = System.nanoTime();
        int released = 0;
        synchronized (this) {
            for (Iterator<Hold> it = holds.values().iterator(); it.hasNext(); ) {
                Hold h = it.next();
                if (h.leases == 0 && now - h.expiresAt >= 0) {
                    it.remove();
                    h.end();
                    released++;
                }
            }
        }
        if (released > 0) {
            int n = released;
            LOG.log(System.Logger.Level.DEBUG, () -> "released " + n + " expired held snapshots");
        }
    }

    /** Stops the reaper and closes every held snapshot, leased or not (the store is closing). */
    @Override
    public void close() {
        reaper.shutdownNow();
        synchronized (this) {
            closed = true;
            notifyAll();
            for (Hold h : holds.values()) {
                h.end();
                h.forceClose();
            }
            holds.clear();
        }
    }

    /** One held snapshot. Its mutable fields are guarded by the enclosing {@link HeldSnapshots}. */
    final class Hold {
        private final LogMarker logMarker;
        private final RangeHashMarker marker;
        private final Namespace namespace;
        private long expiresAt;
        private int leases;
        private boolean ended;
        private boolean snapshotClosed;

        private Hold(LogMarker logMarker, RangeHashMarker marker, Namespace namespace, long expiresAt) {
            this.logMarker = logMarker;
            this.marker = marker;
            this.namespace = namespace;
            this.expiresAt = expiresAt;
        }

        long sequence() {
            return logMarker.sequence();
        }

        RangeHashMarker marker() {
            return marker;
        }

        Cursor scan(byte[] from, byte[] to) {
            synchronized (HeldSnapshots.this) {
                if (snapshotClosed) {
                    throw new StorageException("the held snapshot at sequence " + sequence() + " was released: "
                            + "the store closed");
                }
                return logMarker.snapshot().scan(namespace, from, to);
            }
        }

        /** A lease closed: the hold time starts over, or the snapshot closes if the hold already ended. */
        void release() {
            synchronized (HeldSnapshots.this) {
                leases--;
                expiresAt = System.nanoTime() + holdNanos;
                if (ended && leases == 0) {
                    forceClose();
                }
            }
        }

        /** No new leases; the snapshot closes now if no lease is open, else when the last one closes. */
        private void end() {
            ended = true;
            if (leases == 0) {
                forceClose();
            }
        }

        private void forceClose() {
            if (!snapshotClosed) {
                snapshotClosed = true;
                logMarker.close();
            }
        }
    }
}
