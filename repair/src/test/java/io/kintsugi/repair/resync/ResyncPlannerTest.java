package io.kintsugi.repair.resync;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Snapshot;
import io.kintsugi.engine.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ranges cover each namespace whole, adjacent and in order, within the pair and byte bounds. */
class ResyncPlannerTest {

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return String.format("k%05d", i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void rangesAreAdjacentCoverTheNamespaceAndRespectTheBounds() {
        Random r = new Random(0x9A11);
        try (Store store = Store.open(dir.resolve("s"))) {
            Namespace a = store.namespace("a");
            long totalBytes = 0;
            for (int i = 0; i < 1000; i++) {
                byte[] v = new byte[r.nextInt(300)];
                r.nextBytes(v);
                a.put(key(i), v);
                totalBytes += key(i).length + v.length;
            }
            store.namespace("b").put(key(0), new byte[10]);
            store.namespace("b").delete(key(0));
            store.namespace("c").put(key(1), new byte[5000]);

            List<ResyncRange> plan = new ResyncPlanner(64, 4096).plan(store);
            List<ResyncRange> ofA = plan.stream().filter(x -> x.namespace().equals("a")).toList();
            assertNull(ofA.get(0).from());
            assertNull(ofA.get(ofA.size() - 1).to());
            long pairs = 0;
            long bytes = 0;
            for (int i = 0; i < ofA.size(); i++) {
                ResyncRange x = ofA.get(i);
                assertTrue(x.pairs() >= 1 && x.pairs() <= 64, x.toString());
                assertTrue(x.bytes() <= 4096, x.toString());
                if (i > 0) {
                    assertArrayEquals(ofA.get(i - 1).to(), x.from(), "ranges are adjacent");
                }
                pairs += x.pairs();
                bytes += x.bytes();
            }
            assertEquals(1000, pairs);
            assertEquals(totalBytes, bytes);

            // A namespace whose keys were all deleted is one empty range; a pair over the byte bound has its own.
            assertEquals(List.of(new ResyncRange("b", null, null, 0, 0)),
                    plan.stream().filter(x -> x.namespace().equals("b")).toList());
            assertEquals(List.of(new ResyncRange("c", null, null, 1, key(1).length + 5000L)),
                    plan.stream().filter(x -> x.namespace().equals("c")).toList());
            assertEquals(List.of("a", "b", "c"), plan.stream().map(ResyncRange::namespace).distinct().toList());
        }
    }

    @Test
    void aCutFallsBeforeThePairThatWouldPassABound() {
        try (Store store = Store.open(dir.resolve("s"))) {
            Namespace ns = store.namespace("n");
            for (int i = 0; i < 10; i++) {
                ns.put(key(i), new byte[4]);
            }
            try (Snapshot s = store.snapshot()) {
                List<ResyncRange> byPairs = new ResyncPlanner(3, Long.MAX_VALUE).plan(s, ns);
                assertEquals(List.of(3L, 3L, 3L, 1L), byPairs.stream().map(ResyncRange::pairs).toList());
                assertArrayEquals(key(3), byPairs.get(0).to());
                // Each pair is 6 + 4 = 10 bytes: a bound of 25 bytes holds two.
                List<ResyncRange> byBytes = new ResyncPlanner(100, 25).plan(s, ns);
                assertEquals(5, byBytes.size());
                assertTrue(byBytes.stream().allMatch(x -> x.pairs() == 2 && x.bytes() == 20));
            }
        }
    }

    @Test
    void badBoundsAndEmptyRangesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ResyncPlanner(0, 10));
        assertTrue(e.getMessage().contains("at least 1 pair"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ResyncPlanner(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new ResyncRange("n", key(2), key(1), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ResyncRange("n", key(1), key(1), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ResyncRange("n", null, null, -1, 0));
        IllegalArgumentException o = assertThrows(IllegalArgumentException.class,
                () -> ResyncOptions.builder().maxRangePairs(0));
        assertTrue(o.getMessage().contains("maxRangePairs was 0"), o.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResyncOptions.builder().rangeAttempts(0));
        assertThrows(IllegalArgumentException.class,
                () -> ResyncOptions.builder().digestWait(java.time.Duration.ZERO));
        // A range's toString carries lengths, never key bytes.
        String s = new ResyncRange("n", key(1), null, 0, 0).toString();
        assertTrue(s.contains("6-byte key") && !s.contains("k00001"), s);
        assertTrue(Arrays.equals(key(1), new ResyncRange("n", key(1), null, 0, 0).from()));
    }
}
