package io.kintsugi.engine.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;

/**
 * The payload of the metadata block: what the file holds, so that the engine (and its manifest) can know a file's
 * key range, sequence range and size without reading its data blocks.
 *
 * <p>Layout of the payload (little-endian), stored uncompressed:
 * <pre>
 * offset size field
 *      0    8 entry count          i64, at least 1
 *      8    8 put count            i64
 *     16    8 delete count         i64; put count + delete count = entry count
 *     24    8 min sequence         i64, the lowest sequence of any entry
 *     32    8 max sequence         i64, the highest; not below min sequence
 *     40    4 data block count     i32, at least 1; equal to the index's count
 *     44    4 smallest key length  i32, 0..{@value DataBlockFormat#MAX_KEY_LENGTH}
 *     48    n smallest key         the key of the file's first entry
 *   48+n    4 largest key length   i32, 0..{@value DataBlockFormat#MAX_KEY_LENGTH}
 *   52+n    m largest key          the key of the file's last entry
 * </pre>
 * The payload ends right after the largest key.
 */
public final class MetadataBlockFormat {

    public static final int ENTRY_COUNT_OFFSET = 0;
    public static final int PUT_COUNT_OFFSET = ENTRY_COUNT_OFFSET + 8;
    public static final int DELETE_COUNT_OFFSET = PUT_COUNT_OFFSET + 8;
    public static final int MIN_SEQUENCE_OFFSET = DELETE_COUNT_OFFSET + 8;
    public static final int MAX_SEQUENCE_OFFSET = MIN_SEQUENCE_OFFSET + 8;
    public static final int DATA_BLOCK_COUNT_OFFSET = MAX_SEQUENCE_OFFSET + 8;
    public static final int SMALLEST_KEY_LENGTH_OFFSET = DATA_BLOCK_COUNT_OFFSET + 4;
    /** Where the smallest key starts; the fields after it move with its length. */
    public static final int SMALLEST_KEY_OFFSET = SMALLEST_KEY_LENGTH_OFFSET + 4;

    private MetadataBlockFormat() {
    }

    /**
     * The metadata of a segment file. Never prints key bytes.
     *
     * @param entryCount     number of entries
     * @param putCount       number of put entries
     * @param deleteCount    number of delete entries
     * @param minSequence    lowest sequence
     * @param maxSequence    highest sequence
     * @param dataBlockCount number of data blocks
     * @param smallestKey    key of the first entry
     * @param largestKey     key of the last entry
     */
    public record SegmentMetadata(long entryCount, long putCount, long deleteCount, long minSequence,
                                  long maxSequence, int dataBlockCount, byte[] smallestKey, byte[] largestKey) {

        /** Metadata only. */
        @Override
        public String toString() {
            return "SegmentMetadata{entries=" + entryCount + ", puts=" + putCount + ", deletes=" + deleteCount
                    + ", sequences=[" + minSequence + ", " + maxSequence + "], dataBlocks=" + dataBlockCount
                    + ", smallestKeyLength=" + smallestKey.length + ", largestKeyLength=" + largestKey.length + '}';
        }
    }

    /**
     * @param m the metadata
     * @return the payload
     */
    public static ByteSink encode(SegmentMetadata m) {
        ByteSink sink = new ByteSink(SMALLEST_KEY_OFFSET + 4 + m.smallestKey().length + m.largestKey().length);
        sink.putLong(m.entryCount());
        sink.putLong(m.putCount());
        sink.putLong(m.deleteCount());
        sink.putLong(m.minSequence());
        sink.putLong(m.maxSequence());
        sink.putInt(m.dataBlockCount());
        sink.putInt(m.smallestKey().length);
        sink.putBytes(m.smallestKey());
        sink.putInt(m.largestKey().length);
        sink.putBytes(m.largestKey());
        return sink;
    }

    /**
     * Parses and checks a verified metadata payload.
     *
     * @param payload  the payload
     * @param location the metadata block, for reports
     * @return the metadata
     * @throws CorruptionException if the payload breaks the format
     */
    public static SegmentMetadata decode(byte[] payload, BlockLocation location) {
        PayloadReader in = new PayloadReader(payload, 0, payload.length, location);
        long entries = in.i64();
        long puts = in.i64();
        long deletes = in.i64();
        long minSeq = in.i64();
        long maxSeq = in.i64();
        int blocks = in.i32();
        byte[] smallest = in.bytes(in.checkLength("smallest key length", in.i32(), DataBlockFormat.MAX_KEY_LENGTH));
        byte[] largest = in.bytes(in.checkLength("largest key length", in.i32(), DataBlockFormat.MAX_KEY_LENGTH));
        in.expectEnd();
        if (entries < 1 || puts < 0 || deletes < 0 || puts + deletes != entries || blocks < 1 || blocks > entries
                || minSeq > maxSeq || java.util.Arrays.compareUnsigned(smallest, largest) > 0) {
            throw location.malformed(CorruptionKind.INVALID_CONTENT, "inconsistent metadata " + new SegmentMetadata(
                    entries, puts, deletes, minSeq, maxSeq, blocks, smallest, largest));
        }
        return new SegmentMetadata(entries, puts, deletes, minSeq, maxSeq, blocks, smallest, largest);
    }
}
