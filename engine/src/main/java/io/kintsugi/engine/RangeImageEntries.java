package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The caller's range image as entries for a segment file: each pair is checked as it is read (limits, strictly
 * ascending keys, inside the range) and becomes a put at the image's sequence. A bad pair throws
 * {@link IllegalArgumentException} naming its position, never its bytes, and the install that reads it fails
 * without changing the store.
 */
final class RangeImageEntries implements Iterator<Entry> {

    private final Iterator<RangeEntry> pairs;
    private final int namespaceId;
    private final byte[] fromInclusive;
    private final byte[] toExclusive;
    private final long sequence;
    private byte[] previousKey;
    private long read;

    /**
     * @param fromInclusive the range's first user key, or null for the start of the namespace
     * @param toExclusive   the range's end user key, or null for the end of the namespace
     */
    RangeImageEntries(Iterator<RangeEntry> pairs, int namespaceId, byte[] fromInclusive, byte[] toExclusive,
                      long sequence) {
        this.pairs = pairs;
        this.namespaceId = namespaceId;
        this.fromInclusive = fromInclusive;
        this.toExclusive = toExclusive;
        this.sequence = sequence;
    }

    @Override
    public boolean hasNext() {
        return pairs.hasNext();
    }

    @Override
    public Entry next() {
        if (!pairs.hasNext()) {
            throw new NoSuchElementException("the range image has no more pairs");
        }
        long position = read++;
        RangeEntry pair = pairs.next();
        if (pair == null) {
            throw new IllegalArgumentException("range image pair #" + position + " is null");
        }
        byte[] key = pair.key();
        try {
            Limits.checkKey(key);
            Limits.checkValue(pair.value());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("range image pair #" + position + ": " + e.getMessage(), e);
        }
        if (previousKey != null && Arrays.compareUnsigned(previousKey, key) >= 0) {
            throw new IllegalArgumentException("range image pair #" + position + ": keys must be strictly ascending"
                    + " (unsigned bytes), but its key is not above the key of pair #" + (position - 1));
        }
        if (fromInclusive != null && Arrays.compareUnsigned(key, fromInclusive) < 0) {
            throw new IllegalArgumentException("range image pair #" + position + ": its key sorts below the first"
                    + " key of the range being installed");
        }
        if (toExclusive != null && Arrays.compareUnsigned(key, toExclusive) >= 0) {
            throw new IllegalArgumentException("range image pair #" + position + ": its key sorts at or after the"
                    + " end of the range being installed");
        }
        previousKey = key.clone();
        return Entry.put(NamespaceTable.internalKey(namespaceId, key), sequence, pair.value().clone());
    }

    /** @return how many pairs were read so far */
    long pairsRead() {
        return read;
    }
}
