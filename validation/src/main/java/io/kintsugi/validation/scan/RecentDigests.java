package io.kintsugi.validation.scan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The digests of the most recent range-hash markers a replica checked (or, on the primary, wrote), by the marker's
 * sequence, so that repair can ask each replica what it found at one sequence. In memory only and bounded: beyond
 * {@code capacity} entries the oldest one added is forgotten, so a question about an old marker gets no answer
 * rather than growing without limit. Thread-safe.
 */
public final class RecentDigests {

    /** Entries kept by default. */
    public static final int DEFAULT_CAPACITY = 4096;

    private final int capacity;
    private final Map<Long, RangeDigest> bySequence;

    /**
     * @param capacity digests kept, 1..1 000 000
     * @throws IllegalArgumentException if {@code capacity} is outside that range
     */
    public RecentDigests(int capacity) {
        if (capacity < 1 || capacity > 1_000_000) {
            throw new IllegalArgumentException("recent digests keep 1 to 1000000 entries, was " + capacity);
        }
        this.capacity = capacity;
        this.bySequence = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, RangeDigest> eldest) {
                return size() > RecentDigests.this.capacity;
            }
        };
    }

    /**
     * Records a digest under its sequence, replacing what was there.
     *
     * @param digest the digest
     */
    public synchronized void put(RangeDigest digest) {
        bySequence.put(digest.sequence(), digest);
    }

    /**
     * @param sequence a marker's sequence
     * @return its digest, if it is among the most recent ones
     */
    public synchronized Optional<RangeDigest> at(long sequence) {
        return Optional.ofNullable(bySequence.get(sequence));
    }

    /** @return digests held now */
    public synchronized int size() {
        return bySequence.size();
    }

    /** @return the most digests held */
    public int capacity() {
        return capacity;
    }
}
