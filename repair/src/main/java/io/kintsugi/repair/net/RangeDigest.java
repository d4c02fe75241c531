package io.kintsugi.repair.net;

import io.kintsugi.validation.Hash128;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a replica says of one range of one namespace at one sequence: how many pairs, how many key and value bytes,
 * and their range hash ({@link io.kintsugi.validation.scan.RangeHasher}), with whether the replica trusts its own
 * copy. Repair compares digests of the same range at the same sequence across replicas to find the damaged one.
 *
 * <p>{@link #toString()} and every message built from a digest give key lengths only, never key bytes.
 *
 * @param namespace the namespace name
 * @param from      first key of the range, inclusive; empty for the start of the namespace
 * @param to        end of the range, exclusive; null for the end of the namespace
 * @param sequence  the sequence at which the range holds exactly these pairs
 * @param count     pairs in the range
 * @param bytes     key and value bytes in the range
 * @param hash      the range hash of the pairs
 * @param status    whether the replica's own copy passed its checks
 * @param detail    a short explanation (metadata only), empty when there is nothing to say
 */
public record RangeDigest(String namespace, byte[] from, byte[] to, long sequence, long count, long bytes,
                          Hash128 hash, Status status, String detail) {

    /** How far a replica trusts its own copy of the range. */
    public enum Status {
        /** The range was read whole and every block passed its checksum. */
        OK(1),
        /** Reading the range met damage: the digest does not describe the true contents. */
        DAMAGED(2),
        /** The replica has not checked its copy (for example it holds only a recorded hash). */
        UNKNOWN(3);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        /** @return the status's code on the wire */
        public int code() {
            return code;
        }

        /**
         * @param code a status code from the wire
         * @return the status
         * @throws IllegalArgumentException if the code is not a status's
         */
        public static Status ofCode(int code) {
            for (Status s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown range digest status code " + code);
        }
    }

    /**
     * Checks the components and copies the key arrays.
     *
     * @throws NullPointerException     if a component other than {@code to} is null
     * @throws IllegalArgumentException if the namespace name, a bound, the sequence, the count or the byte total is
     *                                  outside its limit, or the detail is longer than
     *                                  {@link RepairFrameFormat#MAX_DETAIL_BYTES} bytes
     */
    public RangeDigest {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        RepairFrameFormat.checkNamespace(namespace);
        RepairFrameFormat.checkBound("from", from.length, RepairFrameFormat.MAX_FROM_LENGTH);
        if (to != null) {
            RepairFrameFormat.checkBound("to", to.length, RepairFrameFormat.MAX_TO_LENGTH);
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("a digest's sequence must be at least 0, was " + sequence);
        }
        if (count < 0 || bytes < 0) {
            throw new IllegalArgumentException("a digest's count and bytes must be at least 0, were " + count
                    + " and " + bytes);
        }
        RepairFrameFormat.checkDetail(detail);
        from = from.clone();
        to = to == null ? null : to.clone();
    }

    /** @return the first key of the range (a copy); empty for the start of the namespace */
    @Override
    public byte[] from() {
        return from.clone();
    }

    /** @return the end of the range (a copy), exclusive; null for the end of the namespace */
    @Override
    public byte[] to() {
        return to == null ? null : to.clone();
    }

    /**
     * @param other another digest
     * @return whether both describe the same range (namespace and bounds) at the same sequence
     */
    public boolean sameRangeAs(RangeDigest other) {
        return namespace.equals(other.namespace) && sequence == other.sequence && Arrays.equals(from, other.from)
                && Arrays.equals(to, other.to);
    }

    /**
     * @param other another digest
     * @return whether both have the same count, bytes and hash (the status is not compared)
     */
    public boolean sameContentAs(RangeDigest other) {
        return count == other.count && bytes == other.bytes && hash.equals(other.hash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeDigest d && sameRangeAs(d) && sameContentAs(d) && status == d.status
                && detail.equals(d.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, Arrays.hashCode(from), Arrays.hashCode(to), sequence, count, bytes, hash,
                status, detail);
    }

    /** Metadata only: the bounds appear as their lengths. */
    @Override
    public String toString() {
        return "RangeDigest{namespace=" + namespace + ", fromLength=" + from.length + ", to="
                + (to == null ? "end" : "length " + to.length) + ", sequence=" + sequence + ", count=" + count
                + ", bytes=" + bytes + ", hash=" + hash + ", status=" + status
                + (detail.isEmpty() ? "" : ", detail=" + detail) + '}';
    }
}
