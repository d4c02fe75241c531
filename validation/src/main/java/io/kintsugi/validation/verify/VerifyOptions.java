package io.kintsugi.validation.verify;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * How a verify runs: its {@link VerifyLevel} and how fast it may read. Built with {@link #builder()}.
 *
 * <p>By default the level is {@link VerifyLevel#CHECKSUMS}; an offline verify reads as fast as the disk allows, and an
 * online verify at most {@value #DEFAULT_ONLINE_BYTES_PER_SECOND} bytes per second (64 MiB/s), so that it leaves the
 * disk to the store's own reads and writes.
 */
public final class VerifyOptions {

    /** The read rate of an online verify unless one is set: 64 MiB/s. */
    public static final long DEFAULT_ONLINE_BYTES_PER_SECOND = 64L << 20;

    private final VerifyLevel level;
    private final OptionalLong bytesPerSecond;

    private VerifyOptions(Builder b) {
        this.level = b.level;
        this.bytesPerSecond = b.bytesPerSecond;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults: CHECKSUMS, the default rate for the mode */
    public static VerifyOptions defaults() {
        return builder().build();
    }

    /** @return the level */
    public VerifyLevel level() {
        return level;
    }

    /**
     * @return the read rate set, in bytes per second (0 = unthrottled), or empty for the mode's default (unthrottled
     *         offline, {@link #DEFAULT_ONLINE_BYTES_PER_SECOND} online)
     */
    public OptionalLong bytesPerSecond() {
        return bytesPerSecond;
    }

    /**
     * @param online whether the verify runs on an open store
     * @return the read rate to use, in bytes per second; 0 means unthrottled
     */
    long effectiveBytesPerSecond(boolean online) {
        return bytesPerSecond.orElse(online ? DEFAULT_ONLINE_BYTES_PER_SECOND : 0);
    }

    /** The level and the rate set. */
    @Override
    public String toString() {
        return "VerifyOptions{level=" + level + ", bytesPerSecond="
                + (bytesPerSecond.isPresent() ? bytesPerSecond.getAsLong() : "default") + '}';
    }

    /** Builds {@link VerifyOptions}. */
    public static final class Builder {
        private VerifyLevel level = VerifyLevel.CHECKSUMS;
        private OptionalLong bytesPerSecond = OptionalLong.empty();

        private Builder() {
        }

        /**
         * @param level how much to read
         * @return this builder
         * @throws NullPointerException if level is null
         */
        public Builder level(VerifyLevel level) {
            this.level = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * @param bytes the highest read rate in bytes per second, at least 4096; or 0 for unthrottled
         * @return this builder
         * @throws IllegalArgumentException if bytes is negative or between 1 and 4095
         */
        public Builder bytesPerSecond(long bytes) {
            if (bytes < 0 || (bytes > 0 && bytes < 4096)) {
                throw new IllegalArgumentException("bytesPerSecond must be 0 (unthrottled) or at least 4096, was "
                        + bytes);
            }
            this.bytesPerSecond = OptionalLong.of(bytes);
            return this;
        }

        /** @return the options */
        public VerifyOptions build() {
            return new VerifyOptions(this);
        }
    }
}
