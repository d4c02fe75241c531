package io.kintsugi.validation.scan;

import io.kintsugi.validation.Hash128;
import net.openhft.hashing.LongTupleHashFunction;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
        long low = view.getLong(0);
        long high = view.getLong(8);
        // Hash the partial chunk without disturbing the running state.
        XXH128.hashBytes(buffer, 0, STATE + filled, result);
        byte[] tail = new byte[STATE + 16];
        ByteBuffer t = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
        t.putLong(0, result[0]).putLong(8, result[1]).putLong(16, count).putLong(24, bytes);
        XXH128.hashBytes(tail, result);
        view.putLong(0, low).putLong(8, high);
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
    }
}
