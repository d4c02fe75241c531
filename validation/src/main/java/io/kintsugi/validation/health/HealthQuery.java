package io.kintsugi.validation.health;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which entries {@link HealthLog#query} returns, and in what order. Built with {@link #builder()}; with no
 * condition set it matches every entry, newest first.
 *
 * <pre>{@code
 * HealthQuery q = HealthQuery.builder().minSeverity(Severity.ERROR).namespace("orders")
 *         .since(Instant.now().minus(Duration.ofDays(1))).limit(100).build();
 * }</pre>
 *
 * <p>"Newest" means appended last: the order is the log's, which the entries' own times normally follow but need not
 * (a clock that stepped back).
 */
public final class HealthQuery {

    /** The order of the result. */
    public enum Order {
        /** Last appended first; what people usually want, and the default. */
        NEWEST_FIRST,
        /** First appended first. */
        OLDEST_FIRST
    }

    private final Severity minSeverity;
    private final Set<HealthKind> kinds;
    private final Set<Verdict> verdicts;
    private final Instant since;
    private final Instant until;
    private final String namespace;
    private final byte[] fromKey;
    private final byte[] toKey;
    private final boolean keyRange;
    private final int limit;
    private final Order order;

    private HealthQuery(Builder b) {
        this.minSeverity = b.minSeverity;
        this.kinds = b.kinds == null ? null : Set.copyOf(b.kinds);
        this.verdicts = b.verdicts == null ? null : Set.copyOf(b.verdicts);
        this.since = b.since;
        this.until = b.until;
        this.namespace = b.namespace;
        this.fromKey = b.fromKey;
        this.toKey = b.toKey;
        this.keyRange = b.keyRange;
        this.limit = b.limit;
        this.order = b.order;
    }

    /** @return a builder that matches everything, newest first, without a limit */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a query that matches every entry, newest first */
    public static HealthQuery all() {
        return builder().build();
    }

    /** @return the most entries the query returns */
    public int limit() {
        return limit;
    }

    /** @return the order of the result */
    public Order order() {
        return order;
    }

    /**
     * @param e an entry
     * @return whether the entry meets every condition of this query (the limit aside)
     */
    public boolean matches(HealthEntry e) {
        if (e.severity().compareTo(minSeverity) < 0) {
            return false;
        }
        if (kinds != null && !kinds.contains(e.kind())) {
            return false;
        }
        if (verdicts != null && !verdicts.contains(e.verdict())) {
            return false;
        }
        if (since != null && e.time().isBefore(since)) {
            return false;
        }
        if (until != null && !e.time().isBefore(until)) {
            return false;
        }
        if (namespace != null && !namespace.equals(e.namespace())) {
            return false;
        }
        return !keyRange || overlaps(e);
    }

    /** [min, max] and [from, to] overlap unless one ends before the other starts; null bounds are open. */
    private boolean overlaps(HealthEntry e) {
        byte[] min = e.minKey();
        byte[] max = e.maxKey();
        if (fromKey != null && max != null && Arrays.compareUnsigned(max, fromKey) < 0) {
            return false;
        }
        return toKey == null || min == null || Arrays.compareUnsigned(min, toKey) <= 0;
    }

    /** Metadata only: the key range is described by its bounds' lengths, never their bytes. */
    @Override
    public String toString() {
        return "HealthQuery{minSeverity=" + minSeverity + ", kinds=" + kinds + ", verdicts=" + verdicts
                + ", since=" + since + ", until=" + until + ", namespace=" + namespace
                + (keyRange ? ", keyRange=[" + length(fromKey) + " .. " + length(toKey) + "]" : "")
                + ", limit=" + limit + ", order=" + order + '}';
    }

    private static String length(byte[] key) {
        return key == null ? "open" : key.length + "B";
    }

    /** Builds a {@link HealthQuery}; each setter checks its argument. */
    public static final class Builder {
        private Severity minSeverity = Severity.INFO;
        private EnumSet<HealthKind> kinds;
        private EnumSet<Verdict> verdicts;
        private Instant since;
        private Instant until;
        private String namespace;
        private byte[] fromKey;
        private byte[] toKey;
        private boolean keyRange;
        private int limit = Integer.MAX_VALUE;
        private Order order = Order.NEWEST_FIRST;

        private Builder() {
        }

        /**
         * @param severity the lowest severity to return (INFO, the default, returns all)
         * @return this builder
         */
        public Builder minSeverity(Severity severity) {
            this.minSeverity = Objects.requireNonNull(severity, "severity");
            return this;
        }

        /**
         * @param first  a kind to return
         * @param others more kinds to return; entries of other kinds are left out
         * @return this builder
         */
        public Builder kinds(HealthKind first, HealthKind... others) {
            this.kinds = EnumSet.of(Objects.requireNonNull(first, "kind"), others);
            return this;
        }

        /**
         * @param kinds the kinds to return, at least one
         * @return this builder
         * @throws IllegalArgumentException if {@code kinds} is empty
         */
        public Builder kinds(Set<HealthKind> kinds) {
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("kinds must name at least one kind; leave it unset to return all");
            }
            this.kinds = EnumSet.copyOf(kinds);
            return this;
        }

        /**
         * @param first  a verdict to return
         * @param others more verdicts to return; entries with other verdicts are left out
         * @return this builder
         */
        public Builder verdicts(Verdict first, Verdict... others) {
            this.verdicts = EnumSet.of(Objects.requireNonNull(first, "verdict"), others);
            return this;
        }

        /**
         * @param verdicts the verdicts to return, at least one
         * @return this builder
         * @throws IllegalArgumentException if {@code verdicts} is empty
         */
        public Builder verdicts(Set<Verdict> verdicts) {
            if (verdicts.isEmpty()) {
                throw new IllegalArgumentException("verdicts must name at least one verdict; leave it unset to"
                        + " return all");
            }
            this.verdicts = EnumSet.copyOf(verdicts);
            return this;
        }

        /**
         * @param time the earliest entry time to return, inclusive
         * @return this builder
         */
        public Builder since(Instant time) {
            this.since = Objects.requireNonNull(time, "since");
            return this;
        }

        /**
         * @param time the entry time before which to stop, exclusive
         * @return this builder
         */
        public Builder until(Instant time) {
            this.until = Objects.requireNonNull(time, "until");
            return this;
        }

        /**
         * @param name return only entries about this namespace
         * @return this builder
         */
        public Builder namespace(String name) {
            this.namespace = Objects.requireNonNull(name, "namespace");
            return this;
        }

        /**
         * Returns only entries whose range overlaps {@code [from, to]}, keys compared as unsigned bytes. An entry
         * with an open bound reaches that way to the end; an entry of no range (both bounds open) overlaps every
         * range.
         *
         * @param from first key, inclusive, or null for open
         * @param to   last key, inclusive, or null for open
         * @return this builder
         * @throws IllegalArgumentException if {@code from} sorts after {@code to}
         */
        public Builder keyRange(byte[] from, byte[] to) {
            if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) {
                throw new IllegalArgumentException("key range start (" + from.length + " bytes) sorts after its end ("
                        + to.length + " bytes)");
            }
            this.fromKey = from == null ? null : from.clone();
            this.toKey = to == null ? null : to.clone();
            this.keyRange = true;
            return this;
        }

        /**
         * @param max the most entries to return, at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder limit(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("limit must be at least 1, was " + max);
            }
            this.limit = max;
            return this;
        }

        /**
         * @param order the order of the result, {@link Order#NEWEST_FIRST} by default
         * @return this builder
         */
        public Builder order(Order order) {
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        /**
         * @return the query
         * @throws IllegalArgumentException if {@code since} is after {@code until}
         */
        public HealthQuery build() {
            if (since != null && until != null && since.isAfter(until)) {
                throw new IllegalArgumentException("since " + since + " is after until " + until);
            }
            return new HealthQuery(this);
        }
    }
}
