package io.kintsugi.repair.net;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The question a coordinator asks of a would-be source's lineage log over the wire (a LINEAGE request,
 * FORMAT.md 14): which copies of a key of {@code [from, to)} in {@code namespace} did that replica install from
 * {@code sourceReplica} at or after {@code since}? The bounds are user data: {@link #toString()} never shows them.
 * The answer is the lineage log's {@code copiedFrom} with these arguments.
 *
 * @param sourceReplica the replica suspected of being damaged; 1..255 UTF-8 bytes
 * @param namespace     the namespace of the range; a valid namespace name
 * @param from          first key (inclusive), or null for the start of the namespace
 * @param to            end key (exclusive), or null for the end of the namespace
 * @param since         the earliest time the damage could have started
 */
public record LineageRequest(String sourceReplica, String namespace, byte[] from, byte[] to, Instant since) {

    /**
     * @throws NullPointerException     if the replica, the namespace or the time is null
     * @throws IllegalArgumentException if the replica id is empty or over 255 UTF-8 bytes, the namespace name is
     *                                  invalid, a bound is over its limit ({@link RepairFrameFormat#MAX_FROM_LENGTH},
     *                                  {@link RepairFrameFormat#MAX_TO_LENGTH}) or the range is empty
     */
    public LineageRequest {
        Objects.requireNonNull(sourceReplica, "sourceReplica");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(since, "since");
        int n = sourceReplica.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (n < 1 || n > RepairFrameFormat.MAX_PULL_NAME_BYTES) {
            throw new IllegalArgumentException("a lineage request's source replica id of " + n + " UTF-8 bytes is "
                    + "outside 1.." + RepairFrameFormat.MAX_PULL_NAME_BYTES);
        }
        RepairFrameFormat.checkNamespace(namespace);
        if (from != null) {
            RepairFrameFormat.checkBound("from", from.length, RepairFrameFormat.MAX_FROM_LENGTH);
        }
        if (to != null) {
            RepairFrameFormat.checkBound("to", to.length, RepairFrameFormat.MAX_TO_LENGTH);
        }
        if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
            throw new IllegalArgumentException("a lineage request's range is empty: from " + from.length
                    + " bytes is not below to " + to.length + " bytes");
        }
        from = from == null ? null : from.clone();
        to = to == null ? null : to.clone();
    }

    /** @return a copy of the first key, or null when the range is open at the start */
    @Override
    public byte[] from() {
        return from == null ? null : from.clone();
    }

    /** @return a copy of the end key, or null when the range is open at the end */
    @Override
    public byte[] to() {
        return to == null ? null : to.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LineageRequest r && sourceReplica.equals(r.sourceReplica) && namespace.equals(r.namespace)
                && Arrays.equals(from, r.from) && Arrays.equals(to, r.to) && since.equals(r.since);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceReplica, namespace, Arrays.hashCode(from), Arrays.hashCode(to), since);
    }

    /** @return the request without the bounds' bytes (their lengths only) */
    @Override
    public String toString() {
        return "LineageRequest{source=" + sourceReplica + ", namespace=" + namespace + ", from="
                + (from == null ? "start" : from.length + "B") + ", to=" + (to == null ? "end" : to.length + "B")
                + ", since=" + since + '}';
    }
}
