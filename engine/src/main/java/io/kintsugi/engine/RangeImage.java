package io.kintsugi.engine;

import java.util.Iterator;
import java.util.Objects;

/**
 * The true contents of one key range of one namespace, as a healthy replica holds them at a sequence: what
 * {@link Store#rebaseDiverged} installs for each range a divergence touched.
 *
 * <p>{@link #toString()} carries metadata only.
 *
 * @param namespace     the namespace's name
 * @param fromInclusive the range's first key, or null for the start of the namespace
 * @param toExclusive   the range's end (exclusive), or null for the end of the namespace
 * @param pairs         the range's pairs in strictly ascending key order, each inside the range; read once
 */
public record RangeImage(String namespace, byte[] fromInclusive, byte[] toExclusive, Iterator<RangeEntry> pairs) {

    /** @throws NullPointerException if the namespace or the pairs are null */
    public RangeImage {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pairs, "pairs");
    }

    /**
     * @param key a key
     * @return whether the key lies inside the range
     */
    public boolean contains(byte[] key) {
        return (fromInclusive == null || java.util.Arrays.compareUnsigned(key, fromInclusive) >= 0)
                && (toExclusive == null || java.util.Arrays.compareUnsigned(key, toExclusive) < 0);
    }

    /**
     * @param other another range
     * @return whether the two ranges are of one namespace and share a key
     */
    public boolean overlaps(RangeImage other) {
        if (!namespace.equals(other.namespace)) {
            return false;
        }
        boolean thisEndsBefore = toExclusive != null && other.fromInclusive != null
                && java.util.Arrays.compareUnsigned(toExclusive, other.fromInclusive) <= 0;
        boolean otherEndsBefore = other.toExclusive != null && fromInclusive != null
                && java.util.Arrays.compareUnsigned(other.toExclusive, fromInclusive) <= 0;
        return !thisEndsBefore && !otherEndsBefore;
    }

    @Override
    public String toString() {
        return "range of " + namespace + " (bounds of " + (fromInclusive == null ? "open" : fromInclusive.length
                + " bytes") + " and " + (toExclusive == null ? "open" : toExclusive.length + " bytes") + ")";
    }
}
