package io.kintsugi.validation.scan;

import io.kintsugi.validation.Hash128;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one replica found in one range as of one oplog sequence: the count, bytes and hash of its own pairs there
 * ({@link RangeHasher}), or that it could not read them. Replicas that hold the same data produce equal digests for
 * the same marker, so comparing the digests of every replica at one sequence tells which one is wrong. Its
 * {@link #toString()} shows no key bytes.
 *
 * @param namespace the namespace
 * @param from      first key (inclusive); empty for the start of the namespace
 * @param to        end key (exclusive), or null for the end of the namespace
 * @param sequence  the oplog sequence as of which the range was hashed (the marker's)
 * @param count     pairs in the range, or -1 when damaged
 * @param bytes     key and value bytes in the range, or -1 when damaged
 * @param hash      the range's hash, or null when damaged
 * @param status    whether the range could be read
 * @param damage    what stopped the read (the corruption report's description, metadata only), or null when OK
 */
public record RangeDigest(String namespace, byte[] from, byte[] to, long sequence, long count, long bytes,
                          Hash128 hash, Status status, String damage) {

    /** Whether the replica could read the range. */
    public enum Status {
        /** The range was read and hashed. */
        OK,
        /** A damaged block or a broken invariant stopped the read; see {@link #damage()}. */
        DAMAGED
    }

    /** Checks that the fields agree with the status and copies the keys. */
    public RangeDigest {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(status, "status");
        if (status == Status.OK && (hash == null || count < 0 || bytes < 0 || damage != null)) {
            throw new IllegalArgumentException("an OK digest has a hash, a count and bytes of 0 or more, and no damage");
        }
        if (status == Status.DAMAGED && (hash != null || damage == null)) {
            throw new IllegalArgumentException("a DAMAGED digest has a description of the damage and no hash");
        }
        from = from.clone();
        to = to == null ? null : to.clone();
    }

    /**
     * @return the digest of a range that was read and hashed
     * @param namespace the namespace
     * @param from      first key (inclusive)
     * @param to        end key (exclusive), or null
     * @param sequence  as of which it was hashed
     * @param count     pairs
     * @param bytes     key and value bytes
     * @param hash      the hash
     */
    public static RangeDigest ok(String namespace, byte[] from, byte[] to, long sequence, long count, long bytes,
                                 Hash128 hash) {
        return new RangeDigest(namespace, from, to, sequence, count, bytes, hash, Status.OK, null);
    }

    /**
     * @return the digest of a range that could not be read
     * @param namespace the namespace
     * @param from      first key (inclusive)
     * @param to        end key (exclusive), or null
     * @param sequence  as of which it was to be hashed
     * @param damage    what stopped the read, metadata only
     */
    public static RangeDigest damaged(String namespace, byte[] from, byte[] to, long sequence, String damage) {
        return new RangeDigest(namespace, from, to, sequence, -1, -1, null, Status.DAMAGED, damage);
    }

    /** @return a copy of the first key */
    @Override
    public byte[] from() {
        return from.clone();
    }

    /** @return a copy of the end key, or null */
    @Override
    public byte[] to() {
        return to == null ? null : to.clone();
    }

    /**
     * @param other another replica's digest
     * @return whether both read the same range at the same sequence and found the same pairs (two damaged digests
     *         never match: neither says what the range holds)
     */
    public boolean matches(RangeDigest other) {
        return status == Status.OK && equals(other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeDigest d && namespace.equals(d.namespace) && Arrays.equals(from, d.from)
                && Arrays.equals(to, d.to) && sequence == d.sequence && count == d.count && bytes == d.bytes
                && Objects.equals(hash, d.hash) && status == d.status && Objects.equals(damage, d.damage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, sequence, count, bytes, hash, status);
    }

    /** @return the fields, with the keys shown only by their lengths */
    @Override
    public String toString() {
        return "RangeDigest{namespace=" + namespace + ", from=" + from.length + "B, to="
                + (to == null ? "end" : to.length + "B") + ", sequence=" + sequence + ", " + status
                + (status == Status.OK ? ", count=" + count + ", bytes=" + bytes + ", hash=" + hash
                : ", damage=" + damage) + '}';
    }
}
