package io.kintsugi.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyValueGeneratorTest {

    @Test
    void keysAre16BytesAndSortAsTheirNumbers() {
        byte[] k = KeyValueGenerator.key(0x0102030405060708L);
        assertEquals(16, k.length);
        assertArrayEquals(new byte[] {'k', 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, k);
        for (long n = 0; n < 1000; n++) {
            assertTrue(Arrays.compareUnsigned(KeyValueGenerator.key(n), KeyValueGenerator.key(n + 1)) < 0);
        }
        assertTrue(Arrays.compareUnsigned(KeyValueGenerator.key(255), KeyValueGenerator.key(256)) < 0);
    }

    @Test
    void writeKeysNeverRepeatAndDoNotAscend() {
        Set<String> seen = new HashSet<>();
        int ascending = 0;
        byte[] previous = null;
        for (long i = 0; i < 100_000; i++) {
            byte[] k = KeyValueGenerator.writeKey(i);
            assertTrue(seen.add(Arrays.toString(k)), "write key " + i + " repeats");
            if (previous != null && Arrays.compareUnsigned(previous, k) < 0) {
                ascending++;
            }
            previous = k;
        }
        assertTrue(ascending > 40_000 && ascending < 60_000, "scattered keys ascend about half the time: "
                + ascending);
    }

    @Test
    void valuesAre100BytesTheSameForTheSameNumberAndShareNoRun() {
        byte[] v = KeyValueGenerator.value(7);
        assertEquals(100, v.length);
        assertArrayEquals(v, KeyValueGenerator.value(7));
        byte[] next = KeyValueGenerator.value(8);
        assertFalse(Arrays.equals(v, next));
        for (int i = 0; i + 8 <= 100; i += 8) {
            assertFalse(Arrays.equals(v, i, i + 8, next, 0, 8), "value 8 starts with bytes of value 7 at " + i);
        }
    }
}
