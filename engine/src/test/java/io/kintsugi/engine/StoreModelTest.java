package io.kintsugi.engine;

import io.kintsugi.oplog.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded model-based test: thousands of random puts, deletes, batches, point reads, scans and snapshot reads,
 * with flushes, compactions and reopens in between, checked against an in-memory {@link TreeMap} oracle per
 * namespace. Small memtables and blocks make flushes, compactions and multi-block files happen often.
 */
class StoreModelTest {

    private static final String[] NAMESPACES = {"orders", "users", "x.y-z_0"};

    @TempDir
    Path dir;

    /** The oracle: per namespace, keys in unsigned byte order. */
    private final Map<String, TreeMap<byte[], byte[]>> model = new HashMap<>();

    private static TreeMap<byte[], byte[]> newMap() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    private final java.util.concurrent.atomic.AtomicInteger flushes = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger compactions = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger reopens = new java.util.concurrent.atomic.AtomicInteger();

    private StoreOptions options() {
        return StoreOptions.builder()
                .listener(new StoreListener() {
                    @Override
                    public void onFlush(long fileNumber, long flushedSequence) {
                        flushes.incrementAndGet();
                    }

                    @Override
                    public void onCompaction(List<Long> inputFiles, long outputFile) {
                        compactions.incrementAndGet();
                    }
                })
                .durability(Durability.NONE)
                .memtableBudget(64 << 10)
                .blockSize(1024)
                .compactionTrigger(3)
                .compactionMaxFiles(4)
                .blockCacheSize(256 << 10)
                .build();
    }

    @Test
    void randomOperationsMatchTheOracleAcrossFlushesCompactionsAndReopens() {
        long seed = Long.getLong("kintsugi.model.seed", 20261122L);
        Random rnd = new Random(seed);
        for (String ns : NAMESPACES) {
            model.put(ns, newMap());
        }
        Store store = Store.open(dir, options());
        try {
            for (int step = 0; step < 6000; step++) {
                String nsName = NAMESPACES[rnd.nextInt(NAMESPACES.length)];
                Namespace ns = store.namespace(nsName);
                TreeMap<byte[], byte[]> m = model.get(nsName);
                int op = rnd.nextInt(100);
                String where = "seed " + seed + " step " + step;
                if (op < 45) {
                    byte[] k = key(rnd);
                    byte[] v = value(rnd);
                    ns.put(k, v);
                    m.put(k, v);
                } else if (op < 55) {
                    byte[] k = key(rnd);
                    ns.delete(k);
                    m.remove(k);
                } else if (op < 62) {
                    WriteBatch b = store.newBatch();
                    List<Runnable> apply = new ArrayList<>();
                    for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
                        String bn = NAMESPACES[rnd.nextInt(NAMESPACES.length)];
                        byte[] k = key(rnd);
                        if (rnd.nextBoolean()) {
                            byte[] v = value(rnd);
                            b.put(store.namespace(bn), k, v);
                            apply.add(() -> model.get(bn).put(k, v));
                        } else {
                            b.delete(store.namespace(bn), k);
                            apply.add(() -> model.get(bn).remove(k));
                        }
                    }
                    store.write(b);
                    apply.forEach(Runnable::run);
                } else if (op < 80) {
                    byte[] k = key(rnd);
                    byte[] expected = m.get(k);
                    byte[] actual = ns.get(k);
                    if (expected == null) {
                        assertNull(actual, where + ": get of an absent key");
                    } else {
                        assertArrayEquals(expected, actual, where + ": get");
                    }
                } else if (op < 90) {
                    byte[] from = rnd.nextInt(4) == 0 ? null : key(rnd);
                    byte[] to = rnd.nextInt(4) == 0 ? null : key(rnd);
                    assertScan(ns, m, from, to, where);
                } else if (op < 94) {
                    try (Snapshot s = store.snapshot()) {
                        TreeMap<byte[], byte[]> frozen = new TreeMap<>(m);
                        // writes after the snapshot must not show through it
                        byte[] k = key(rnd);
                        byte[] v = value(rnd);
                        ns.put(k, v);
                        m.put(k, v);
                        if (rnd.nextBoolean()) {
                            store.flush();
                        }
                        assertSnapshot(s, ns, frozen, where);
                    }
                } else if (op < 96) {
                    store.flush();
                } else if (op < 98) {
                    store.compact();
                } else {
                    store.close();
                    store = Store.open(dir, options());
                    reopens.incrementAndGet();
                }
            }
            for (String nsName : NAMESPACES) {
                assertScan(store.namespace(nsName), model.get(nsName), null, null, "seed " + seed + " final");
            }
            String counts = "flushes " + flushes + ", compactions " + compactions + ", reopens " + reopens;
            assertTrue(flushes.get() > 50 && compactions.get() > 20 && reopens.get() > 50,
                    "the run must exercise flushes, compactions and reopens: " + counts);
        } finally {
            store.close();
        }
    }

    private static byte[] key(Random rnd) {
        byte[] k = new byte[1 + rnd.nextInt(3)];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (rnd.nextInt(24) * 11); // includes bytes above 0x7F: unsigned order matters
        }
        return k;
    }

    private static byte[] value(Random rnd) {
        byte[] v = new byte[rnd.nextInt(5) == 0 ? rnd.nextInt(3000) : rnd.nextInt(40)];
        rnd.nextBytes(v);
        return v;
    }

    private static void assertScan(Namespace ns, TreeMap<byte[], byte[]> m, byte[] from, byte[] to, String where) {
        Map<byte[], byte[]> expected = range(m, from, to);
        try (Cursor c = ns.scan(from, to)) {
            for (Map.Entry<byte[], byte[]> e : expected.entrySet()) {
                assertTrue(c.next(), where + ": scan ended early");
                assertArrayEquals(e.getKey(), c.key(), where + ": scan key");
                assertArrayEquals(e.getValue(), c.value(), where + ": scan value");
            }
            assertFalse(c.next(), where + ": scan returned extra keys");
        }
    }

    private static void assertSnapshot(Snapshot s, Namespace ns, TreeMap<byte[], byte[]> frozen, String where) {
        try (Cursor c = s.scan(ns, null, null)) {
            for (Map.Entry<byte[], byte[]> e : frozen.entrySet()) {
                assertTrue(c.next(), where + ": snapshot scan ended early");
                assertArrayEquals(e.getKey(), c.key(), where + ": snapshot scan key");
                assertArrayEquals(e.getValue(), c.value(), where + ": snapshot scan value");
                assertArrayEquals(e.getValue(), s.get(ns, e.getKey()), where + ": snapshot get");
            }
            assertFalse(c.next(), where + ": snapshot scan returned extra keys");
        }
    }

    private static Map<byte[], byte[]> range(TreeMap<byte[], byte[]> m, byte[] from, byte[] to) {
        if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
            return new TreeMap<>(Arrays::compareUnsigned);
        }
        if (from == null && to == null) {
            return m;
        }
        if (from == null) {
            return m.headMap(to, false);
        }
        if (to == null) {
            return m.tailMap(from, true);
        }
        return m.subMap(from, true, to, false);
    }

    @Test
    void theNumbersOfAPutAreItsSequenceAndLastSequenceFollowsWrites() {
        try (Store store = Store.open(dir, options())) {
            Namespace ns = store.namespace("a");
            long s1 = ns.put(new byte[] {1}, new byte[] {1});
            long s2 = ns.put(new byte[] {2}, new byte[] {2});
            assertTrue(s2 > s1);
            assertEquals(s2, store.lastSequence());
            assertEquals(s2 + 1, ns.delete(new byte[] {1}));
        }
    }
}
