package io.kintsugi.validation.scan;

import java.time.Duration;
import java.util.Optional;

/**
 * How far a scan pass has come. {@code totalBytesEstimate} is the store's size on disk and in memory when the pass
 * started: compressed files hold more logical bytes than their size, so {@code bytesDone} can pass it; the ETA is
 * then unknown rather than wrong.
 *
 * @param scanId              the pass
 * @param state               running, finished, stopped or failed
 * @param namespace           the namespace being scanned (or last scanned)
 * @param batches             batches marked in the oplog
 * @param keys                pairs hashed
 * @param bytesDone           key and value bytes hashed
 * @param totalBytesEstimate  the estimate of the bytes to hash
 * @param bytesPerSecond      the average rate since this run started
 * @param eta                 time left at the current rate, when it can be told
 * @param refusedMarkers      batches hashed again because writes changed them before their marker landed
 * @param shortenedMarkers    markers that landed on a shorter range than was hashed, ending at a checkpoint before
 *                            the first key a write touched (nothing was hashed again)
 * @param skippedRanges       ranges left unchecked (damaged, or changing faster than they could be marked)
 * @param failure             why a failed pass stopped
 */
public record ScanProgress(long scanId, State state, String namespace, long batches, long keys, long bytesDone,
                           long totalBytesEstimate, double bytesPerSecond, Optional<Duration> eta,
                           long refusedMarkers, long shortenedMarkers, long skippedRanges,
                           Optional<String> failure) {

    /** Where a pass is. */
    public enum State {
        /** Still scanning. */
        RUNNING,
        /** Covered its whole target. */
        FINISHED,
        /** Stopped by {@link RangeScan#stop()} or the store closing; it resumes from where it stood. */
        STOPPED,
        /** Stopped by an error (for example the store stopped being primary); see {@link #failure()}. */
        FAILED
    }

    /** @return the share of the estimate done, 0..1 (1 once finished) */
    public double fraction() {
        if (state == State.FINISHED) {
            return 1;
        }
        if (totalBytesEstimate <= 0) {
            return 0;
        }
        return Math.min(0.99, bytesDone / (double) totalBytesEstimate);
    }

    @Override
    public String toString() {
        return String.format("scan %s %s: %d batches, %d keys, %d of ~%d bytes (%.0f%%), %.1f MB/s, eta %s, "
                        + "%d refused, %d shortened, %d skipped%s", Long.toHexString(scanId), state, batches, keys,
                bytesDone, totalBytesEstimate, fraction() * 100, bytesPerSecond / 1e6,
                eta.map(Duration::toString).orElse("unknown"), refusedMarkers, shortenedMarkers, skippedRanges,
                failure.map(f -> ": " + f).orElse(""));
    }
}
