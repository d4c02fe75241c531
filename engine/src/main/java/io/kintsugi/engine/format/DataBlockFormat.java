package io.kintsugi.engine.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;

/**
 * The payload of a data block: entries sorted in internal key order (key ascending as unsigned bytes, then
 * sequence descending), followed by the offset of each entry so that a reader can binary-search the block.
 *
 * <p>Layout of the uncompressed payload (little-endian):
 * <pre>
 * entries, back to back from offset 0; each entry:
 *   varint  key length     unsigned LEB128 (see {@link ByteSink#putVarint}), 0..{@value #MAX_KEY_LENGTH}
 *   varint  value length   0..{@value #MAX_VALUE_LENGTH}; 0 for a delete
 *   u8      kind           1 = put, 2 = delete (EntryKind codes)
 *   i64     sequence
 *   bytes   key
 *   bytes   value
 * entry offsets:
 *   i32 x count            offset of each entry from the start of the payload; the first is 0, each next one is
 *                          exactly where the entry before it ends
 * count:
 *   i32                    number of entries, at least 1; the last 4 bytes of the payload
 * </pre>
 *
 * <p>A block holds at least one entry. The writer ends a block as soon as its encoded size reaches the block
 * size, so a block exceeds the block size by at most one entry, and an entry larger than the block size gets a
 * block of its own. Entries within a block, and across the blocks of a file, strictly increase in internal key
 * order: a key appears once per sequence number. A reader rejects a block that breaks any of these rules; an
 * ordering violation is reported as {@code INVARIANT_VIOLATION}.
 */
public final class DataBlockFormat {

    /** The longest internal key the format allows: a 64 KiB user key plus a 4-byte namespace prefix. */
    public static final int MAX_KEY_LENGTH = 64 * 1024 + 4;
    /** The longest value the format allows (16 MiB). */
    public static final int MAX_VALUE_LENGTH = 16 * 1024 * 1024;

    /** Bytes of an entry after its two varints and before its key: kind and sequence. */
    public static final int ENTRY_FIXED_LENGTH = 1 + 8;
    /** Bytes of one entry offset. */
    public static final int OFFSET_LENGTH = 4;
    /** Bytes of the count at the end of the payload. */
    public static final int COUNT_LENGTH = 4;

    private DataBlockFormat() {
    }

    /**
     * @param keyLength   key length
     * @param valueLength value length
     * @return the bytes an entry takes in the block, its offset included
     */
    public static int encodedLength(int keyLength, int valueLength) {
        return ByteSink.varintLength(keyLength) + ByteSink.varintLength(valueLength) + ENTRY_FIXED_LENGTH
                + keyLength + valueLength + OFFSET_LENGTH;
    }

    /**
     * Appends one entry.
     *
     * @param sink     the block being built
     * @param key      the internal key
     * @param sequence the sequence number
     * @param kindCode the entry kind's code
     * @param value    the value
     */
    public static void appendEntry(ByteSink sink, byte[] key, long sequence, int kindCode, byte[] value) {
        sink.putVarint(key.length);
        sink.putVarint(value.length);
        sink.putByte(kindCode);
        sink.putLong(sequence);
        sink.putBytes(key);
        sink.putBytes(value);
    }

    /**
     * Ends the payload: appends the entry offsets and the count.
     *
     * @param sink    the block holding the entries
     * @param offsets the offset of each entry
     * @param count   the number of entries, at least 1
     */
    public static void appendOffsets(ByteSink sink, int[] offsets, int count) {
        for (int i = 0; i < count; i++) {
            sink.putInt(offsets[i]);
        }
        sink.putInt(count);
    }

    /**
     * Parses and checks a verified, decompressed data block payload.
     *
     * @param payload  the payload
     * @param location the block, for reports
     * @return the decoded block
     * @throws CorruptionException if the payload breaks the format
     */
    public static DecodedDataBlock decode(byte[] payload, BlockLocation location) {
        int n = payload.length;
        if (n < COUNT_LENGTH) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "payload of " + n + " bytes has no entry count");
        }
        int count = PayloadReader.getInt(payload, n - COUNT_LENGTH);
        int minEntry = 2 + ENTRY_FIXED_LENGTH + OFFSET_LENGTH;
        if (count < 1 || count > (n - COUNT_LENGTH) / minEntry) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "entry count " + count
                    + " is impossible for a payload of " + n + " bytes");
        }
        int entriesEnd = n - COUNT_LENGTH - count * OFFSET_LENGTH;
        int[] keyOffset = new int[count];
        int[] keyLength = new int[count];
        int[] valueLength = new int[count];
        long[] sequence = new long[count];
        byte[] kind = new byte[count];
        PayloadReader in = new PayloadReader(payload, 0, entriesEnd, location);
        for (int i = 0; i < count; i++) {
            int stored = PayloadReader.getInt(payload, entriesEnd + i * OFFSET_LENGTH);
            if (stored != in.position()) {
                throw location.malformed(CorruptionKind.BAD_LENGTH, "entry " + i + " is recorded at payload offset "
                        + stored + " but starts at " + in.position());
            }
            int kl = in.varint();
            int vl = in.varint();
            int k = in.u8();
            if (k != 1 && k != 2) {
                throw location.malformed(CorruptionKind.INVALID_CONTENT, "entry " + i + " has unknown kind code " + k);
            }
            if (k == 2 && vl != 0) {
                throw location.malformed(CorruptionKind.BAD_LENGTH, "delete entry " + i + " has a value of " + vl
                        + " bytes");
            }
            sequence[i] = in.i64();
            keyLength[i] = in.checkLength("key length", kl, MAX_KEY_LENGTH);
            keyOffset[i] = in.position();
            in.skip(kl);
            valueLength[i] = in.checkLength("value length", vl, MAX_VALUE_LENGTH);
            in.skip(vl);
            kind[i] = (byte) k;
        }
        in.expectEnd();
        DecodedDataBlock block = new DecodedDataBlock(payload, keyOffset, keyLength, valueLength, sequence, kind);
        for (int i = 1; i < count; i++) {
            if (block.compareEntries(i - 1, i) >= 0) {
                // An ordering rule rather than a parse error: binary search would silently miss keys.
                throw location.malformed(CorruptionKind.INVARIANT_VIOLATION, "entry " + i
                        + " does not sort strictly after the entry before it");
            }
        }
        return block;
    }
}
