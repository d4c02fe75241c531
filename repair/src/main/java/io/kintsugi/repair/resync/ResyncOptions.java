package io.kintsugi.repair.resync;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How a {@link WholeReplicaResync} cuts namespaces into ranges and how long it waits for replicas.
 *
 * <pre>{@code
 * ResyncOptions o = ResyncOptions.builder().maxRangePairs(10_000).maxRangeBytes(16 << 20)
 *         .clearTargetOnlyNamespaces(true).build();
 * }</pre>
 */
public final class ResyncOptions {

    /** Default bound on the pairs of one range: small enough that a range's pull is quick to retry. */
    public static final long DEFAULT_MAX_RANGE_PAIRS = 10_000;
    /** Default bound on the key and value bytes of one range (16 MiB): it stages in the agent's memory. */
    public static final long DEFAULT_MAX_RANGE_BYTES = 16L << 20;
    /** Default number of probes of one range before it is given up (writes can keep a probe from landing). */
    public static final int DEFAULT_RANGE_ATTEMPTS = 3;

    private final long maxRangePairs;
    private final long maxRangeBytes;
    private final int rangeAttempts;
    private final boolean clearTargetOnlyNamespaces;
    private final Duration digestWait;
    private final Duration pullTimeout;
    private final Instant trustCopiesBefore;

    private ResyncOptions(Builder b) {
        this.maxRangePairs = b.maxRangePairs;
        this.maxRangeBytes = b.maxRangeBytes;
        this.rangeAttempts = b.rangeAttempts;
        this.clearTargetOnlyNamespaces = b.clearTargetOnlyNamespaces;
        this.digestWait = b.digestWait;
        this.pullTimeout = b.pullTimeout;
        this.trustCopiesBefore = b.trustCopiesBefore;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the most pairs one range holds when the namespace is split (the source's distribution at planning) */
    public long maxRangePairs() {
        return maxRangePairs;
    }

    /** @return the most key and value bytes one range holds when the namespace is split */
    public long maxRangeBytes() {
        return maxRangeBytes;
    }

    /** @return how many probes of one range are made before the range is reported as not resynced */
    public int rangeAttempts() {
        return rangeAttempts;
    }

    /** @return whether namespaces found only on the target are emptied (otherwise they are only reported) */
    public boolean clearTargetOnlyNamespaces() {
        return clearTargetOnlyNamespaces;
    }

    /** @return how long to wait, per probe, for every replica's digest */
    public Duration digestWait() {
        return digestWait;
    }

    /** @return how long one range's pull may take on the target */
    public Duration pullTimeout() {
        return pullTimeout;
    }

    /**
     * @return a source that copied a range from the target at or after this time is not trusted for that range
     *         ({@link Instant#EPOCH} by default: no such copy is trusted, since a wrecked target's damage may be old)
     */
    public Instant trustCopiesBefore() {
        return trustCopiesBefore;
    }

    /** Builds {@link ResyncOptions}. */
    public static final class Builder {
        private long maxRangePairs = DEFAULT_MAX_RANGE_PAIRS;
        private long maxRangeBytes = DEFAULT_MAX_RANGE_BYTES;
        private int rangeAttempts = DEFAULT_RANGE_ATTEMPTS;
        private boolean clearTargetOnlyNamespaces;
        private Duration digestWait = Duration.ofSeconds(30);
        private Duration pullTimeout = Duration.ofMinutes(5);
        private Instant trustCopiesBefore = Instant.EPOCH;

        private Builder() {
        }

        /**
         * @param pairs the most pairs in one range, at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxRangePairs(long pairs) {
            if (pairs < 1) {
                throw new IllegalArgumentException("a resync range holds at least 1 pair, maxRangePairs was " + pairs);
            }
            this.maxRangePairs = pairs;
            return this;
        }

        /**
         * @param bytes the most key and value bytes in one range, at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxRangeBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("a resync range holds at least 1 byte, maxRangeBytes was " + bytes);
            }
            this.maxRangeBytes = bytes;
            return this;
        }

        /**
         * @param attempts probes of one range before it is given up, 1 to 100
         * @return this builder
         * @throws IllegalArgumentException if outside 1 to 100
         */
        public Builder rangeAttempts(int attempts) {
            if (attempts < 1 || attempts > 100) {
                throw new IllegalArgumentException("range attempts must be 1 to 100, was " + attempts);
            }
            this.rangeAttempts = attempts;
            return this;
        }

        /**
         * @param clear whether to empty namespaces that exist only on the target (needs the target's store)
         * @return this builder
         */
        public Builder clearTargetOnlyNamespaces(boolean clear) {
            this.clearTargetOnlyNamespaces = clear;
            return this;
        }

        /**
         * @param wait how long to wait, per probe, for every replica's digest; positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder digestWait(Duration wait) {
            this.digestWait = positive("digest wait", wait);
            return this;
        }

        /**
         * @param timeout how long one range's pull may take on the target; positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder pullTimeout(Duration timeout) {
            this.pullTimeout = positive("pull timeout", timeout);
            return this;
        }

        /**
         * @param since copies of a range from the target at or after this time disqualify a source for it
         * @return this builder
         */
        public Builder trustCopiesBefore(Instant since) {
            this.trustCopiesBefore = Objects.requireNonNull(since, "since");
            return this;
        }

        /** @return the options */
        public ResyncOptions build() {
            return new ResyncOptions(this);
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("the " + what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
