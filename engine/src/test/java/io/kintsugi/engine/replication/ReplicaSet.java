package io.kintsugi.engine.replication;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Test fixture: several stores, each in its own directory, each with its own transport, reopened at will.
 */
final class ReplicaSet implements AutoCloseable {

    static final byte[] SECRET = "a shared secret of at least 16 bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final Path root;
    private final Function<String, ReplicationTransport> transports;
    private final UnaryOperator<ReplicationOptions.Builder> tuning;
    private final UnaryOperator<StoreOptions.Builder> storeTuning;
    private final Store[] stores;
    private final String[] endpoints;

    /**
     * @param root       parent directory
     * @param size       number of stores
     * @param transports makes the transport of the store with the given name ("r0", "r1", ...)
     * @param tuning     adjusts every store's replication options
     */
    ReplicaSet(Path root, int size, Function<String, ReplicationTransport> transports,
               UnaryOperator<ReplicationOptions.Builder> tuning) {
        this(root, size, transports, tuning, UnaryOperator.identity());
    }

    /** Like the other constructor, with {@code storeTuning} adjusting every store's options too. */
    ReplicaSet(Path root, int size, Function<String, ReplicationTransport> transports,
               UnaryOperator<ReplicationOptions.Builder> tuning, UnaryOperator<StoreOptions.Builder> storeTuning) {
        this.root = root;
        this.transports = transports;
        this.tuning = tuning;
        this.storeTuning = storeTuning;
        this.stores = new Store[size];
        this.endpoints = new String[size];
        for (int i = 0; i < size; i++) {
            open(i);
        }
    }

    static ReplicationOptions.Builder fastTimeouts(ReplicationOptions.Builder b) {
        return b.heartbeatInterval(Duration.ofMillis(20)).peerTimeout(Duration.ofMillis(1500))
                .connectTimeout(Duration.ofSeconds(1))
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100));
    }

    Store open(int i) {
        if (stores[i] != null) {
            throw new IllegalStateException("store " + i + " is open");
        }
        ReplicationOptions options = tuning.apply(ReplicationOptions.builder(transports.apply("r" + i))).build();
        stores[i] = Store.open(root.resolve("r" + i),
                storeTuning.apply(StoreOptions.builder()).replication(options).build());
        endpoints[i] = stores[i].replicationStatus().endpoint();
        return stores[i];
    }

    void close(int i) {
        if (stores[i] != null) {
            stores[i].close();
            stores[i] = null;
        }
    }

    Store store(int i) {
        return stores[i];
    }

    String endpoint(int i) {
        return endpoints[i];
    }

    int size() {
        return stores.length;
    }

    /** Waits until store {@code i} has applied {@code sequence}; fails after a generous deadline. */
    void awaitApplied(int i, long sequence) throws InterruptedException {
        until(() -> stores[i].lastSequence() >= sequence, () -> "store " + i + " did not reach sequence " + sequence
                + " (it is at " + stores[i].lastSequence() + "): " + stores[i].replicationStatus());
    }

    /** Waits for a condition with a generous deadline, instead of asserting on timing. */
    static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        until(condition, () -> "condition not met");
    }

    private static void until(java.util.function.BooleanSupplier condition,
                              java.util.function.Supplier<String> failure) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get() + " within 60 s");
            }
            Thread.sleep(5);
        }
    }

    /** Waits until store {@code i}'s follower state is {@code state}; fails after a generous deadline. */
    ReplicationStatus awaitState(int i, FollowerState state) throws InterruptedException {
        until(() -> stores[i].replicationStatus().followerState() == state,
                () -> "store " + i + " did not reach state " + state + ": " + stores[i].replicationStatus());
        return stores[i].replicationStatus();
    }

    /** @return every (namespace, key, value) of store {@code i} in order, as printable rows */
    static List<String> fullScan(Store store, List<String> namespaces) {
        List<String> rows = new ArrayList<>();
        for (String name : namespaces) {
            Namespace ns = store.namespace(name);
            try (Cursor c = ns.scan(null, null)) {
                while (c.next()) {
                    rows.add(name + "/" + Arrays.toString(c.key()) + "=" + Arrays.toString(c.value()));
                }
            }
        }
        return rows;
    }

    static List<String> rows(String namespace, TreeMap<String, String> oracle) {
        List<String> rows = new ArrayList<>();
        oracle.forEach((k, v) -> rows.add(namespace + "/" + Arrays.toString(k.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "=" + Arrays.toString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return rows;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = 0; i < stores.length; i++) {
            try {
                close(i);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var s = Files.walk(p)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }
}
