package io.kintsugi.validation.health;

import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.validation.events.HealthListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link HealthLog} is opened. Built with {@link #builder()}; every setting has a default.
 *
 * <ul>
 *   <li>{@link Builder#maxBytes(long)}: the size bound of the log's files, default {@value #DEFAULT_MAX_BYTES}
 *       bytes (64 MiB), at least {@value #MIN_MAX_BYTES} (256 KiB), at most {@value #MAX_MAX_BYTES} (16 GiB). The
 *       log is kept in segments of a sixteenth of it ({@link #segmentSize()}), so that dropping the oldest segment
 *       frees little more than needed.</li>
 *   <li>{@link Builder#syncInterval(Duration)}: how long an INFO or WARNING entry may wait to be made durable,
 *       default 1 s. ERROR entries are always durable before {@link HealthLog#append} returns.</li>
 *   <li>{@link Builder#listener(HealthListener)}: told about every appended entry; any number.</li>
 * </ul>
 */
public final class HealthLogOptions {

    /** Default size bound: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** Smallest size bound: 256 KiB, sixteen segments of the oplog's smallest segment size and more. */
    public static final long MIN_MAX_BYTES = 256L << 10;
    /** Largest size bound: 16 GiB, sixteen segments of the oplog's largest segment size. */
    public static final long MAX_MAX_BYTES = 16L << 30;
    /** The log is kept in this many segments' worth of bytes: the bound is exceeded by at most one segment's drop. */
    public static final int SEGMENTS_PER_BOUND = 16;
    /** Default longest wait before an INFO or WARNING entry is made durable. */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

    private final long maxBytes;
    private final Duration syncInterval;
    private final List<HealthListener> listeners;

    private HealthLogOptions(Builder b) {
        this.maxBytes = b.maxBytes;
        this.syncInterval = b.syncInterval;
        this.listeners = List.copyOf(b.listeners);
    }

    /** @return a builder with every default set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults */
    public static HealthLogOptions defaults() {
        return builder().build();
    }

    /** @return the most bytes the log's segment files hold once an append has returned */
    public long maxBytes() {
        return maxBytes;
    }

    /** @return the size of the log's segments: {@link #maxBytes()} / {@value #SEGMENTS_PER_BOUND} */
    public long segmentSize() {
        return Math.max(OplogOptions.MIN_SEGMENT_SIZE, maxBytes / SEGMENTS_PER_BOUND);
    }

    /** @return the longest time an INFO or WARNING entry waits to be made durable */
    public Duration syncInterval() {
        return syncInterval;
    }

    /** @return the listeners, in the order they are called */
    public List<HealthListener> listeners() {
        return listeners;
    }

    @Override
    public String toString() {
        return "HealthLogOptions{maxBytes=" + maxBytes + ", syncInterval=" + syncInterval + ", listeners="
                + listeners.size() + '}';
    }

    /** Builds {@link HealthLogOptions}; each setter checks its argument and names the limit it violates. */
    public static final class Builder {
        private long maxBytes = DEFAULT_MAX_BYTES;
        private Duration syncInterval = DEFAULT_SYNC_INTERVAL;
        private final List<HealthListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * @param bytes the size bound, {@value HealthLogOptions#MIN_MAX_BYTES} to
         *              {@value HealthLogOptions#MAX_MAX_BYTES} bytes
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxBytes(long bytes) {
            if (bytes < MIN_MAX_BYTES || bytes > MAX_MAX_BYTES) {
                throw new IllegalArgumentException("health log maxBytes must be between " + MIN_MAX_BYTES
                        + " (256 KiB) and " + MAX_MAX_BYTES + " (16 GiB) bytes, was " + bytes);
            }
            this.maxBytes = bytes;
            return this;
        }

        /**
         * @param interval the longest wait before an INFO or WARNING entry is made durable, 1 ms to 1 hour
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder syncInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("health log syncInterval must be between 1 ms and 1 hour, was "
                        + interval);
            }
            this.syncInterval = interval;
            return this;
        }

        /**
         * @param listener told about every appended entry, after the listeners added before it
         * @return this builder
         */
        public Builder listener(HealthListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** @return the options */
        public HealthLogOptions build() {
            return new HealthLogOptions(this);
        }
    }
}
