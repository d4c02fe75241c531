package io.kintsugi.validation.scan;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.RangeWatch;
import io.kintsugi.engine.Snapshot;
import io.kintsugi.engine.Store;
import io.kintsugi.validation.Hash128;

import java.util.OptionalLong;

/**
 * One attempt to mark a range on a primary: watch the range, hash it at a snapshot, and append its marker at a point
 * of the log where the range still holds exactly what was hashed ({@link RangeWatch#appendMarker}). Both the scan's
 * batches ({@link RangeScan}) and probes ({@link RangeProber}) are marked this way; they differ only in where the
 * hashed range ends and in what they do when the marker is refused.
 */
final class RangeMarking {

    /** What an attempt hashed: the range ran from the attempt's start to {@code end} (null: the namespace's end). */
    record Hashed(byte[] end, long count, long bytes, Hash128 hash) {
    }

    /** Hashes the range from the attempt's start at a snapshot, and decides where it ends. */
    @FunctionalInterface
    interface RangeReader {
        Hashed read(Snapshot snapshot);
    }

    /** Builds the marker asserting what was hashed at the snapshot of sequence {@code hashedAt}. */
    @FunctionalInterface
    interface MarkerBuilder {
        RangeHashMarker build(long hashedAt, Hashed hashed);
    }

    /**
     * How an attempt went.
     *
     * @param sequence the marker's sequence, or empty if a write changed the range first and nothing was appended
     * @param hashedAt the snapshot's sequence
     * @param hashed   what was hashed
     */
    record Attempt(OptionalLong sequence, long hashedAt, Hashed hashed) {
    }

    private RangeMarking() {
    }

    /**
     * @param store  the primary
     * @param ns     a namespace of it that exists
     * @param from   the range's first key (empty: the namespace's start)
     * @param reader hashes the range at the snapshot
     * @param marker builds the marker from what was hashed
     * @return how it went
     * @throws io.kintsugi.oplog.CorruptionException if the range could not be read; nothing was appended
     * @throws io.kintsugi.engine.replication.NotPrimaryException if the store is not the primary
     */
    static Attempt attempt(Store store, Namespace ns, byte[] from, RangeReader reader, MarkerBuilder marker) {
        try (RangeWatch watch = store.watchRange(ns, from); Snapshot snapshot = watch.snapshot()) {
            Hashed h = reader.read(snapshot);
            byte[] payload = RangeHashMarkerFormat.encode(marker.build(snapshot.sequence(), h));
            return new Attempt(watch.appendMarker(h.end(), payload), snapshot.sequence(), h);
        }
    }

    /**
     * Hashes every pair of {@code [from, to)} at a snapshot.
     *
     * @param hasher reset first, then fed every pair
     * @return the whole range's hash, ending at {@code to}
     */
    static Hashed hashWhole(RangeHasher hasher, Snapshot snapshot, Namespace ns, byte[] from, byte[] to) {
        hasher.reset();
        try (Cursor c = snapshot.scan(ns, from, to)) {
            while (c.next()) {
                hasher.add(c.key(), c.value());
            }
        }
        return new Hashed(to, hasher.count(), hasher.bytes(), hasher.hash());
    }
}
