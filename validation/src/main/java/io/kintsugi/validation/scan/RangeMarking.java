package io.kintsugi.validation.scan;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.RangeWatch;
import io.kintsugi.engine.Snapshot;
import io.kintsugi.engine.Store;
import io.kintsugi.validation.Hash128;

import java.util.Optional;
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

    /**
     * After a refusal, offers a shorter range already hashed at the same snapshot: one that ends at or before the
     * first key a write touched, so that its marker can still land without reading anything again.
     */
    @FunctionalInterface
    interface Prefixes {
        /** Probes, which mark a fixed range, have no shorter one to offer. */
        Prefixes NONE = (changed, tried) -> null;

        /**
         * @param firstChanged the smallest key written since the snapshot
         * @param tried        the range just refused
         * @return a range from the same start, shorter than {@code tried}, that ends at or before
         *         {@code firstChanged}; or null if there is none
         */
        Hashed before(byte[] firstChanged, Hashed tried);
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
     * @param hashed   what the marker covers if one landed (the range read, or a shorter one from the same start);
     *                 otherwise the range read
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
        return attempt(store, ns, from, reader, marker, Prefixes.NONE);
    }

    /**
     * As {@link #attempt(Store, Namespace, byte[], RangeReader, MarkerBuilder)}, but when a write refuses the range
     * read, the longest shorter range that {@code prefixes} offers before the first changed key is marked instead
     * (and so on, while writes keep landing in front of it).
     */
    static Attempt attempt(Store store, Namespace ns, byte[] from, RangeReader reader, MarkerBuilder marker,
                           Prefixes prefixes) {
        try (RangeWatch watch = store.watchRange(ns, from); Snapshot snapshot = watch.snapshot()) {
            Hashed read = reader.read(snapshot);
            Hashed tried = read;
            while (true) {
                byte[] payload = RangeHashMarkerFormat.encode(marker.build(snapshot.sequence(), tried));
                OptionalLong sequence = watch.appendMarker(tried.end(), payload);
                if (sequence.isPresent()) {
                    return new Attempt(sequence, snapshot.sequence(), tried);
                }
                Optional<byte[]> changed = watch.firstChangedKey();
                Hashed shorter = changed.isEmpty() ? null : prefixes.before(changed.get(), tried);
                if (shorter == null) {
                    return new Attempt(OptionalLong.empty(), snapshot.sequence(), read);
                }
                tried = shorter;
            }
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
