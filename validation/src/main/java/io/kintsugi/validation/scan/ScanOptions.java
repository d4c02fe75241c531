package io.kintsugi.validation.scan;

import java.time.Duration;
import java.util.Objects;

/**
 * What a range-hash scan covers and how fast it goes. Built with {@link #builder()}:
 *
 * <pre>{@code
 * ScanOptions.builder()
 *     .namespace("orders")                 // default: every namespace, in name order
 *     .range(from, to)                     // only with a namespace; default: the whole namespace
 *     .bytesPerSecond(32L << 20)           // default 32 MiB/s of stored versions read
 *     .build();
 * }</pre>
 */
public final class ScanOptions {

    /** Default pace: low enough to cost foreground writes little on a small machine (see the benchmark). */
    public static final long DEFAULT_BYTES_PER_SECOND = 32L << 20;
    public static final int DEFAULT_MAX_BATCH_KEYS = 10_000;
    public static final long DEFAULT_MAX_BATCH_BYTES = 4L << 20;
    public static final Duration DEFAULT_MAX_BATCH_TIME = Duration.ofMillis(200);
    public static final int DEFAULT_MAX_RETRIES = 8;
    public static final int DEFAULT_LOG_EVERY = 100;

    private final String namespace;
    private final byte[] from;
    private final byte[] to;
    private final int maxBatchKeys;
    private final long maxBatchBytes;
    private final Duration maxBatchTime;
    private final int maxRetries;
    private final int logEvery;
    private final ScanThrottle throttle;
    private final long bytesPerSecond;
    private final boolean resume;

    private ScanOptions(Builder b) {
        this.namespace = b.namespace;
        this.from = b.from;
        this.to = b.to;
        this.maxBatchKeys = b.maxBatchKeys;
        this.maxBatchBytes = b.maxBatchBytes;
        this.maxBatchTime = b.maxBatchTime;
        this.maxRetries = b.maxRetries;
        this.logEvery = b.logEvery;
        this.bytesPerSecond = b.bytesPerSecond;
        this.throttle = b.throttle != null ? b.throttle : ScanThrottle.bytesPerSecond(b.bytesPerSecond);
        this.resume = b.resume;
    }

    /** @return a builder with every default set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the one namespace to scan, or null for all */
    public String namespace() {
        return namespace;
    }

    /** @return a copy of the first key to scan (inclusive); empty for the start */
    public byte[] from() {
        return from.clone();
    }

    /** @return a copy of the end key (exclusive), or null for the end of the namespace */
    public byte[] to() {
        return to == null ? null : to.clone();
    }

    /** @return most pairs per batch */
    public int maxBatchKeys() {
        return maxBatchKeys;
    }

    /** @return most key and value bytes per batch */
    public long maxBatchBytes() {
        return maxBatchBytes;
    }

    /** @return longest time spent hashing one batch */
    public Duration maxBatchTime() {
        return maxBatchTime;
    }

    /** @return how often a batch is hashed again (halving its size) when writes keep changing it */
    public int maxRetries() {
        return maxRetries;
    }

    /** @return the primary logs every this many batches to its health log (and the first and last) */
    public int logEvery() {
        return logEvery;
    }

    /** @return the configured rate, in bytes per second (informational when a custom throttle is set) */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** @return the pace */
    public ScanThrottle throttle() {
        return throttle;
    }

    /** @return whether a scan of the same target continues where a stopped or interrupted one left off */
    public boolean resume() {
        return resume;
    }

    /** Builds {@link ScanOptions}; each setter checks its argument and names the limit it violates. */
    public static final class Builder {
        private String namespace;
        private byte[] from = new byte[0];
        private byte[] to;
        private int maxBatchKeys = DEFAULT_MAX_BATCH_KEYS;
        private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
        private Duration maxBatchTime = DEFAULT_MAX_BATCH_TIME;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private int logEvery = DEFAULT_LOG_EVERY;
        private long bytesPerSecond = DEFAULT_BYTES_PER_SECOND;
        private ScanThrottle throttle;
        private boolean resume = true;

        private Builder() {
        }

        /**
         * @param name the one namespace to scan
         * @return this builder
         */
        public Builder namespace(String name) {
            if (name == null || !name.matches("[a-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("a namespace name is 1 to 64 characters of [a-z0-9_.-]");
            }
            this.namespace = name;
            return this;
        }

        /**
         * @param fromInclusive first key; empty or null for the start of the namespace
         * @param toExclusive   end key, or null for the end of the namespace
         * @return this builder
         * @throws IllegalArgumentException if the end does not sort after the start, or a key is over 64 KiB
         */
        public Builder range(byte[] fromInclusive, byte[] toExclusive) {
            byte[] f = fromInclusive == null ? new byte[0] : fromInclusive.clone();
            if (f.length > RangeHashMarkerFormat.MAX_KEY_LENGTH
                    || (toExclusive != null && toExclusive.length > RangeHashMarkerFormat.MAX_KEY_LENGTH)) {
                throw new IllegalArgumentException("scan range keys are at most "
                        + RangeHashMarkerFormat.MAX_KEY_LENGTH + " bytes");
            }
            if (toExclusive != null && java.util.Arrays.compareUnsigned(f, toExclusive) >= 0) {
                throw new IllegalArgumentException("the scan range's end must sort after its start");
            }
            this.from = f;
            this.to = toExclusive == null ? null : toExclusive.clone();
            return this;
        }

        /**
         * @param keys most pairs per batch, 1..1 000 000
         * @return this builder
         */
        public Builder maxBatchKeys(int keys) {
            if (keys < 1 || keys > 1_000_000) {
                throw new IllegalArgumentException("max batch keys must be between 1 and 1000000, was " + keys);
            }
            this.maxBatchKeys = keys;
            return this;
        }

        /**
         * @param bytes most key and value bytes per batch, 1 KiB..256 MiB
         * @return this builder
         */
        public Builder maxBatchBytes(long bytes) {
            if (bytes < 1024 || bytes > (256L << 20)) {
                throw new IllegalArgumentException("max batch bytes must be between 1024 and 268435456, was "
                        + bytes);
            }
            this.maxBatchBytes = bytes;
            return this;
        }

        /**
         * @param time longest time hashing one batch, 1 ms..1 min: bounds how long a range is watched
         * @return this builder
         */
        public Builder maxBatchTime(Duration time) {
            Objects.requireNonNull(time, "time");
            if (time.toMillis() < 1 || time.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("max batch time must be between 1 ms and 1 minute, was " + time);
            }
            this.maxBatchTime = time;
            return this;
        }

        /**
         * @param retries 0..64
         * @return this builder
         */
        public Builder maxRetries(int retries) {
            if (retries < 0 || retries > 64) {
                throw new IllegalArgumentException("max retries must be between 0 and 64, was " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /**
         * @param batches log the primary's batch hashes every this many batches, 1..1 000 000
         * @return this builder
         */
        public Builder logEvery(int batches) {
            if (batches < 1 || batches > 1_000_000) {
                throw new IllegalArgumentException("log-every must be between 1 and 1000000, was " + batches);
            }
            this.logEvery = batches;
            return this;
        }

        /**
         * The pace: key and value bytes of stored versions read per second. Every version the scan steps over counts
         * ({@link io.kintsugi.engine.Cursor#bytesVisited()}), older versions and tombstones too, and so does a batch
         * hashed again because its marker was refused: the pace bounds what the scan costs the writers, and the live
         * bytes it covers per second are fewer while writes leave many versions behind.
         *
         * @param rate bytes per second, at least 1
         * @return this builder
         */
        public Builder bytesPerSecond(long rate) {
            if (rate < 1) {
                throw new IllegalArgumentException("a scan rate must be at least 1 byte per second, was " + rate);
            }
            this.bytesPerSecond = rate;
            this.throttle = null;
            return this;
        }

        /**
         * @param throttle a pace of the host's own (for example shared between stores)
         * @return this builder
         */
        public Builder throttle(ScanThrottle throttle) {
            this.throttle = Objects.requireNonNull(throttle, "throttle");
            return this;
        }

        /**
         * @param resume whether to continue an interrupted scan of the same target (default true)
         * @return this builder
         */
        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /** @return the options */
        public ScanOptions build() {
            if (namespace == null && (from.length > 0 || to != null)) {
                throw new IllegalArgumentException("a key range needs a namespace");
            }
            return new ScanOptions(this);
        }
    }
}
