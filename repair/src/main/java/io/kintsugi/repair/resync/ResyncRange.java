package io.kintsugi.repair.resync;

import java.util.Arrays;
import java.util.Objects;

/**
 * One piece of a whole-replica resync: {@code [from, to)} of a namespace, with what it held on the primary when the
 * resync was planned. The pieces of a namespace are adjacent and cover it whole, so that keys written after planning
 * fall into one of them too.
 *
 * @param namespace the namespace
 * @param from      first key (inclusive), or null for the start of the namespace
 * @param to        end key (exclusive), or null for the end of the namespace
 * @param pairs     pairs the primary held in the range when it was planned
 * @param bytes     key and value bytes the primary held in the range when it was planned
 */
public record ResyncRange(String namespace, byte[] from, byte[] to, long pairs, long bytes) {

    /**
     * @throws NullPointerException     if the namespace is null
     * @throws IllegalArgumentException if the range is empty or a count is negative
     */
    public ResyncRange {
        Objects.requireNonNull(namespace, "namespace");
        if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
            throw new IllegalArgumentException("a resync range of namespace " + namespace
                    + " must end after it starts");
        }
        if (pairs < 0 || bytes < 0) {
            throw new IllegalArgumentException("a resync range's pairs and bytes are 0 or more, were " + pairs + " and "
                    + bytes);
        }
        from = from == null ? null : from.clone();
        to = to == null ? null : to.clone();
    }

    @Override
    public byte[] from() {
        return from == null ? null : from.clone();
    }

    @Override
    public byte[] to() {
        return to == null ? null : to.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResyncRange r && namespace.equals(r.namespace) && Arrays.equals(from, r.from)
                && Arrays.equals(to, r.to) && pairs == r.pairs && bytes == r.bytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, Arrays.hashCode(from), Arrays.hashCode(to), pairs, bytes);
    }

    /** Metadata only: the bounds' lengths, never their bytes. */
    @Override
    public String toString() {
        return "ResyncRange{" + namespace + ", from " + (from == null ? "start" : from.length + "-byte key") + " to "
                + (to == null ? "end" : to.length + "-byte key") + ", " + pairs + " pairs, " + bytes + " bytes}";
    }
}
