package io.kintsugi.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The oracle of the range-install tests: per namespace, the keys and values a store should hold, in unsigned byte
 * order, with checks of a store (or snapshot) against it by point reads and scans. Messages name namespaces and key
 * indexes, never key or value bytes.
 */
final class RangeModel {

    private final Map<String, TreeMap<byte[], byte[]>> namespaces = new HashMap<>();

    RangeModel(String... names) {
        for (String n : names) {
            namespaces.put(n, newMap());
        }
    }

    static TreeMap<byte[], byte[]> newMap() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    /** @return key number {@code i}: fixed width, so that numeric and byte order agree */
    static byte[] key(int i) {
        return String.format("key-%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    TreeMap<byte[], byte[]> of(String ns) {
        return namespaces.get(ns);
    }

    void put(String ns, byte[] key, byte[] value) {
        namespaces.get(ns).put(key, value);
    }

    void remove(String ns, byte[] key) {
        namespaces.get(ns).remove(key);
    }

    RangeModel copy() {
        RangeModel m = new RangeModel();
        namespaces.forEach((n, map) -> {
            TreeMap<byte[], byte[]> c = newMap();
            c.putAll(map);
            m.namespaces.put(n, c);
        });
        return m;
    }

    /** @return the model's pairs of {@code [from, to)} of {@code ns} (null bounds open), as a range image */
    List<RangeEntry> image(String ns, byte[] from, byte[] to) {
        List<RangeEntry> out = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : range(namespaces.get(ns), from, to).entrySet()) {
            out.add(new RangeEntry(e.getKey().clone(), e.getValue().clone()));
        }
        return out;
    }

    static Map<byte[], byte[]> range(TreeMap<byte[], byte[]> map, byte[] from, byte[] to) {
        if (from == null && to == null) {
            return map;
        }
        if (from == null) {
            return map.headMap(to, false);
        }
        if (to == null) {
            return map.tailMap(from, true);
        }
        return map.subMap(from, true, to, false);
    }

    /** Replaces {@code [from, to)} of {@code ns} with {@code image}. */
    void install(String ns, byte[] from, byte[] to, List<RangeEntry> image) {
        range(namespaces.get(ns), from, to).clear();
        for (RangeEntry e : image) {
            namespaces.get(ns).put(e.key(), e.value());
        }
    }

    /**
     * Checks every key in {@code keys} of every namespace by point read, and every namespace by a full scan and by
     * a scan of {@code [from, to)}.
     */
    void check(Store store, int keys, byte[] from, byte[] to, String context) {
        for (Map.Entry<String, TreeMap<byte[], byte[]>> n : namespaces.entrySet()) {
            Namespace ns = store.namespace(n.getKey());
            for (int i = 0; i < keys; i++) {
                byte[] expected = n.getValue().get(key(i));
                byte[] actual = ns.get(key(i));
                if (expected == null ? actual != null : !Arrays.equals(expected, actual)) {
                    fail(context + ": namespace " + n.getKey() + " key #" + i + " reads "
                            + (actual == null ? "nothing" : "a " + actual.length + "-byte value") + ", expected "
                            + (expected == null ? "nothing" : "a " + expected.length + "-byte value")
                            + (expected != null && actual != null ? " (different bytes)" : ""));
                }
            }
            checkScan(ns.scan(null, null), n.getValue(), context + ": full scan of " + n.getKey());
            checkScan(ns.scan(from, to), range(n.getValue(), from, to),
                    context + ": scan of the range in " + n.getKey());
        }
    }

    static void checkScan(Cursor c, Map<byte[], byte[]> expected, String context) {
        try (c) {
            Iterator<Map.Entry<byte[], byte[]>> it = expected.entrySet().iterator();
            int n = 0;
            while (c.next()) {
                assertTrue(it.hasNext(), context + ": the scan returns more than the " + expected.size()
                        + " expected entries");
                Map.Entry<byte[], byte[]> e = it.next();
                assertArrayEquals(e.getKey(), c.key(), context + ": entry #" + n + " has the wrong key");
                assertArrayEquals(e.getValue(), c.value(), context + ": entry #" + n + " has the wrong value");
                n++;
            }
            assertEquals(expected.size(), n, context + ": the scan's entry count");
        }
    }
}
