package io.kintsugi.repair.net;

import io.kintsugi.engine.Limits;
import io.kintsugi.engine.RangeEntry;
import io.kintsugi.validation.Hash128;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.kintsugi.repair.net.FrameFields.buffer;
import static io.kintsugi.repair.net.FrameFields.expectEnd;
import static io.kintsugi.repair.net.FrameFields.malformed;
import static io.kintsugi.repair.net.FrameFields.parse;
import static io.kintsugi.repair.net.FrameFields.sized;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_FRAME_BYTES;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_CHUNK;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_END;
import static io.kintsugi.repair.net.RepairFrameFormat.frame;

/**
 * The bodies of a streamed range (docs/FORMAT.md 14.3): CHUNK frames of consecutive pairs, then one END saying what
 * was sent. The only repair frames that carry key and value bytes.
 */
final class ChunkFrames {

    private ChunkFrames() {
    }

    /** END: what the server sent. */
    record End(long sequence, long count, long bytes, Hash128 hash, int chunks) {
    }

    /**
     * @param pairs at least one pair, keys and values within the store's limits
     * @return a CHUNK frame
     * @throws IllegalArgumentException if there is no pair, a key or value is over its limit, or the frame would
     *                                  exceed {@link RepairFrameFormat#MAX_FRAME_BYTES}
     */
    static byte[] chunk(List<RangeEntry> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a CHUNK frame holds at least one pair");
        }
        long size = 4;
        for (RangeEntry e : pairs) {
            checkPair(e.key().length, e.value().length);
            size += pairLength(e);
        }
        if (1 + size > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a CHUNK frame of " + (1 + size) + " bytes exceeds the limit of "
                    + MAX_FRAME_BYTES + " bytes (RepairFrameFormat.MAX_FRAME_BYTES)");
        }
        ByteBuffer b = buffer((int) size);
        b.putInt(pairs.size());
        for (RangeEntry e : pairs) {
            b.putInt(e.key().length);
            b.put(e.key());
            b.putInt(e.value().length);
            b.put(e.value());
        }
        return frame(TYPE_CHUNK, b.array());
    }

    /**
     * @param e a pair
     * @return the bytes the pair takes in a CHUNK body
     */
    static long pairLength(RangeEntry e) {
        return 8L + e.key().length + e.value().length;
    }

    /** @return an END frame */
    static byte[] end(End e) {
        ByteBuffer b = buffer(8 * 5 + 4);
        b.putLong(e.sequence());
        b.putLong(e.count());
        b.putLong(e.bytes());
        b.putLong(e.hash().low());
        b.putLong(e.hash().high());
        b.putInt(e.chunks());
        return frame(TYPE_END, b.array());
    }

    /**
     * @param b the body of a CHUNK frame
     * @return the pairs of the CHUNK, keys and values within the store's limits
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3; the message
     *                                 names the pair and the limit, never its bytes
     */
    static List<RangeEntry> decodeChunk(ByteBuffer b) {
        return parse("CHUNK", b, () -> {
            int p = b.getInt();
            if (p < 1 || p > b.remaining() / 8) {
                throw malformed("CHUNK pair count " + p + " is below 1 or more than the " + b.remaining()
                        + " body bytes left can hold at 8 bytes each");
            }
            List<RangeEntry> pairs = new ArrayList<>(p);
            for (int i = 0; i < p; i++) {
                byte[] key = sized(b, "CHUNK key " + i, Limits.MAX_KEY_LENGTH);
                byte[] value = sized(b, "CHUNK value " + i, Limits.MAX_VALUE_LENGTH);
                pairs.add(new RangeEntry(key, value));
            }
            expectEnd("CHUNK", b);
            return pairs;
        });
    }

    /**
     * @param b the body of a frame of this type
     * @return the decoded END
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static End decodeEnd(ByteBuffer b) {
        return parse("END", b, () -> {
            long sequence = b.getLong();
            long count = b.getLong();
            long bytes = b.getLong();
            long low = b.getLong();
            long high = b.getLong();
            int chunks = b.getInt();
            if (sequence < 0 || count < 0 || bytes < 0 || chunks < 0) {
                throw malformed("END sequence " + sequence + ", count " + count + ", bytes " + bytes + " or chunks "
                        + chunks + " is below 0");
            }
            expectEnd("END", b);
            return new End(sequence, count, bytes, new Hash128(high, low), chunks);
        });
    }

    private static void checkPair(int keyLength, int valueLength) {
        if (keyLength > Limits.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key of " + keyLength + " bytes exceeds the limit of "
                    + Limits.MAX_KEY_LENGTH + " bytes (Limits.MAX_KEY_LENGTH)");
        }
        if (valueLength > Limits.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("value of " + valueLength + " bytes exceeds the limit of "
                    + Limits.MAX_VALUE_LENGTH + " bytes (Limits.MAX_VALUE_LENGTH)");
        }
    }
}
