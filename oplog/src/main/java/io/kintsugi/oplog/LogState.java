package io.kintsugi.oplog;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * What the writer, readers, tailers and retention share about one open log: its segments, how far records are
 * visible, and whether it is closed.
 */
final class LogState {

    /**
     * The visible end of the log: records up to {@code lastSequence} may be read, and in the active segment only
     * bytes before {@code activeSize}. Replaced as a whole so readers see a consistent pair.
     */
    record End(Segment active, long activeSize, long lastSequence) {
    }

    final Path dir;
    final UUID logId;
    final OplogOptions options;
    final LogMetadataFile metadata;
    /** Segments by first sequence. */
    final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();

    private volatile End end;
    private volatile long firstSequence;
    private volatile boolean closed;
    private volatile StorageException failure;

    private final ReentrantLock endLock = new ReentrantLock();
    private final Condition endMoved = endLock.newCondition();
    private int waiters;

    LogState(Path dir, UUID logId, OplogOptions options, LogMetadataFile metadata) {
        this.dir = dir;
        this.logId = logId;
        this.options = options;
        this.metadata = metadata;
    }

    End end() {
        return end;
    }

    long firstSequence() {
        return firstSequence;
    }

    void firstSequence(long seq) {
        firstSequence = seq;
    }

    boolean isClosed() {
        return closed;
    }

    StorageException failure() {
        return failure;
    }

    /** Records the first write failure; the log accepts no appends after it. */
    void fail(StorageException e) {
        if (failure == null) {
            failure = e;
        }
        wakeWaiters();
    }

    void close() {
        closed = true;
        wakeWaiters();
    }

    /** Makes more of the log visible and wakes readers waiting for it. */
    void publishEnd(End e) {
        end = e;
        wakeWaiters();
    }

    /** Wakes every thread waiting in {@link #awaitVisible}, so it can re-check its own stop condition. */
    void wakeWaiters() {
        endLock.lock();
        try {
            if (waiters > 0) {
                endMoved.signalAll();
            }
        } finally {
            endLock.unlock();
        }
    }

    /**
     * Waits until {@code sequence} is visible, the log closes or fails, the caller cancels, or the deadline passes.
     *
     * @return whether {@code sequence} is visible
     */
    boolean awaitVisible(long sequence, long deadlineNanos, BooleanSupplier cancelled) throws InterruptedException {
        endLock.lock();
        try {
            waiters++;
            try {
                while (end.lastSequence() < sequence && !closed && failure == null && !cancelled.getAsBoolean()) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    endMoved.await(left, TimeUnit.NANOSECONDS);
                }
                return end.lastSequence() >= sequence;
            } finally {
                waiters--;
            }
        } finally {
            endLock.unlock();
        }
    }

    /** @return the segment that holds {@code sequence}, or null if none does */
    Segment segmentFor(long sequence) {
        Map.Entry<Long, Segment> e = segments.floorEntry(sequence);
        return e == null ? null : e.getValue();
    }

    /** @throws StorageException if the log is closed */
    void ensureOpen() {
        if (closed) {
            throw new StorageException("oplog " + dir + " is closed");
        }
    }
}
