package io.kintsugi.validation.scan;

import io.kintsugi.validation.Hash128;

import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * What a primary asserts with a range-hash marker: at the marker's place in the log, the namespace's keys in
 * {@code [from, to)} are {@code count} pairs of {@code bytes} key and value bytes whose hash is {@code hash}.
 * Encoded by {@link RangeHashMarkerFormat}. Its {@link #toString()} shows no key bytes.
 *
 * @param primaryId  the store that hashed the range
 * @param scanId     the scan pass the batch belongs to
 * @param batch      the batch's number within the pass, from 0
 * @param hashedAt   the sequence of the primary's snapshot (the range is unchanged from there to the marker)
 * @param algorithm  the hash function
 * @param namespace  the namespace
 * @param from       first key (inclusive); empty for the start of the namespace
 * @param to         end key (exclusive), or null for the end of the namespace
 * @param count      pairs in the range
 * @param bytes      key and value bytes in the range
 * @param hash       the range's hash
 * @param hold       whether replicas keep the snapshot at this marker for a while (a probe's marker), so that the
 *                   range can be copied as of the marker's sequence
 * @param primaryDamaged whether the primary could not read the range (a probe's marker only): the count, bytes and
 *                   hash are then 0 and assert nothing; replicas hash and hold the range as usual, so that repair
 *                   can compare them at this sequence and copy the range to the primary
 */
public record RangeHashMarker(UUID primaryId, long scanId, long batch, long hashedAt, HashAlgorithm algorithm,
                              String namespace, byte[] from, byte[] to, long count, long bytes, Hash128 hash,
                              boolean hold, boolean primaryDamaged) {

    /**
     * Checks that every field is present and copies the keys.
     *
     * @throws IllegalArgumentException if the primary-damaged marker is not held or asserts a count, bytes or hash
     */
    public RangeHashMarker {
        Objects.requireNonNull(primaryId, "primaryId");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(hash, "hash");
        if (primaryDamaged && (!hold || count != 0 || bytes != 0 || hash.high() != 0 || hash.low() != 0)) {
            throw new IllegalArgumentException("a marker of a range the primary could not read is a held probe's "
                    + "marker with count, bytes and hash 0");
        }
        from = from.clone();
        to = to == null ? null : to.clone();
    }

    /**
     * A marker the primary could read the range for.
     *
     * @param primaryId the store that hashed the range
     * @param scanId    the scan pass or probe id
     * @param batch     the batch's number within the pass
     * @param hashedAt  the sequence of the primary's snapshot
     * @param algorithm the hash function
     * @param namespace the namespace
     * @param from      first key (inclusive)
     * @param to        end key (exclusive), or null
     * @param count     pairs in the range
     * @param bytes     key and value bytes in the range
     * @param hash      the range's hash
     * @param hold      whether replicas keep the snapshot at the marker for a while
     */
    public RangeHashMarker(UUID primaryId, long scanId, long batch, long hashedAt, HashAlgorithm algorithm,
                           String namespace, byte[] from, byte[] to, long count, long bytes, Hash128 hash,
                           boolean hold) {
        this(primaryId, scanId, batch, hashedAt, algorithm, namespace, from, to, count, bytes, hash, hold, false);
    }

    /**
     * A marker without the hold flag: a scan batch's.
     *
     * @param primaryId the store that hashed the range
     * @param scanId    the scan pass
     * @param batch     the batch's number within the pass
     * @param hashedAt  the sequence of the primary's snapshot
     * @param algorithm the hash function
     * @param namespace the namespace
     * @param from      first key (inclusive)
     * @param to        end key (exclusive), or null
     * @param count     pairs in the range
     * @param bytes     key and value bytes in the range
     * @param hash      the range's hash
     */
    public RangeHashMarker(UUID primaryId, long scanId, long batch, long hashedAt, HashAlgorithm algorithm,
                           String namespace, byte[] from, byte[] to, long count, long bytes, Hash128 hash) {
        this(primaryId, scanId, batch, hashedAt, algorithm, namespace, from, to, count, bytes, hash, false, false);
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

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeHashMarker m && primaryId.equals(m.primaryId) && scanId == m.scanId
                && batch == m.batch && hashedAt == m.hashedAt && algorithm == m.algorithm
                && namespace.equals(m.namespace) && Arrays.equals(from, m.from) && Arrays.equals(to, m.to)
                && count == m.count && bytes == m.bytes && hash.equals(m.hash) && hold == m.hold
                && primaryDamaged == m.primaryDamaged;
    }

    @Override
    public int hashCode() {
        return Objects.hash(primaryId, scanId, batch, namespace, hash);
    }

    /** @return the fields, with the keys shown only by their lengths */
    @Override
    public String toString() {
        return "RangeHashMarker{primary=" + primaryId + ", scan=" + Long.toHexString(scanId) + ", batch=" + batch
                + ", hashedAt=" + hashedAt + ", " + algorithm + ", namespace=" + namespace + ", from=" + from.length
                + "B, to=" + (to == null ? "end" : to.length + "B") + ", count=" + count + ", bytes=" + bytes
                + ", hash=" + hash + (hold ? ", hold" : "") + '}';
    }
}
