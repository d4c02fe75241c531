package io.kintsugi.repair.resync;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a running {@link WholeReplicaResync} got, safe to read from any thread while it runs: ranges done of the
 * planned total, pairs and bytes moved, the rate and an estimate of the time left.
 *
 * <p>The estimate is by the planned bytes of the ranges finished (moved, already equal, or given up) against the
 * planned bytes of all of them, at the rate so far: ranges found already equal on the target finish quickly, so the
 * estimate falls as they are passed. Before planning is done the totals are 0 and there is no estimate.
 */
public final class ResyncProgress {

    private final AtomicLong startNanos = new AtomicLong();
    private final AtomicLong endNanos = new AtomicLong();
    private final AtomicLong rangesTotal = new AtomicLong();
    private final AtomicLong rangesDone = new AtomicLong();
    private final AtomicLong plannedBytes = new AtomicLong();
    private final AtomicLong plannedBytesDone = new AtomicLong();
    private final AtomicLong pairs = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong wireBytes = new AtomicLong();

    ResyncProgress() {
    }

    void started() {
        startNanos.set(System.nanoTime());
    }

    void planned(long ranges, long bytesPlanned) {
        plannedBytes.set(bytesPlanned);
        rangesTotal.set(ranges);
    }

    void rangeFinished(ResyncRange range, long pairsMoved, long bytesMoved, long wire) {
        pairs.addAndGet(pairsMoved);
        bytes.addAndGet(bytesMoved);
        wireBytes.addAndGet(wire);
        plannedBytesDone.addAndGet(range.bytes());
        rangesDone.incrementAndGet();
    }

    void finished() {
        endNanos.set(System.nanoTime());
    }

    /** @return ranges finished (moved, found already equal, or given up) */
    public long rangesDone() {
        return rangesDone.get();
    }

    /** @return ranges planned; 0 until planning is done */
    public long rangesTotal() {
        return rangesTotal.get();
    }

    /** @return pairs copied to the target so far */
    public long pairs() {
        return pairs.get();
    }

    /** @return key and value bytes copied to the target so far */
    public long bytes() {
        return bytes.get();
    }

    /** @return bytes of chunk frames the target received so far (keys, values, their lengths, frame headers) */
    public long wireBytes() {
        return wireBytes.get();
    }

    /** @return the time since the resync started (up to its end once it finished); zero before it started */
    public Duration elapsed() {
        long start = startNanos.get();
        if (start == 0) {
            return Duration.ZERO;
        }
        long end = endNanos.get();
        return Duration.ofNanos((end != 0 ? end : System.nanoTime()) - start);
    }

    /** @return key and value bytes copied per second so far; 0 before anything was copied */
    public double bytesPerSecond() {
        long nanos = elapsed().toNanos();
        return nanos <= 0 ? 0 : bytes.get() * 1e9 / nanos;
    }

    /** @return whether every planned range is finished */
    public boolean complete() {
        long total = rangesTotal.get();
        return total > 0 && rangesDone.get() >= total;
    }

    /**
     * @return the estimated time left, or empty while nothing is known to base it on (before planning, or before
     *         the first range with planned bytes finished)
     */
    public Optional<Duration> eta() {
        if (complete()) {
            return Optional.of(Duration.ZERO);
        }
        long done = plannedBytesDone.get();
        long total = plannedBytes.get();
        long nanos = elapsed().toNanos();
        if (rangesTotal.get() == 0 || done <= 0 || nanos <= 0) {
            return Optional.empty();
        }
        double left = Math.max(0, total - done) * (double) nanos / done;
        return Optional.of(Duration.ofNanos((long) left));
    }

    @Override
    public String toString() {
        return "ResyncProgress{" + rangesDone() + "/" + rangesTotal() + " ranges, " + pairs() + " pairs, " + bytes()
                + " bytes (" + wireBytes() + " on the wire), " + Math.round(bytesPerSecond()) + " B/s, ETA "
                + eta().map(Duration::toString).orElse("unknown") + '}';
    }
}
