package io.kintsugi.validation;

import io.kintsugi.validation.health.HealthLogOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Validator} keeps its health log and checks markers. Every setting has a default.
 */
public final class ValidatorOptions {

    /** Markers that may wait for the checker before new ones are logged as not checked. */
    public static final int DEFAULT_CHECKER_QUEUE = 256;
    /** A consistent verdict is logged every this many (mismatches always). */
    public static final int DEFAULT_LOG_EVERY = 100;
    /** How long a probe's snapshot is held after it was taken or last leased. */
    public static final Duration DEFAULT_HOLD_TIME = Duration.ofMinutes(2);
    /** Most probe snapshots held at once; taking one more releases the oldest. */
    public static final int DEFAULT_MAX_HELD = 64;
    /** Digests of the most recent markers kept for {@link Validator#digestAt(long)}. */
    public static final int DEFAULT_DIGESTS_KEPT = 4096;
    /** Times a probe hashes its range before giving up when writes keep changing it. */
    public static final int DEFAULT_PROBE_ATTEMPTS = 16;

    private final HealthLogOptions healthLog;
    private final int checkerQueue;
    private final int logEvery;
    private final Duration holdTime;
    private final int maxHeld;
    private final int digestsKept;
    private final int probeAttempts;

    private ValidatorOptions(Builder b) {
        this.healthLog = b.healthLog;
        this.checkerQueue = b.checkerQueue;
        this.logEvery = b.logEvery;
        this.holdTime = b.holdTime;
        this.maxHeld = b.maxHeld;
        this.digestsKept = b.digestsKept;
        this.probeAttempts = b.probeAttempts;
    }

    /** @return a builder with every default set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults */
    public static ValidatorOptions defaults() {
        return builder().build();
    }

    /** @return the health log's options */
    public HealthLogOptions healthLog() {
        return healthLog;
    }

    /** @return markers that may wait for the checker */
    public int checkerQueue() {
        return checkerQueue;
    }

    /** @return consistent verdicts are logged every this many */
    public int logEvery() {
        return logEvery;
    }

    /** @return how long a probe's snapshot is held after it was taken or last leased */
    public Duration holdTime() {
        return holdTime;
    }

    /** @return most probe snapshots held at once */
    public int maxHeld() {
        return maxHeld;
    }

    /** @return digests of the most recent markers kept */
    public int digestsKept() {
        return digestsKept;
    }

    /** @return times a probe hashes its range before giving up */
    public int probeAttempts() {
        return probeAttempts;
    }

    /** Builds {@link ValidatorOptions}; each setter checks its argument and names the limit. */
    public static final class Builder {
        private HealthLogOptions healthLog = HealthLogOptions.defaults();
        private int checkerQueue = DEFAULT_CHECKER_QUEUE;
        private int logEvery = DEFAULT_LOG_EVERY;
        private Duration holdTime = DEFAULT_HOLD_TIME;
        private int maxHeld = DEFAULT_MAX_HELD;
        private int digestsKept = DEFAULT_DIGESTS_KEPT;
        private int probeAttempts = DEFAULT_PROBE_ATTEMPTS;

        private Builder() {
        }

        /**
         * @param options the health log's size bound, sync interval and listeners
         * @return this builder
         */
        public Builder healthLog(HealthLogOptions options) {
            this.healthLog = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * @param markers 1..65 536
         * @return this builder
         */
        public Builder checkerQueue(int markers) {
            if (markers < 1 || markers > 65_536) {
                throw new IllegalArgumentException("the checker queue holds 1 to 65536 markers, was " + markers);
            }
            this.checkerQueue = markers;
            return this;
        }

        /**
         * @param verdicts log every this many consistent verdicts, 1..1 000 000
         * @return this builder
         */
        public Builder logEvery(int verdicts) {
            if (verdicts < 1 || verdicts > 1_000_000) {
                throw new IllegalArgumentException("log-every must be between 1 and 1000000, was " + verdicts);
            }
            this.logEvery = verdicts;
            return this;
        }

        /**
         * @param time how long a probe's snapshot is held after it was taken or last leased, 1 ms to 1 hour
         * @return this builder
         */
        public Builder holdTime(Duration time) {
            Objects.requireNonNull(time, "time");
            if (time.toMillis() < 1 || time.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("the hold time is 1 ms to 1 hour, was " + time);
            }
            this.holdTime = time;
            return this;
        }

        /**
         * @param snapshots most probe snapshots held at once, 1..4096
         * @return this builder
         */
        public Builder maxHeld(int snapshots) {
            if (snapshots < 1 || snapshots > 4096) {
                throw new IllegalArgumentException("1 to 4096 snapshots may be held, was " + snapshots);
            }
            this.maxHeld = snapshots;
            return this;
        }

        /**
         * @param digests digests of the most recent markers kept, 1..1 000 000
         * @return this builder
         */
        public Builder digestsKept(int digests) {
            if (digests < 1 || digests > 1_000_000) {
                throw new IllegalArgumentException("1 to 1000000 digests may be kept, was " + digests);
            }
            this.digestsKept = digests;
            return this;
        }

        /**
         * @param attempts times a probe hashes its range before giving up, 1..1000
         * @return this builder
         */
        public Builder probeAttempts(int attempts) {
            if (attempts < 1 || attempts > 1000) {
                throw new IllegalArgumentException("a probe makes 1 to 1000 attempts, was " + attempts);
            }
            this.probeAttempts = attempts;
            return this;
        }

        /** @return the options */
        public ValidatorOptions build() {
            return new ValidatorOptions(this);
        }
    }
}
