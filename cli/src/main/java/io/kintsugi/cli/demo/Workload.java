package io.kintsugi.cli.demo;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.WriteBatch;
import io.kintsugi.engine.replication.WriteConcernException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's data: an initial load and a live write load through the primary, each write acknowledged with
 * {@link DemoReplicas#MAJORITY}, and an oracle of every acknowledged write (namespace and key to value).
 *
 * <p>Each writer owns the keys {@code k % WRITERS == its index}, so the oracle's last value of a key is always the
 * store's last write of it. A write whose acknowledgement fails may or may not have happened: its key then accepts
 * either value. Writers never touch the {@linkplain #protect protected} keys, which the demo corrupts on purpose:
 * a fresh write there would overwrite the fault before the scan could find it.
 */
final class Workload {

    /** The namespace the faults go into. */
    static final String ORDERS = "orders";
    /** A second namespace, written to but left intact. */
    static final String CUSTOMERS = "customers";
    /** Writer threads. */
    static final int WRITERS = 2;

    private static final int LOAD_BATCH = 500;

    private final Store primary;
    private final long seed;
    private final int orders;
    private final int customers;
    /** "namespace/key" to the value of the last acknowledged write. */
    private final Map<String, byte[]> oracle = new ConcurrentSkipListMap<>();
    /** "namespace/key" to the values of writes whose acknowledgement failed: any of them may be the last. */
    private final Map<String, List<byte[]>> maybe = new ConcurrentHashMap<>();
    private final Set<String> protectedKeys = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong unacknowledged = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> writers = new ArrayList<>();

    /**
     * @param primary the primary store
     * @param seed    drives every key choice and value
     * @param orders  keys loaded into {@link #ORDERS}, at least {@link #WRITERS}; a quarter as many (at least
     *                {@link #WRITERS}) go into {@link #CUSTOMERS}
     */
    Workload(Store primary, long seed, int orders) {
        this.primary = primary;
        this.seed = seed;
        this.orders = orders;
        this.customers = Math.max(WRITERS, orders / 4);
    }

    /** @return the key of order {@code i} */
    static byte[] orderKey(int i) {
        return key(ORDERS, i);
    }

    private static byte[] key(String ns, int i) {
        return String.format("%s-%08d", ns.substring(0, ns.length() - 1), i).getBytes(StandardCharsets.US_ASCII);
    }

    /** @return keys loaded into {@link #ORDERS} */
    int orders() {
        return orders;
    }

    /** Writers will never write {@code key} of {@code namespace}. Call before {@link #startWriters()}. */
    void protect(String namespace, byte[] key) {
        protectedKeys.add(oracleKey(namespace, key));
    }

    /**
     * Loads every order and customer in batches acknowledged by a majority.
     *
     * @return key and value bytes loaded
     */
    long load() {
        Random r = new Random(seed);
        long bytes = 0;
        bytes += load(ORDERS, orders, r);
        bytes += load(CUSTOMERS, customers, r);
        return bytes;
    }

    private long load(String name, int count, Random r) {
        Namespace ns = primary.namespace(name);
        long bytes = 0;
        for (int from = 0; from < count; from += LOAD_BATCH) {
            WriteBatch b = primary.newBatch();
            Map<String, byte[]> pending = new HashMap<>();
            for (int i = from; i < Math.min(count, from + LOAD_BATCH); i++) {
                byte[] k = key(name, i);
                byte[] v = value(r);
                b.put(ns, k, v);
                pending.put(oracleKey(name, k), v);
                bytes += k.length + v.length;
            }
            primary.write(b, DemoReplicas.MAJORITY);
            oracle.putAll(pending);
            acknowledged.addAndGet(pending.size());
        }
        return bytes;
    }

    /** Starts the writer threads; they write until {@link #stopWriters()}. */
    void startWriters() {
        for (int t = 0; t < WRITERS; t++) {
            int index = t;
            Thread w = new Thread(() -> write(index), "kintsugi-demo-writer-" + t);
            w.setDaemon(true);
            writers.add(w);
            w.start();
        }
    }

    private void write(int index) {
        Random r = new Random(seed * 31 + 1 + index);
        long fresh = 0;
        try {
            while (!stop.get()) {
                boolean isOrder = r.nextInt(5) != 0;
                String name = isOrder ? ORDERS : CUSTOMERS;
                int size = isOrder ? orders : customers;
                byte[] k;
                if (r.nextInt(10) == 0) {
                    // A new key, past the loaded ones; unique to this writer.
                    k = key(name, size + (int) (fresh++ * WRITERS + index));
                } else {
                    // A loaded key of this writer's share: i % WRITERS == index.
                    k = key(name, r.nextInt((size - index + WRITERS - 1) / WRITERS) * WRITERS + index);
                }
                String ok = oracleKey(name, k);
                if (protectedKeys.contains(ok)) {
                    continue;
                }
                byte[] v = value(r);
                WriteBatch b = primary.newBatch();
                b.put(primary.namespace(name), k, v);
                try {
                    primary.write(b, DemoReplicas.MAJORITY);
                    oracle.put(ok, v);
                    maybe.remove(ok);
                    acknowledged.incrementAndGet();
                } catch (WriteConcernException e) {
                    // Durable on the primary, not known to be on a majority: either value may be the last.
                    maybe.computeIfAbsent(ok, x -> new ArrayList<>()).add(v);
                    unacknowledged.incrementAndGet();
                }
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Stops the writers and waits for them. */
    void stopWriters() throws InterruptedException {
        stop.set(true);
        for (Thread w : writers) {
            w.join(30_000);
        }
    }

    /** @return writes acknowledged by a majority so far, the load included */
    long acknowledged() {
        return acknowledged.get();
    }

    /** @return writes whose acknowledgement failed (the write concern timed out) */
    long unacknowledged() {
        return unacknowledged.get();
    }

    /** @return what stopped a writer, or null */
    Throwable failure() {
        return failure.get();
    }

    /** @return the oracle: "namespace/key" to the last acknowledged value */
    Map<String, byte[]> oracle() {
        return oracle;
    }

    /** @return values a key may also hold because a write of it was not acknowledged */
    List<byte[]> alsoAccepted(String oracleKey) {
        return maybe.getOrDefault(oracleKey, List.of());
    }

    /** @return the oracle's key for a namespace and key */
    static String oracleKey(String namespace, byte[] key) {
        return namespace + "/" + new String(key, StandardCharsets.US_ASCII);
    }

    private static byte[] value(Random r) {
        byte[] v = new byte[40 + r.nextInt(120)];
        r.nextBytes(v);
        return v;
    }
}
