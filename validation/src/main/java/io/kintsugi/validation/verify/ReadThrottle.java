package io.kintsugi.validation.verify;

import com.google.common.util.concurrent.RateLimiter;

/**
 * Paces verify's reads by bytes with a Guava {@link RateLimiter}, and counts them. Acquiring before a read means a
 * large read waits up front; the limiter's debt makes the next acquire wait after a read charged late.
 */
final class ReadThrottle {

    /** Permits are ints: split large charges so that none overflows. */
    private static final int MAX_PERMITS = 1 << 30;

    private final RateLimiter limiter;
    private long bytes;

    ReadThrottle(long bytesPerSecond) {
        this.limiter = bytesPerSecond > 0 ? RateLimiter.create(bytesPerSecond) : null;
    }

    /** Waits until {@code n} more bytes may be read, and counts them. */
    void acquire(long n) {
        if (n <= 0) {
            return;
        }
        bytes += n;
        if (limiter == null) {
            return;
        }
        for (long left = n; left > 0; left -= MAX_PERMITS) {
            limiter.acquire((int) Math.min(left, MAX_PERMITS));
        }
    }

    /** @return the bytes charged so far */
    long bytes() {
        return bytes;
    }
}
