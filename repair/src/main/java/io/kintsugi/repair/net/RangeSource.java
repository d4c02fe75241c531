package io.kintsugi.repair.net;

import java.util.Optional;

/**
 * What a replica offers to repair: the ranges it holds at given sequences (typically the range of a range-hash
 * marker, kept at the marker's sequence), their digests and their contents. A {@link RepairServer} serves one
 * source to its peers. Implementations must be safe for calls from several threads at once.
 */
public interface RangeSource {

    /**
     * @param sequence the sequence of a held range
     * @return the digest of the range held at {@code sequence}, or empty when this replica holds none there
     */
    Optional<RangeDigest> digestAt(long sequence);

    /**
     * Opens the pairs of the range held at {@code sequence}; the pairs, hashed in order, make the hash that
     * {@link #digestAt} reports when the replica's copy is sound.
     *
     * @param sequence the sequence of a held range
     * @return the pairs, ascending by unsigned key; close it
     * @throws RangeUnavailableException if this replica does not hold a range at {@code sequence}
     */
    RangeStream openRange(long sequence);
}
