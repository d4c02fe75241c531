package io.kintsugi.engine.table;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The order of entries everywhere in the store (memtables, segment files, merges): keys ascending as unsigned
 * bytes, then sequence numbers descending, so that for one key the newest version comes first.
 */
public final class InternalKeys {

    /** Orders entries by key (unsigned bytes, ascending), then sequence (descending). */
    public static final Comparator<Entry> COMPARATOR = (a, b) -> compare(a.key(), a.sequence(), b.key(), b.sequence());

    private InternalKeys() {
    }

    /**
     * @return negative, zero or positive as (aKey, aSeq) sorts before, equal to or after (bKey, bSeq)
     */
    public static int compare(byte[] aKey, long aSeq, byte[] bKey, long bSeq) {
        int c = Arrays.compareUnsigned(aKey, bKey);
        if (c != 0) {
            return c;
        }
        return Long.compare(bSeq, aSeq);
    }

    /**
     * @return the unsigned lexicographic comparison of two keys
     */
    public static int compareKeys(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
