package io.kintsugi.validation.scan;

import io.kintsugi.validation.Hash128;
import net.openhft.hashing.LongTupleHashFunction;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Hashes the (key, value) pairs of a range, in key order, into one 128-bit value ({@link HashAlgorithm#XXH3_128_CHAINED}).
 *
 * <p>Definition, so that any replica and any version computes the same value from the same pairs:
 * <ol>
 *   <li>The range's canonical stream is, for each pair in ascending key order, the key's length as a 4-byte
 *       little-endian integer, the key, the value's length likewise, and the value.</li>
 *   <li>The stream is cut into full chunks of {@value #CHUNK} bytes followed by one final chunk of fewer bytes,
 *       possibly none.</li>
 *   <li>With {@code h} starting as 16 zero bytes, each chunk in turn sets
 *       {@code h = XXH3-128(h || chunk)}, where {@code h} is written as its low 8 bytes then its high 8 bytes, each
 *       little-endian, and XXH3-128 is used with seed 0.</li>
 *   <li>The result is {@code XXH3-128(h || count || bytes)}, with the number of pairs and the sum of their key
 *       and value lengths as 8-byte little-endian integers, so that ranges of different shape never collide by
 *       construction of the stream alone.</li>
 * </ol>
 * Chaining fixed-size chunks keeps memory bounded for values of any size while the hash still depends on every
 * byte and on the order of pairs. Not thread-safe; reusable after {@link #reset()}.
 */
public final class RangeHasher {

    /** Bytes of canonical stream per chained chunk. */
    public static final int CHUNK = 64 * 1024;
    private static final int STATE = 16;
    private static final LongTupleHashFunction XXH128 = LongTupleHashFunction.xx128();

    private final byte[] buffer = new byte[STATE + CHUNK];
    private final ByteBuffer view = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
    private final long[] result = new long[2];
    private int filled;
    private long chains;
    private long count;
    private long bytes;

    /** A hasher over an empty range. */
    public RangeHasher() {
        reset();
    }

    /** Starts over with an empty range. */
    public void reset() {
        view.putLong(0, 0L);
        view.putLong(8, 0L);
        filled = 0;
        chains = 0;
        count = 0;
        bytes = 0;
    }

    /**
     * Adds the next pair; pairs must come in ascending key order.
     *
     * @param key   the key
     * @param value the value
     */
    public void add(byte[] key, byte[] value) {
        putInt(key.length);
        put(key);
        putInt(value.length);
        put(value);
        count++;
        bytes += key.length + value.length;
    }

    /** @return pairs added */
    public long count() {
        return count;
    }

    /** @return key and value bytes added */
    public long bytes() {
        return bytes;
    }

    /** @return the hash of every pair added so far; the hasher can keep adding afterwards */
    public Hash128 hash() {
        // The running state and the partial chunk already sit side by side in the buffer.
        return finish(buffer, STATE + filled, count, bytes, result);
    }

    /** @return how many full chunks were folded into the running state since the last reset */
    public long chains() {
        return chains;
    }

    /**
     * Keeps what the hash of the pairs added so far needs, so that it can be computed later while the hasher goes
     * on: the running state and a copy of the partial chunk. It costs a copy of the partial chunk, so it is cheap
     * just after {@link #chains()} went up (the partial chunk then holds at most the last pair's tail).
     *
     * @return the mark
     */
    public Mark mark() {
        return new Mark(view.getLong(0), view.getLong(8), Arrays.copyOfRange(buffer, STATE, STATE + filled), count,
                bytes);
    }

    /**
     * The hash of a range's first pairs, kept by {@link #mark()}.
     *
     * @param low     the running state's low 8 bytes
     * @param high    the running state's high 8 bytes
     * @param partial the partial chunk's bytes (not copied: do not change them)
     * @param count   pairs up to the mark
     * @param bytes   key and value bytes up to the mark
     */
    public record Mark(long low, long high, byte[] partial, long count, long bytes) {

        /** @return the hash of the pairs up to the mark, as {@link RangeHasher#hash()} returned it there */
        public Hash128 hash() {
            byte[] b = new byte[STATE + partial.length];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, low).putLong(8, high);
            System.arraycopy(partial, 0, b, STATE, partial.length);
            return finish(b, b.length, count, bytes, new long[2]);
        }
    }

    /** Steps 3 (the last chunk, after the state in {@code stateAndChunk}) and 4 of the definition. */
    private static Hash128 finish(byte[] stateAndChunk, int length, long count, long bytes, long[] result) {
        XXH128.hashBytes(stateAndChunk, 0, length, result);
        byte[] tail = new byte[STATE + 16];
        ByteBuffer t = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
        t.putLong(0, result[0]).putLong(8, result[1]).putLong(16, count).putLong(24, bytes);
        XXH128.hashBytes(tail, result);
        return new Hash128(result[1], result[0]);
    }

    private void putInt(int v) {
        if (filled + 4 <= CHUNK) {
            view.putInt(STATE + filled, v);
            filled += 4;
            if (filled == CHUNK) {
                chain();
            }
            return;
        }
        byte[] b = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
        put(b);
    }

    private void put(byte[] src) {
        int off = 0;
        while (off < src.length) {
            int n = Math.min(src.length - off, CHUNK - filled);
            System.arraycopy(src, off, buffer, STATE + filled, n);
            filled += n;
            off += n;
            if (filled == CHUNK) {
                chain();
            }
        }
    }

    /** A full chunk: fold it into the running state. */
    private void chain() {
        XXH128.hashBytes(buffer, 0, STATE + CHUNK, result);
        view.putLong(0, result[0]);
        view.putLong(8, result[1]);
        filled = 0;
        chains++;
    }
}
