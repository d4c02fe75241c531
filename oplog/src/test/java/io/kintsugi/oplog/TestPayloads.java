package io.kintsugi.oplog;

import java.util.Random;

/**
 * Deterministic payloads for tests: the bytes of record {@code i} of a test are a function of a seed and
 * {@code i}, so a test can recompute what it wrote instead of keeping every payload.
 */
final class TestPayloads {

    private TestPayloads() {
    }

    /**
     * @param seed    the test's seed
     * @param index   which payload
     * @param maxSize largest size to produce
     * @return a payload of 0 to {@code maxSize} bytes
     */
    static byte[] payload(long seed, long index, int maxSize) {
        Random r = new Random(seed * 1_000_003L + index);
        byte[] b = new byte[r.nextInt(maxSize + 1)];
        r.nextBytes(b);
        return b;
    }
}
