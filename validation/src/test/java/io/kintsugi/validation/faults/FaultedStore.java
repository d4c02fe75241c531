package io.kintsugi.validation.faults;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionReport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A store for the fault-injection tests and the oracle of what it holds: one namespace of fixed-size keys and
 * incompressible fixed-size values, uncompressed 1 KiB blocks (so that many data blocks have the same length), all
 * flushed into one segment file of about 120 data blocks. Every key contains {@link #KEY_MARK}, so a test can tell
 * when a message carries key bytes.
 */
final class FaultedStore {

    static final String NS = "orders";
    static final String KEY_MARK = "kq~";
    static final int KEYS = 2000;

    final Path dir;
    /** Key (as ISO-8859-1 text) to value: what every successful read must return. */
    final TreeMap<String, byte[]> oracle = new TreeMap<>();

    private FaultedStore(Path dir) {
        this.dir = dir;
    }

    static StoreOptions options() {
        return StoreOptions.builder().compression(false).blockSize(1024).memtableBudget(16L << 20)
                .blockCacheSize(0).build();
    }

    /** Builds the store from {@code seed}, flushes it and closes it cleanly. */
    static FaultedStore build(Path dir, long seed) {
        FaultedStore s = new FaultedStore(dir);
        Random r = new Random(seed);
        try (Store store = Store.open(dir, options())) {
            Namespace ns = store.namespace(NS);
            for (int i = 0; i < KEYS; i++) {
                byte[] value = new byte[48];
                r.nextBytes(value);
                s.put(ns, key(i), value);
            }
            store.flush();
        }
        return s;
    }

    static byte[] key(int i) {
        return String.format("%s%08d", KEY_MARK, i).getBytes(StandardCharsets.ISO_8859_1);
    }

    void put(Namespace ns, byte[] key, byte[] value) {
        ns.put(key, value);
        oracle.put(new String(key, StandardCharsets.ISO_8859_1), value);
    }

    /** What {@link #checkReads} saw. */
    record Reads(int ok, List<CorruptionReport> failures) {
    }

    /**
     * Reads every key of the oracle with {@code get}, and the whole namespace with a scan, on an open store. Every
     * successful read must equal the oracle; every failure must be a {@link CorruptionException} that
     * {@code expected} accepts, and it must not carry key bytes in its message.
     */
    Reads checkReads(Store store, Predicate<CorruptionReport> expected) {
        Namespace ns = store.namespace(NS);
        int ok = 0;
        List<CorruptionReport> failures = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : oracle.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            try {
                assertArrayEquals(e.getValue(), ns.get(key), "a read returned a wrong value");
                ok++;
            } catch (CorruptionException ce) {
                assertAccepted(expected, ce);
                failures.add(ce.report());
            }
        }
        String after = null;
        try (Cursor c = ns.scan(null, null)) {
            while (c.next()) {
                String k = new String(c.key(), StandardCharsets.ISO_8859_1);
                assertTrue(after == null || k.compareTo(after) > 0, "a scan went backwards");
                byte[] want = oracle.get(k);
                if (want == null) {
                    fail("a scan returned a key that was never written");
                }
                assertArrayEquals(want, c.value(), "a scan returned a wrong value");
                after = k;
            }
        } catch (CorruptionException ce) {
            assertAccepted(expected, ce);
        }
        return new Reads(ok, failures);
    }

    /** Checks reads on a fresh open of the store; the store must open. */
    Reads reopenAndCheck(Predicate<CorruptionReport> expected) {
        try (Store store = Store.open(dir, options())) {
            return checkReads(store, expected);
        }
    }

    private static void assertAccepted(Predicate<CorruptionReport> expected, CorruptionException ce) {
        assertTrue(expected.test(ce.report()), "unexpected corruption report: " + ce.report().describe());
        assertFalse(ce.getMessage().contains(KEY_MARK), "an exception message carries key bytes");
    }

    static void assertNoKeyBytes(InjectedFault f) {
        assertFalse(f.detail().contains(KEY_MARK), "a fault description carries key bytes");
        assertFalse(f.toString().contains(KEY_MARK), "a fault description carries key bytes");
    }

    static void assertAbsent(Store store, byte[] key) {
        assertNull(store.namespace(NS).get(key));
    }

    static void assertSame(Path expected, Path actual) {
        assertEquals(expected.toAbsolutePath().normalize(), actual.toAbsolutePath().normalize());
    }
}
