package io.kintsugi.validation.scan;

import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Digests: what matches, what a damaged digest carries, and the bound on recent ones. */
class RangeDigestTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void digestsMatchOnlyWhenReadAndEqualInEveryField() {
        RangeDigest a = RangeDigest.ok("orders", b("k1"), b("k9"), 42, 3, 30, new Hash128(1, 2));
        assertTrue(a.matches(RangeDigest.ok("orders", b("k1"), b("k9"), 42, 3, 30, new Hash128(1, 2))));
        assertFalse(a.matches(RangeDigest.ok("orders", b("k1"), b("k9"), 42, 3, 30, new Hash128(1, 3))));
        assertFalse(a.matches(RangeDigest.ok("orders", b("k1"), b("k9"), 43, 3, 30, new Hash128(1, 2))));
        assertFalse(a.matches(RangeDigest.ok("orders", b("k1"), null, 42, 3, 30, new Hash128(1, 2))));
        RangeDigest d = RangeDigest.damaged("orders", b("k1"), b("k9"), 42, "checksum mismatch in 000007.seg");
        assertFalse(d.matches(d), "two damaged digests say nothing about the range");
        assertEquals(RangeDigest.Status.DAMAGED, d.status());
        assertEquals(-1, d.count());
        assertFalse(a.toString().contains("k1") || d.toString().contains("k9"), a + " " + d);
        assertThrows(IllegalArgumentException.class,
                () -> new RangeDigest("orders", b("k1"), null, 1, 1, 1, null, RangeDigest.Status.OK, null));
        assertThrows(IllegalArgumentException.class,
                () -> new RangeDigest("orders", b("k1"), null, 1, -1, -1, null, RangeDigest.Status.DAMAGED, null));
    }

    @Test
    void recentDigestsForgetTheOldestBeyondTheirCapacity() {
        RecentDigests recent = new RecentDigests(3);
        for (long s = 1; s <= 5; s++) {
            recent.put(RangeDigest.ok("t", new byte[0], null, s, s, s, new Hash128(s, s)));
        }
        assertEquals(3, recent.size());
        assertTrue(recent.at(1).isEmpty());
        assertTrue(recent.at(2).isEmpty());
        assertEquals(5, recent.at(5).orElseThrow().count());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RecentDigests(0));
        assertTrue(e.getMessage().contains("1 to 1000000"), e.getMessage());
    }
}
