package io.kintsugi.engine.table;

import java.util.Arrays;
import java.util.Objects;

/**
 * An inclusive range of internal keys, for example the keys of one data block, as the engine records a damaged
 * range. Arrays are not copied: callers must not change them. Never prints key bytes.
 *
 * @param first the smallest key of the range
 * @param last  the largest key of the range
 */
public record KeyRange(byte[] first, byte[] last) {

    /**
     * @throws NullPointerException if a key is null
     */
    public KeyRange {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(last, "last");
    }

    /**
     * @param key a key
     * @return whether {@code first <= key <= last} as unsigned bytes
     */
    public boolean contains(byte[] key) {
        return Arrays.compareUnsigned(first, key) <= 0 && Arrays.compareUnsigned(key, last) <= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange r && Arrays.equals(first, r.first) && Arrays.equals(last, r.last);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(first) * 31 + Arrays.hashCode(last);
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "KeyRange{firstKeyLength=" + first.length + ", lastKeyLength=" + last.length + '}';
    }
}
