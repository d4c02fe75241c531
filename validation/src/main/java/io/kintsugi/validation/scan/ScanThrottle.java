package io.kintsugi.validation.scan;

import com.google.common.util.concurrent.RateLimiter;

/**
 * Paces a scan by the bytes it reads: every stored version it steps over, not only the live pairs it hashes. The default is a Guava {@link RateLimiter} in bytes per second; a host that
 * runs several scans can share one throttle between them.
 */
@FunctionalInterface
public interface ScanThrottle {

    /**
     * Called after each attempt at a batch with the key and value bytes of every stored version it read (older
     * versions and tombstones included, see {@link io.kintsugi.engine.Cursor#bytesVisited()}); waits as long as the
     * rate requires.
     *
     * @param bytes bytes just read, 0 or more
     */
    void acquire(long bytes);

    /**
     * @param bytesPerSecond the rate, at least 1
     * @return a throttle that lets through at most that many bytes per second on average
     * @throws IllegalArgumentException if the rate is below 1
     */
    static ScanThrottle bytesPerSecond(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("a scan rate must be at least 1 byte per second, was "
                    + bytesPerSecond);
        }
        RateLimiter limiter = RateLimiter.create(bytesPerSecond);
        return bytes -> {
            long left = bytes;
            while (left > 0) {
                int permits = (int) Math.min(left, Integer.MAX_VALUE);
                limiter.acquire(permits);
                left -= permits;
            }
        };
    }
}
