package io.kintsugi.engine.table;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.IndexBlockFormat.IndexEntry;

import java.util.List;

/**
 * The verified index of one segment file, kept in memory: for each data block its key range, the internal key of
 * its last entry and its handle, with binary searches by internal key and by offset. Immutable.
 */
final class SegmentIndex {

    private final IndexEntry[] entries;

    SegmentIndex(List<IndexEntry> entries) {
        this.entries = entries.toArray(new IndexEntry[0]);
    }

    int blockCount() {
        return entries.length;
    }

    IndexEntry entry(int block) {
        return entries[block];
    }

    BlockHandle handle(int block) {
        return entries[block].handle();
    }

    /**
     * @return the first block whose last entry sorts at or after (key, sequence) in internal key order: the only
     *         block that can hold the first entry at or after it; {@link #blockCount()} if there is none
     */
    int findBlock(byte[] key, long sequence) {
        int lo = 0;
        int hi = entries.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            IndexEntry e = entries[mid];
            if (InternalKeys.compare(e.lastKey(), e.lastSequence(), key, sequence) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** @return the block that starts at {@code offset}, or -1 if no data block starts there */
    int blockAt(long offset) {
        int lo = 0;
        int hi = entries.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long o = entries[mid].handle().offset();
            if (o < offset) {
                lo = mid + 1;
            } else if (o > offset) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }
}
