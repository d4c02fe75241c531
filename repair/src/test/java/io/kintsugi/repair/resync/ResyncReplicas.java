package io.kintsugi.repair.resync;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.oplog.Durability;
import io.kintsugi.repair.RepairAgent;
import io.kintsugi.repair.RepairAgentOptions;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Test fixture: {@code n} stores replicating over TCP on 127.0.0.1, replica 0 the primary, each with a
 * {@link Validator} and a {@link RepairAgent}; an oracle of every acknowledged write, per namespace and key.
 */
final class ResyncReplicas implements AutoCloseable {

    static final byte[] SECRET = "kintsugi-resync-test-secret".getBytes(StandardCharsets.US_ASCII);

    final Store[] stores;
    final Validator[] validators;
    final RepairAgent[] agents;
    private final Path root;
    /** Stands for a delete in the oracle (which cannot hold null); compared by identity. */
    static final byte[] DELETED = new byte[0];
    /** Every acknowledged write: "namespace/key" to value, or {@link #DELETED}. */
    final Map<String, byte[]> oracle = new ConcurrentSkipListMap<>();

    ResyncReplicas(Path root, int n) {
        stores = new Store[n];
        validators = new Validator[n];
        agents = new RepairAgent[n];
        this.root = root;
        for (int i = 0; i < n; i++) {
            open(i);
        }
        stores[0].promote(1);
        for (int i = 1; i < n; i++) {
            stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
        }
    }

    private void open(int i) {
        validators[i] = Validator.create(ValidatorOptions.builder().build());
        ReplicationOptions ro = ReplicationOptions.builder(TcpTransport.bind("127.0.0.1", 0))
                .heartbeatInterval(Duration.ofMillis(20)).peerTimeout(Duration.ofMillis(1500))
                .connectTimeout(Duration.ofSeconds(1))
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100)).build();
        stores[i] = Store.open(root.resolve("r" + i), validators[i].attachTo(StoreOptions.builder())
                .durability(Durability.NONE).memtableBudget(256 << 10).replication(ro).build());
        agents[i] = RepairAgent.start(stores[i], validators[i], RepairAgentOptions.builder().secret(SECRET).build());
    }

    /** Closes follower {@code i}, runs {@code edit} on its closed directory, reopens it and follows again. */
    void reopenFollower(int i, Consumer<Path> edit) {
        agents[i].close();
        stores[i].close();
        edit.accept(root.resolve("r" + i));
        open(i);
        stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
    }

    /** Writes through the primary and records the acknowledged write in the oracle. */
    void put(String ns, String key, byte[] value) {
        stores[0].namespace(ns).put(key.getBytes(StandardCharsets.US_ASCII), value);
        oracle.put(ns + "/" + key, value);
    }

    /** Deletes through the primary and records the acknowledged delete in the oracle. */
    void delete(String ns, String key) {
        stores[0].namespace(ns).delete(key.getBytes(StandardCharsets.US_ASCII));
        oracle.put(ns + "/" + key, DELETED);
    }

    /** Waits until every replica applied the primary's last sequence and checked every marker. */
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

    /** Every acknowledged write reads back from replica {@code i}; returns how many were checked. */
    int checkOracle(int i) {
        int checked = 0;
        for (Map.Entry<String, byte[]> e : oracle.entrySet()) {
            int slash = e.getKey().indexOf('/');
            Namespace ns = stores[i].namespace(e.getKey().substring(0, slash));
            byte[] got = ns.get(e.getKey().substring(slash + 1).getBytes(StandardCharsets.US_ASCII));
            byte[] want = e.getValue() == DELETED ? null : e.getValue();
            if (!Arrays.equals(want, got)) {
                // Never print the bytes: say which replica and which namespace.
                assertArrayEquals(want, got, "replica " + i + " reads a wrong value for an acknowledged write"
                        + " in namespace " + e.getKey().substring(0, slash));
            }
            checked++;
        }
        return checked;
    }

    static void until(BooleanSupplier condition) throws InterruptedException {
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
