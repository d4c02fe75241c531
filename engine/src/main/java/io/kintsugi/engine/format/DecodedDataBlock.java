package io.kintsugi.engine.format;

import java.util.Arrays;

/**
 * A verified, decompressed and parsed data block ({@link DataBlockFormat}): where each entry's fields are in the
 * payload, and a binary search in internal key order. Immutable and safe to share between threads, which is what
 * the block cache does. Never prints key or value bytes.
 */
public final class DecodedDataBlock {

    private final byte[] payload;
    private final int[] keyOffset;
    private final int[] keyLength;
    private final int[] valueLength;
    private final long[] sequence;
    private final byte[] kind;

    DecodedDataBlock(byte[] payload, int[] keyOffset, int[] keyLength, int[] valueLength, long[] sequence,
                     byte[] kind) {
        this.payload = payload;
        this.keyOffset = keyOffset;
        this.keyLength = keyLength;
        this.valueLength = valueLength;
        this.sequence = sequence;
        this.kind = kind;
    }

    /** @return the number of entries, at least 1 */
    public int count() {
        return kind.length;
    }

    /** @return the bytes this block holds in memory, for cache weights */
    public int memorySize() {
        return payload.length + kind.length * (4 + 4 + 4 + 8 + 1) + 64;
    }

    /**
     * @param i entry index
     * @return a copy of the entry's key
     */
    public byte[] key(int i) {
        return Arrays.copyOfRange(payload, keyOffset[i], keyOffset[i] + keyLength[i]);
    }

    /**
     * @param i entry index
     * @return a copy of the entry's value (empty for a delete)
     */
    public byte[] value(int i) {
        int from = keyOffset[i] + keyLength[i];
        return Arrays.copyOfRange(payload, from, from + valueLength[i]);
    }

    /**
     * @param i entry index
     * @return the entry's sequence number
     */
    public long sequence(int i) {
        return sequence[i];
    }

    /**
     * @param i entry index
     * @return the entry's kind code: 1 put, 2 delete
     */
    public int kindCode(int i) {
        return kind[i];
    }

    /**
     * @param i   entry index
     * @param key a key
     * @return whether entry {@code i} has exactly this key
     */
    public boolean keyEquals(int i, byte[] key) {
        return Arrays.equals(payload, keyOffset[i], keyOffset[i] + keyLength[i], key, 0, key.length);
    }

    /**
     * Binary search.
     *
     * @param key      a key
     * @param sequence a sequence number
     * @return the index of the first entry at or after (key, sequence) in internal key order, or {@link #count()}
     *         if every entry sorts before it
     */
    public int seek(byte[] key, long sequence) {
        int lo = 0;
        int hi = count();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareTo(mid, key, sequence) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** @return how entry {@code i} sorts against (key, seq): negative if before */
    int compareTo(int i, byte[] key, long seq) {
        int c = Arrays.compareUnsigned(payload, keyOffset[i], keyOffset[i] + keyLength[i], key, 0, key.length);
        return c != 0 ? c : Long.compare(seq, sequence[i]);
    }

    /** @return how entry {@code a} sorts against entry {@code b} */
    int compareEntries(int a, int b) {
        int c = Arrays.compareUnsigned(payload, keyOffset[a], keyOffset[a] + keyLength[a],
                payload, keyOffset[b], keyOffset[b] + keyLength[b]);
        return c != 0 ? c : Long.compare(sequence[b], sequence[a]);
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "DecodedDataBlock{entries=" + count() + ", bytes=" + payload.length + '}';
    }
}
