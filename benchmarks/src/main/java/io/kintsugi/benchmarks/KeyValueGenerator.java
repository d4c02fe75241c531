package io.kintsugi.benchmarks;

/**
 * The keys and values every benchmark writes and reads, whatever the store: 16-byte keys and 100-byte values, both
 * derived from a number, so that a loaded store can be checked and every store gets exactly the same bytes.
 *
 * <p>Key {@code n} is the byte {@code 'k'}, seven zero bytes and {@code n} as a big-endian i64, so keys sort as
 * their numbers do (unsigned) and the keys of a range scan are consecutive numbers. Value {@code n} is 100 bytes
 * of SplitMix64 output drawn from inputs that no other value uses, so values do not compress (what compresses in
 * a store is then its own framing and the keys' zero bytes, as with real random ids).
 *
 * <p>Writers use {@link #writeKey(long)}: the i-th write goes to a key scattered over the whole key space (a
 * bijection of i, so never a repeat), as an application's random ids would, rather than to ascending keys, which
 * would let every store append.
 */
public final class KeyValueGenerator {

    /** Bytes in every key. */
    public static final int KEY_LENGTH = 16;
    /** Bytes in every value. */
    public static final int VALUE_LENGTH = 100;

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final int WORDS_PER_VALUE = (VALUE_LENGTH + 7) / 8;

    private KeyValueGenerator() {
    }

    /**
     * @param n the key's number
     * @return a fresh 16-byte key that sorts (unsigned) in the order of {@code n} as an unsigned long
     */
    public static byte[] key(long n) {
        byte[] k = new byte[KEY_LENGTH];
        k[0] = 'k';
        for (int i = 0; i < 8; i++) {
            k[KEY_LENGTH - 1 - i] = (byte) (n >>> (8 * i));
        }
        return k;
    }

    /**
     * @param i the writer's running count of writes (0, 1, 2, ...)
     * @return the key of the i-th write: {@code key(mix(i))}, distinct for every {@code i}
     */
    public static byte[] writeKey(long i) {
        return key(mix(i));
    }

    /**
     * @param n the value's number
     * @return a fresh 100-byte value, the same for the same {@code n}
     */
    public static byte[] value(long n) {
        byte[] v = new byte[VALUE_LENGTH];
        for (int word = 0; word * 8 < VALUE_LENGTH; word++) {
            // Every (value, word) pair gets its own input, so no two values share a run of bytes.
            long r = mix((n * WORDS_PER_VALUE + word) * GOLDEN_GAMMA);
            for (int j = 0; j < 8 && word * 8 + j < VALUE_LENGTH; j++) {
                v[word * 8 + j] = (byte) (r >>> (8 * j));
            }
        }
        return v;
    }

    /**
     * SplitMix64's finaliser (Stafford's variant 13): a bijection on longs, so distinct inputs give distinct
     * outputs.
     */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
