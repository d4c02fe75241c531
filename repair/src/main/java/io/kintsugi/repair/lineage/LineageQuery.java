package io.kintsugi.repair.lineage;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Which lineage records to read: every condition set must hold. Without conditions, every record matches.
 *
 * <pre>{@code
 * LineageQuery q = LineageQuery.builder().overlapping("orders", from, to).source("replica-b").since(t).build();
 * }</pre>
 */
public final class LineageQuery {

    private final String namespace;
    private final byte[] from;
    private final byte[] to;
    private final String source;
    private final Instant since;
    private final LineageKind kind;

    private LineageQuery(Builder b) {
        this.namespace = b.namespace;
        this.from = b.from;
        this.to = b.to;
        this.source = b.source;
        this.since = b.since;
        this.kind = b.kind;
    }

    /** @return a builder with no conditions */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a query every record matches */
    public static LineageQuery all() {
        return builder().build();
    }

    /**
     * @param r a record
     * @return whether it meets every condition of this query
     */
    public boolean matches(LineageRecord r) {
        return (source == null || source.equals(r.sourceReplica()))
                && (since == null || !r.time().isBefore(since))
                && (kind == null || kind == r.kind())
                && (namespace == null || r.overlaps(namespace, from, to));
    }

    @Override
    public String toString() {
        return "LineageQuery{" + (namespace == null ? "" : "overlapping " + namespace + " "
                + "[" + LineageRecord.fingerprint(from, "start") + " .. "
                + LineageRecord.fingerprint(to, "end") + ") ")
                + (source == null ? "" : "source=" + source + " ") + (since == null ? "" : "since=" + since + " ")
                + (kind == null ? "" : "kind=" + kind) + "}";
    }

    /** Builds a {@link LineageQuery}. */
    public static final class Builder {
        private String namespace;
        private byte[] from;
        private byte[] to;
        private String source;
        private Instant since;
        private LineageKind kind;

        private Builder() {
        }

        /**
         * Only records that copied a key of {@code [from, to)} in {@code namespace}; whole-replica copies copied
         * every key, so they always match.
         *
         * @param namespace the namespace
         * @param from      the first key (inclusive), or null for the start of the namespace
         * @param to        the end key (exclusive), or null for the end of the namespace
         * @return this builder
         * @throws IllegalArgumentException if the namespace is empty or the range is empty ({@code from >= to})
         */
        public Builder overlapping(String namespace, byte[] from, byte[] to) {
            Objects.requireNonNull(namespace, "namespace");
            if (namespace.isEmpty()) {
                throw new IllegalArgumentException("a range query needs a namespace");
            }
            if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
                throw new IllegalArgumentException("empty range: from " + LineageRecord.fingerprint(from, "start")
                        + " is not below to " + LineageRecord.fingerprint(to, "end"));
            }
            this.namespace = namespace;
            this.from = from == null ? null : from.clone();
            this.to = to == null ? null : to.clone();
            return this;
        }

        /**
         * @param sourceReplica only records of copies from this replica
         * @return this builder
         */
        public Builder source(String sourceReplica) {
            this.source = Objects.requireNonNull(sourceReplica, "sourceReplica");
            return this;
        }

        /**
         * @param time only records of copies installed at or after this time
         * @return this builder
         */
        public Builder since(Instant time) {
            this.since = Objects.requireNonNull(time, "since");
            return this;
        }

        /**
         * @param kind only records of this kind
         * @return this builder
         */
        public Builder kind(LineageKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /** @return the query */
        public LineageQuery build() {
            return new LineageQuery(this);
        }
    }
}
