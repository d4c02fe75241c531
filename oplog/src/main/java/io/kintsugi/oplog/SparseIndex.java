package io.kintsugi.oplog;

import java.util.Arrays;

/**
 * An in-memory map from sequence numbers to file offsets of one segment, with one entry roughly every
 * {@value #SPACING} bytes, so that a reader can start near any sequence without scanning the whole segment.
 * Written by one thread (recovery, then the writer), read by any number of readers.
 */
final class SparseIndex {

    /** Bytes of records between two index entries, at least. */
    static final long SPACING = 4096;

    private long[] sequences = new long[16];
    private long[] offsets = new long[16];
    private int size;
    private long lastIndexedOffset = Long.MIN_VALUE;

    /**
     * Notes that the record with {@code sequence} starts at {@code offset}; keeps it if far enough from the last.
     */
    synchronized void add(long sequence, long offset) {
        if (offset - lastIndexedOffset < SPACING) {
            return;
        }
        if (size == sequences.length) {
            sequences = Arrays.copyOf(sequences, size * 2);
            offsets = Arrays.copyOf(offsets, size * 2);
        }
        sequences[size] = sequence;
        offsets[size] = offset;
        size++;
        lastIndexedOffset = offset;
    }

    /**
     * @return {sequence, offset} of the last entry at or before {@code sequence}, or null if there is none
     */
    synchronized long[] floor(long sequence) {
        int i = Arrays.binarySearch(sequences, 0, size, sequence);
        if (i < 0) {
            i = -i - 2;
        }
        return i < 0 ? null : new long[] {sequences[i], offsets[i]};
    }
}
