package io.kintsugi.engine.table;

import io.kintsugi.engine.format.DecodedDataBlock;
import io.kintsugi.oplog.CorruptionException;

/**
 * Iterates over the raw entries of one segment file in internal key order (keys ascending, then sequences
 * descending; every version and every tombstone), loading and verifying data blocks through the block cache as it
 * goes. Not thread-safe; many cursors may read one file at once.
 *
 * <pre>{@code
 * try (EntryCursor c = reader.cursor(fromKey)) {
 *     while (c.next()) { Entry e = c.entry(); ... }
 * }
 * }</pre>
 *
 * <p>A cursor with an end key never reads a data block whose first key is at or after it (the index tells), so it
 * ends there; entries at or after the end key that share a block with earlier ones may still be returned, and the
 * caller stops at them.
 *
 * <p>If a block fails its checks, {@link #next()} throws {@link CorruptionException} and the cursor stays where it
 * was: calling {@code next()} again retries the same block. Moving from one block to the next also checks that the
 * new block's first entry sorts strictly after the old block's last one ({@code INVARIANT_VIOLATION} otherwise).
 */
public final class EntryCursor implements AutoCloseable {

    private final SegmentFileReader reader;
    private final byte[] fromKey;
    private final byte[] toKey;
    private int blockIndex = -1;
    private int entryIndex;
    private DecodedDataBlock block;
    private Entry current;
    private boolean done;
    private boolean closed;

    EntryCursor(SegmentFileReader reader, byte[] fromKey, byte[] toKey) {
        this.reader = reader;
        this.fromKey = fromKey;
        this.toKey = toKey;
    }

    /**
     * Moves to the next entry.
     *
     * @return false at the end of the file
     * @throws CorruptionException              if the next data block is damaged
     * @throws io.kintsugi.oplog.StorageException if reading fails or the reader is closed
     * @throws IllegalStateException            if the cursor is closed
     */
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("entry cursor is closed");
        }
        if (done) {
            return false;
        }
        current = null;
        if (block == null) {
            if (!seekFirst()) {
                done = true;
                return false;
            }
        } else if (entryIndex + 1 < block.count()) {
            entryIndex++;
        } else if (blockIndex + 1 < reader.index().blockCount() && !startsAtOrAfterEnd(blockIndex + 1)) {
            DecodedDataBlock nextBlock = reader.dataBlock(blockIndex + 1);
            int last = block.count() - 1;
            reader.checkBlockBoundary(blockIndex + 1, nextBlock, block.key(last), block.sequence(last));
            block = nextBlock;
            blockIndex++;
            entryIndex = 0;
        } else {
            done = true;
            return false;
        }
        current = SegmentFileReader.entryOf(block, entryIndex);
        return true;
    }

    /**
     * @return the entry {@link #next()} moved to; its arrays are the caller's
     * @throws IllegalStateException if {@code next()} was not called or returned false
     */
    public Entry entry() {
        if (current == null) {
            throw new IllegalStateException("the cursor is not on an entry: call next() and check its result");
        }
        return current;
    }

    /** Releases the cursor; further calls to {@link #next()} throw {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        block = null;
        current = null;
    }

    /**
     * Whether data block {@code b} holds no key below the cursor's end (from the verified index, without reading
     * the block): such a block is never read, so that damage past the end of a range never fails a scan of it.
     */
    private boolean startsAtOrAfterEnd(int b) {
        return toKey != null && InternalKeys.compareKeys(reader.index().entry(b).firstKey(), toKey) >= 0;
    }

    private boolean seekFirst() {
        SegmentIndex index = reader.index();
        int b = fromKey == null ? 0 : index.findBlock(fromKey, Long.MAX_VALUE);
        if (b >= index.blockCount() || startsAtOrAfterEnd(b)) {
            return false;
        }
        DecodedDataBlock loaded = reader.dataBlock(b);
        int i = fromKey == null ? 0 : loaded.seek(fromKey, Long.MAX_VALUE);
        if (i >= loaded.count()) {
            // Cannot happen with a verified index (the block's last entry sorts at or after the target), but
            // moving on is right either way.
            if (b + 1 >= index.blockCount() || startsAtOrAfterEnd(b + 1)) {
                return false;
            }
            loaded = reader.dataBlock(b + 1);
            b++;
            i = 0;
        }
        block = loaded;
        blockIndex = b;
        entryIndex = i;
        return true;
    }
}
