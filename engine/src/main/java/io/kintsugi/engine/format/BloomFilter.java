package io.kintsugi.engine.format;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;

import java.util.Arrays;

/**
 * The filter block of a segment file: a bloom filter over the file's distinct keys (not over sequences), so that a
 * point read can skip a file that certainly does not hold the key. Its bytes, including the hashing, are part of
 * the on-disk format.
 *
 * <p>Layout of the payload (little-endian), stored uncompressed:
 * <pre>
 * offset size field
 *      0    1 k          u8, number of probes, 0..{@value #MAX_PROBES}; 0 = no filter: every key may be present
 *      1    4 bit count  i32; 0 when k = 0, otherwise {@value #MIN_BITS}..{@value #MAX_BITS}
 *      5    n bits       n = ceil(bit count / 8); bit i is bit (i mod 8) of byte (i / 8), least significant first
 * </pre>
 *
 * <p><b>Hashing.</b> A key's 128-bit Murmur3 hash ({@code Hashing.murmur3_128()}, seed 0, over the key bytes)
 * gives h1 = its bytes [0, 8) and h2 = its bytes [8, 16), each read as a little-endian i64. Probe j (0 &le; j &lt;
 * k) sets or tests bit {@code floorMod(h1 + j * h2, bit count)}, in wrapping 64-bit arithmetic (double hashing).
 *
 * <p><b>Sizing</b> (a writer choice, not checked on read): bit count = max({@value #MIN_BITS}, distinct keys &times;
 * bits per key), at most {@value #MAX_BITS}; k = round(bits per key &times; ln 2), between 1 and
 * {@value #MAX_PROBES}. Ten bits per key give about a 1% false-positive rate.
 */
public final class BloomFilter {

    /** The most probes per key the format allows. */
    public static final int MAX_PROBES = 30;
    /** The fewest bits of a present filter. */
    public static final int MIN_BITS = 64;
    /** The most bits the format allows (2^31 - 64). */
    public static final int MAX_BITS = Integer.MAX_VALUE - 63;

    public static final int PROBES_OFFSET = 0;
    public static final int BIT_COUNT_OFFSET = PROBES_OFFSET + 1;
    public static final int BITS_OFFSET = BIT_COUNT_OFFSET + 4;

    /** A filter that lets every key through. */
    public static final BloomFilter NONE = new BloomFilter(0, 0, new byte[0]);

    private static final HashFunction HASH = Hashing.murmur3_128();

    private final int probes;
    private final int bitCount;
    private final byte[] bits;

    private BloomFilter(int probes, int bitCount, byte[] bits) {
        this.probes = probes;
        this.bitCount = bitCount;
        this.bits = bits;
    }

    /**
     * @param key a key
     * @return false if the key is certainly not in the file; true if it may be
     */
    public boolean mayContain(byte[] key) {
        if (probes == 0) {
            return true;
        }
        byte[] h = HASH.hashBytes(key).asBytes();
        long h1 = PayloadReader.getLong(h, 0);
        long h2 = PayloadReader.getLong(h, 8);
        for (int j = 0; j < probes; j++) {
            int bit = (int) Math.floorMod(h1 + j * h2, (long) bitCount);
            if ((bits[bit >>> 3] & (1 << (bit & 7))) == 0) {
                return false;
            }
        }
        return true;
    }

    /** @return the number of probes; 0 for no filter */
    public int probes() {
        return probes;
    }

    /** @return the number of bits */
    public int bitCount() {
        return bitCount;
    }

    /**
     * Parses and checks a verified filter payload.
     *
     * @param payload  the payload
     * @param location the filter block, for reports
     * @return the filter
     * @throws CorruptionException if the payload breaks the format
     */
    public static BloomFilter decode(byte[] payload, BlockLocation location) {
        PayloadReader in = new PayloadReader(payload, 0, payload.length, location);
        int k = in.u8();
        int bitCount = in.i32();
        boolean ok = k == 0 ? bitCount == 0 : k <= MAX_PROBES && bitCount >= MIN_BITS && bitCount <= MAX_BITS;
        if (!ok || in.remaining() != byteCount(bitCount)) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "filter with " + k + " probes and " + bitCount
                    + " bits in a payload of " + payload.length + " bytes");
        }
        return k == 0 ? NONE : new BloomFilter(k, bitCount, Arrays.copyOfRange(payload, BITS_OFFSET, payload.length));
    }

    private static int byteCount(int bitCount) {
        return (int) ((bitCount + 7L) >>> 3);
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "BloomFilter{probes=" + probes + ", bits=" + bitCount + '}';
    }

    /**
     * Collects the hashes of a file's distinct keys and encodes the filter. Not thread-safe.
     */
    public static final class Builder {

        private final int bitsPerKey;
        private long[] hashes = new long[256];
        private int keys;

        /**
         * @param bitsPerKey bits of filter per distinct key; 0 builds no filter
         */
        public Builder(int bitsPerKey) {
            if (bitsPerKey < 0) {
                throw new IllegalArgumentException("bits per key must be >= 0, got " + bitsPerKey);
            }
            this.bitsPerKey = bitsPerKey;
        }

        /**
         * Adds a key; the caller adds each distinct key once.
         *
         * @param key the key
         */
        public void add(byte[] key) {
            if (bitsPerKey == 0) {
                return;
            }
            if (2 * keys + 2 > hashes.length) {
                hashes = Arrays.copyOf(hashes, hashes.length * 2);
            }
            byte[] h = HASH.hashBytes(key).asBytes();
            hashes[2 * keys] = PayloadReader.getLong(h, 0);
            hashes[2 * keys + 1] = PayloadReader.getLong(h, 8);
            keys++;
        }

        /** @return the encoded filter payload */
        public ByteSink encode() {
            if (bitsPerKey == 0 || keys == 0) {
                ByteSink sink = new ByteSink(BITS_OFFSET);
                sink.putByte(0);
                sink.putInt(0);
                return sink;
            }
            long wanted = Math.max(MIN_BITS, (long) keys * bitsPerKey);
            int bitCount = (int) Math.min(MAX_BITS, wanted);
            int k = (int) Math.max(1, Math.min(MAX_PROBES, Math.round(bitsPerKey * Math.log(2))));
            byte[] bits = new byte[byteCount(bitCount)];
            for (int i = 0; i < keys; i++) {
                long h1 = hashes[2 * i];
                long h2 = hashes[2 * i + 1];
                for (int j = 0; j < k; j++) {
                    int bit = (int) Math.floorMod(h1 + j * h2, (long) bitCount);
                    bits[bit >>> 3] |= (byte) (1 << (bit & 7));
                }
            }
            ByteSink sink = new ByteSink(BITS_OFFSET + bits.length);
            sink.putByte(k);
            sink.putInt(bitCount);
            sink.putBytes(bits);
            return sink;
        }
    }
}
