package io.kintsugi.repair;

import io.kintsugi.oplog.Durability;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Test fixture: {@code n} stores replicating over TCP on 127.0.0.1, replica 0 the primary, each with a
 * {@link Validator} and a {@link RepairAgent}; an oracle of every acknowledged write.
 */
final class RepairReplicas implements AutoCloseable {

    static final byte[] SECRET = "kintsugi-repair-test-secret".getBytes(StandardCharsets.US_ASCII);

    final Store[] stores;
    final Validator[] validators;
    final RepairAgent[] agents;
    /** Every acknowledged write to namespace {@code ns}: key to value (null for a delete). */
    final Map<String, byte[]> oracle = new ConcurrentSkipListMap<>();
    private final Path root;
    private final long memoryLimit;
    private final UnaryOperator<StoreOptions.Builder> options;

    RepairReplicas(Path root, int n, long memoryLimit) {
        this(root, n, memoryLimit, UnaryOperator.identity());
    }

    /** @param options changes to every replica's store options, on top of the fixture's own */
    RepairReplicas(Path root, int n, long memoryLimit, UnaryOperator<StoreOptions.Builder> options) {
        this.root = root;
        this.memoryLimit = memoryLimit;
        this.options = options;
        stores = new Store[n];
        validators = new Validator[n];
        agents = new RepairAgent[n];
        for (int i = 0; i < n; i++) {
            open(i);
        }
        stores[0].promote(1);
        for (int i = 1; i < n; i++) {
            stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
        }
    }

    Path directory(int i) {
        return root.resolve("r" + i);
    }

    private void open(int i) {
        validators[i] = Validator.create(ValidatorOptions.builder().build());
        ReplicationOptions ro = ReplicationOptions.builder(TcpTransport.bind("127.0.0.1", 0))
                .heartbeatInterval(Duration.ofMillis(20)).peerTimeout(Duration.ofMillis(1500))
                .connectTimeout(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100))
                .build();
        stores[i] = Store.open(directory(i), options.apply(validators[i].attachTo(StoreOptions.builder())
                .durability(Durability.NONE).memtableBudget(256 << 10).replication(ro)).build());
        agents[i] = RepairAgent.start(stores[i], validators[i], RepairAgentOptions.builder().secret(SECRET)
                .memoryLimit(memoryLimit).build());
    }

    /** Closes follower {@code i}, runs {@code edit} on its closed directory, reopens it and follows again. */
    void reopenFollower(int i, Consumer<Path> edit) {
        agents[i].close();
        stores[i].close();
        edit.accept(directory(i));
        open(i);
        stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
    }

    /**
     * Closes the primary, runs {@code edit} on its closed directory, reopens it as the primary of {@code term} and
     * has the followers follow it there.
     */
    void reopenPrimary(long term, Consumer<Path> edit) {
        agents[0].close();
        stores[0].close();
        edit.accept(directory(0));
        open(0);
        stores[0].promote(term);
        for (int i = 1; i < stores.length; i++) {
            stores[i].follow(stores[0].replicationStatus().endpoint(), term);
        }
    }

    RepairCoordinator.Builder coordinator() {
        RepairCoordinator.Builder b = RepairCoordinator.builder(stores[0], validators[0]).secret(SECRET)
                .digestWait(Duration.ofSeconds(60));
        for (RepairAgent a : agents) {
            b.replica(a);
        }
        return b;
    }

    /** Writes through the primary and records the acknowledged write in the oracle. */
    void put(String ns, String key, byte[] value) {
        stores[0].namespace(ns).put(key.getBytes(StandardCharsets.US_ASCII), value);
        oracle.put(ns + "/" + key, value);
    }

    /** Waits until every replica applied the primary's last sequence. */
    void awaitReplicated() throws InterruptedException {
        long last = stores[0].lastSequence();
        for (int i = 1; i < stores.length; i++) {
            int f = i;
            until(() -> stores[f].lastSequence() >= last);
        }
        for (Validator v : validators) {
            v.awaitChecked(60_000);
        }
    }

    /** Every acknowledged write reads back, from every replica. */
    void checkOracle() throws InterruptedException {
        awaitReplicated();
        for (int i = 0; i < stores.length; i++) {
            for (Map.Entry<String, byte[]> e : oracle.entrySet()) {
                int slash = e.getKey().indexOf('/');
                Namespace ns = stores[i].namespace(e.getKey().substring(0, slash));
                byte[] got = ns.get(e.getKey().substring(slash + 1).getBytes(StandardCharsets.US_ASCII));
                if (!Arrays.equals(e.getValue(), got)) {
                    // Never print the bytes: say which replica and which entry of the oracle.
                    assertArrayEquals(e.getValue(), got, "replica " + i + " reads a wrong value for an "
                            + "acknowledged write (oracle entry of length " + e.getKey().length() + ")");
                }
            }
        }
    }

    static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        for (int i = stores.length - 1; i >= 0; i--) {
            if (agents[i] != null) {
                agents[i].close();
            }
            if (stores[i] != null) {
                stores[i].close();
            }
        }
    }
}
