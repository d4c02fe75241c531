package io.kintsugi.validation;

import io.kintsugi.validation.health.HealthLogOptions;

import java.util.Objects;

/**
 * How a {@link Validator} keeps its health log and checks markers. Every setting has a default.
 */
public final class ValidatorOptions {

    /** Markers that may wait for the checker before new ones are logged as not checked. */
    public static final int DEFAULT_CHECKER_QUEUE = 256;
    /** A consistent verdict is logged every this many (mismatches always). */
    public static final int DEFAULT_LOG_EVERY = 100;

    private final HealthLogOptions healthLog;
    private final int checkerQueue;
    private final int logEvery;

    private ValidatorOptions(Builder b) {
        this.healthLog = b.healthLog;
        this.checkerQueue = b.checkerQueue;
        this.logEvery = b.logEvery;
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

    /** Builds {@link ValidatorOptions}; each setter checks its argument and names the limit. */
    public static final class Builder {
        private HealthLogOptions healthLog = HealthLogOptions.defaults();
        private int checkerQueue = DEFAULT_CHECKER_QUEUE;
        private int logEvery = DEFAULT_LOG_EVERY;

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

        /** @return the options */
        public ValidatorOptions build() {
            return new ValidatorOptions(this);
        }
    }
}
