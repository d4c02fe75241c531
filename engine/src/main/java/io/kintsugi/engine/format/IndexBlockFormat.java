package io.kintsugi.engine.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The payload of the index block: one entry per data block, in file order, giving the block's key range, the
 * internal key of its last entry and its handle. A reader keeps the decoded index in memory and binary-searches it
 * for the first block whose last entry sorts at or after a (key, sequence).
 *
 * <p>Layout of the uncompressed payload (little-endian):
 * <pre>
 * i32     count             number of data blocks, at least 1
 * then per data block, in file order:
 *   varint  first key length  0..{@value DataBlockFormat#MAX_KEY_LENGTH}
 *   bytes   first key         key of the block's first entry
 *   varint  last key length   0..{@value DataBlockFormat#MAX_KEY_LENGTH}
 *   bytes   last key          key of the block's last entry
 *   i64     last sequence     sequence of the block's last entry
 *   i64     offset            the block's handle: offset in the file
 *   i32     length            the block's handle: length on disk, trailer included
 *   i32     entry count       number of entries in the block, at least 1
 * </pre>
 *
 * <p>Rules a reader checks: the data blocks lie back to back from the end of the file header to the filter block;
 * each block's first key is not above its last key, and its last (key, sequence) sorts strictly before the next
 * block's first key with any sequence (keys may continue across a block boundary only with lower sequences).
 */
public final class IndexBlockFormat {

    /** The smallest encoded index entry: two empty keys. */
    public static final int MIN_ENTRY_LENGTH = 1 + 1 + 8 + BlockHandle.ENCODED_LENGTH + 4;

    private IndexBlockFormat() {
    }

    /**
     * What the index says about one data block. Never prints key bytes.
     *
     * @param firstKey     key of the block's first entry
     * @param lastKey      key of the block's last entry
     * @param lastSequence sequence of the block's last entry
     * @param handle       where the block is
     * @param entryCount   number of entries in the block
     */
    public record IndexEntry(byte[] firstKey, byte[] lastKey, long lastSequence, BlockHandle handle, int entryCount) {

        /** Metadata only. */
        @Override
        public String toString() {
            return "IndexEntry{handle=" + handle + ", entries=" + entryCount + ", lastSequence=" + lastSequence
                    + ", firstKeyLength=" + firstKey.length + ", lastKeyLength=" + lastKey.length + '}';
        }
    }

    /**
     * @param entries one entry per data block, in file order
     * @return the uncompressed payload
     */
    public static ByteSink encode(List<IndexEntry> entries) {
        ByteSink sink = new ByteSink(64 + entries.size() * 64);
        sink.putInt(entries.size());
        for (IndexEntry e : entries) {
            sink.putVarint(e.firstKey().length);
            sink.putBytes(e.firstKey());
            sink.putVarint(e.lastKey().length);
            sink.putBytes(e.lastKey());
            sink.putLong(e.lastSequence());
            sink.putLong(e.handle().offset());
            sink.putInt(e.handle().length());
            sink.putInt(e.entryCount());
        }
        return sink;
    }

    /**
     * Parses and checks a verified, decompressed index payload.
     *
     * @param payload      the payload
     * @param location     the index block, for reports
     * @param dataRegionEnd where the data blocks must end: the filter block's offset
     * @return one entry per data block, in file order
     * @throws CorruptionException if the payload breaks the format or its rules
     */
    public static List<IndexEntry> decode(byte[] payload, BlockLocation location, long dataRegionEnd) {
        PayloadReader in = new PayloadReader(payload, 0, payload.length, location);
        int count = in.i32();
        if (count < 1 || count > (payload.length - 4) / MIN_ENTRY_LENGTH) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "data block count " + count
                    + " is impossible for an index of " + payload.length + " bytes");
        }
        List<IndexEntry> entries = new ArrayList<>(count);
        long expectedOffset = SegmentFileHeaderFormat.LENGTH;
        IndexEntry previous = null;
        for (int i = 0; i < count; i++) {
            byte[] first = in.bytes(in.checkLength("first key length", in.varint(), DataBlockFormat.MAX_KEY_LENGTH));
            byte[] last = in.bytes(in.checkLength("last key length", in.varint(), DataBlockFormat.MAX_KEY_LENGTH));
            long lastSequence = in.i64();
            BlockHandle handle = new BlockHandle(in.i64(), in.i32());
            int entryCount = in.i32();
            if (handle.offset() != expectedOffset || handle.length() <= BlockTrailerFormat.LENGTH
                    || handle.end() > dataRegionEnd) {
                throw location.malformed(CorruptionKind.BAD_LENGTH, "data block " + i + " has handle " + handle
                        + "; expected it at offset " + expectedOffset + " and ending by " + dataRegionEnd);
            }
            if (entryCount < 1) {
                throw location.malformed(CorruptionKind.BAD_LENGTH, "data block " + i + " has " + entryCount
                        + " entries");
            }
            if (Arrays.compareUnsigned(first, last) > 0
                    || (previous != null && Arrays.compareUnsigned(previous.lastKey(), first) > 0)) {
                throw location.malformed(CorruptionKind.INVALID_CONTENT, "the key ranges of data blocks " + (i - 1)
                        + " and " + i + " are not in order");
            }
            IndexEntry entry = new IndexEntry(first, last, lastSequence, handle, entryCount);
            entries.add(entry);
            expectedOffset = handle.end();
            previous = entry;
        }
        in.expectEnd();
        if (expectedOffset != dataRegionEnd) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "the data blocks end at " + expectedOffset
                    + " but the filter block starts at " + dataRegionEnd);
        }
        return entries;
    }
}
