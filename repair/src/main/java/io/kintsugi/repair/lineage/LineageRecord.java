package io.kintsugi.repair.lineage;

import io.kintsugi.validation.Hash128;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One copy this replica made from a peer: a range resync or a whole-replica resync. Kept in the replica's
 * {@link LineageLog} so that repair can tell whether a would-be source copied a range from the damaged replica after
 * the damage could have started (DESIGN.md "Repair").
 *
 * <p>The range is {@code [from, to)} in {@link #namespace()}, in unsigned byte order, as
 * {@code Store.installRange} takes it; a null bound is open. A {@link LineageKind#WHOLE_REPLICA_COPY} covers every
 * namespace: its namespace is empty and both bounds are open. The bounds are user data: {@link #toString()} shows
 * them only as {@link #rangeFingerprint()}, never their bytes.
 *
 * @param time          when the copy was installed
 * @param kind          a range or the whole replica
 * @param targetReplica the replica that copied (the one whose log this is); not empty
 * @param sourceReplica the replica copied from; not empty, not the target
 * @param namespace     the namespace of a range copy (not empty); empty for a whole-replica copy
 * @param from          the first key of the range (inclusive), or null for the start of the namespace
 * @param to            the end of the range (exclusive), or null for the end of the namespace
 * @param sequence      the source's oplog sequence number the copy was taken at, 0 or more
 * @param count         live keys copied, or -1 when unknown
 * @param bytes         logical bytes of keys and values copied, or -1 when unknown
 * @param rangeHash     the hash of what was copied, as the target checked it, or null when none was computed
 * @param repairId      the repair that made the copy, for cross-reference with the health log; may be empty
 */
public record LineageRecord(Instant time, LineageKind kind, String targetReplica, String sourceReplica,
                            String namespace, byte[] from, byte[] to, long sequence, long count, long bytes,
                            Hash128 rangeHash, String repairId) {

    /**
     * Checks the fields that do not depend on the format's limits (those {@link LineageRecordFormat#encode} checks).
     *
     * @throws NullPointerException     if a required field is null
     * @throws IllegalArgumentException if the record contradicts itself: an empty or self-referential replica id, a
     *                                  range copy without a namespace, a whole-replica copy with one or with bounds,
     *                                  an empty range ({@code from >= to}), a negative sequence, or a count or
     *                                  bytes below -1
     */
    public LineageRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(targetReplica, "targetReplica");
        Objects.requireNonNull(sourceReplica, "sourceReplica");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(repairId, "repairId");
        String problem = problem(kind, targetReplica, sourceReplica, namespace, from, to, sequence, count, bytes);
        if (problem != null) {
            throw new IllegalArgumentException("lineage record: " + problem);
        }
        from = from == null ? null : from.clone();
        to = to == null ? null : to.clone();
    }

    /**
     * The rules a record obeys, shared with the decoder so that a record read back satisfies exactly what a record
     * written had to.
     *
     * @return what is wrong (metadata only), or null
     */
    static String problem(LineageKind kind, String target, String source, String namespace, byte[] from, byte[] to,
                          long sequence, long count, long bytes) {
        if (target.isEmpty()) {
            return "target replica id is empty";
        }
        if (source.isEmpty()) {
            return "source replica id is empty";
        }
        if (target.equals(source)) {
            return "source and target are the same replica (" + source + "); a replica cannot copy from itself";
        }
        if (kind == LineageKind.RANGE_COPY && namespace.isEmpty()) {
            return "a range copy needs a namespace";
        }
        if (kind == LineageKind.WHOLE_REPLICA_COPY && (!namespace.isEmpty() || from != null || to != null)) {
            return "a whole-replica copy covers every namespace: it has no namespace and no bounds";
        }
        if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
            return "empty range: from " + fingerprint(from, "start") + " is not below to " + fingerprint(to, "end");
        }
        if (sequence < 0) {
            return "sequence must be 0 or more, was " + sequence;
        }
        if (count < -1) {
            return "count must be -1 (unknown) or at least 0, was " + count;
        }
        if (bytes < -1) {
            return "bytes must be -1 (unknown) or at least 0, was " + bytes;
        }
        return null;
    }

    /** @return a copy of the first key, or null when the range is open at the start */
    @Override
    public byte[] from() {
        return from == null ? null : from.clone();
    }

    /** @return a copy of the end key (exclusive), or null when the range is open at the end */
    @Override
    public byte[] to() {
        return to == null ? null : to.clone();
    }

    /**
     * Whether this copy touched any key of {@code [queryFrom, queryTo)} in {@code queryNamespace}. A whole-replica
     * copy touches every range.
     *
     * @param queryNamespace the namespace
     * @param queryFrom      first key (inclusive), or null for open
     * @param queryTo        end key (exclusive), or null for open
     * @return whether the ranges share a key
     */
    public boolean overlaps(String queryNamespace, byte[] queryFrom, byte[] queryTo) {
        if (kind == LineageKind.WHOLE_REPLICA_COPY) {
            return true;
        }
        if (!namespace.equals(queryNamespace)) {
            return false;
        }
        // [a, b) and [c, d) share a key iff a < d and c < b, an open bound being below or above everything.
        boolean startsBeforeQueryEnds = from == null || queryTo == null || Arrays.compareUnsigned(from, queryTo) < 0;
        boolean queryStartsBeforeEnd = queryFrom == null || to == null || Arrays.compareUnsigned(queryFrom, to) < 0;
        return startsBeforeQueryEnds && queryStartsBeforeEnd;
    }

    /**
     * @return the range without its bytes: each bound's length and a short fingerprint, as the health log shows
     *         ranges; "[start .. end)" for an open range
     */
    public String rangeFingerprint() {
        return "[" + fingerprint(from, "start") + " .. " + fingerprint(to, "end") + ")";
    }

    static String fingerprint(byte[] key, String open) {
        if (key == null) {
            return open;
        }
        return "key#" + String.format("%08x", Arrays.hashCode(key)) + "/" + key.length + "B";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LineageRecord r && time.equals(r.time) && kind == r.kind
                && targetReplica.equals(r.targetReplica) && sourceReplica.equals(r.sourceReplica)
                && namespace.equals(r.namespace) && Arrays.equals(from, r.from) && Arrays.equals(to, r.to)
                && sequence == r.sequence && count == r.count && bytes == r.bytes
                && Objects.equals(rangeHash, r.rangeHash) && repairId.equals(r.repairId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, kind, targetReplica, sourceReplica, namespace, Arrays.hashCode(from),
                Arrays.hashCode(to), sequence);
    }

    /** @return every field but the key bytes, which appear only as {@link #rangeFingerprint()} */
    @Override
    public String toString() {
        return time + " " + kind + " " + targetReplica + " <- " + sourceReplica
                + (kind == LineageKind.RANGE_COPY ? " namespace=" + namespace + " range=" + rangeFingerprint() : "")
                + " sequence=" + sequence + (count >= 0 ? " count=" + count : "") + (bytes >= 0 ? " bytes=" + bytes : "")
                + (rangeHash != null ? " hash=" + rangeHash : "") + (repairId.isEmpty() ? "" : " repair=" + repairId);
    }
}
