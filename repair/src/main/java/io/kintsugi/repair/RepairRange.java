package io.kintsugi.repair;

import java.util.Arrays;
import java.util.Objects;

/**
 * A key range of one namespace that a {@link RepairService} job repairs: {@code [from, to)}, a null bound open.
 * Holds the user's keys (a repair needs them) but {@link #toString()} shows only each bound's length and a
 * fingerprint, as health entries do.
 */
final class RepairRange {

    private final String namespace;
    private final byte[] from;
    private final byte[] to;

    RepairRange(String namespace, byte[] from, byte[] to) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.from = from == null ? null : from.clone();
        this.to = to == null ? null : to.clone();
    }

    String namespace() {
        return namespace;
    }

    byte[] from() {
        return from == null ? null : from.clone();
    }

    byte[] to() {
        return to == null ? null : to.clone();
    }

    /** Both ranges share a key: same namespace, and neither ends (exclusive) at or before the other starts. */
    boolean overlaps(RepairRange o) {
        return namespace.equals(o.namespace) && endsAfter(to, o.from) && endsAfter(o.to, from);
    }

    /** Every key of {@code o} is in this range. */
    boolean contains(RepairRange o) {
        return namespace.equals(o.namespace) && startsNoLaterThan(from, o.from) && endsNoEarlierThan(to, o.to);
    }

    /** The smallest range holding both, which must be of the same namespace. */
    RepairRange union(RepairRange o) {
        if (!namespace.equals(o.namespace)) {
            throw new IllegalArgumentException("ranges of namespaces " + namespace + " and " + o.namespace
                    + " have no union");
        }
        byte[] f = startsNoLaterThan(from, o.from) ? from : o.from;
        byte[] t = endsNoEarlierThan(to, o.to) ? to : o.to;
        return new RepairRange(namespace, f, t);
    }

    /** An exclusive end {@code end} lies after the start {@code start}: some key is below the one and at the other. */
    private static boolean endsAfter(byte[] end, byte[] start) {
        return end == null || start == null || Arrays.compareUnsigned(end, start) > 0;
    }

    private static boolean startsNoLaterThan(byte[] a, byte[] b) {
        return a == null || (b != null && Arrays.compareUnsigned(a, b) <= 0);
    }

    private static boolean endsNoEarlierThan(byte[] a, byte[] b) {
        return a == null || (b != null && Arrays.compareUnsigned(a, b) >= 0);
    }

    /** @return the range as bound lengths and fingerprints, never key bytes: {@code [key#1a2b3c4d/16B .. end)} */
    String fingerprint() {
        return "[" + fingerprint(from, "start") + " .. " + fingerprint(to, "end") + ")";
    }

    private static String fingerprint(byte[] key, String open) {
        return key == null ? open : "key#" + String.format("%08x", Arrays.hashCode(key)) + "/" + key.length + "B";
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return namespace + " " + fingerprint();
    }
}
