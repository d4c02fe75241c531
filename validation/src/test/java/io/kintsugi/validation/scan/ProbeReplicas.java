package io.kintsugi.validation.scan;

import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.InProcessNetwork;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.ReplicationTransport;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;

import java.nio.file.Path;
import java.time.Duration;

/** Test fixture: three replicas over a real transport, each with a full {@link Validator}; replica 0 is primary. */
final class ProbeReplicas implements AutoCloseable {

    final Store[] stores = new Store[3];
    final Validator[] validators = new Validator[3];
    private final Path root;
    private final boolean tcp;
    private final InProcessNetwork network = new InProcessNetwork();
    private int opened;

    ProbeReplicas(Path root, boolean tcp, ValidatorOptions options) {
        this.root = root;
        this.tcp = tcp;
        for (int i = 0; i < 3; i++) {
            validators[i] = Validator.create(options);
            stores[i] = open(i);
        }
        stores[0].promote(1);
        for (int i = 1; i < 3; i++) {
            stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
        }
    }

    Path directory(int replica) {
        return root.resolve("r" + replica);
    }

    private Store open(int i) {
        ReplicationTransport t = tcp ? TcpTransport.bind("127.0.0.1", 0) : network.transport("r" + i + "." + opened++);
        ReplicationOptions ro = ReplicationOptions.builder(t)
                .heartbeatInterval(Duration.ofMillis(20)).peerTimeout(Duration.ofMillis(1500))
                .connectTimeout(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100))
                .build();
        return Store.open(directory(i), validators[i].attachTo(StoreOptions.builder())
                .durability(Durability.NONE).memtableBudget(512 << 10).replication(ro).build());
    }

    /** Closes follower {@code i}, runs {@code edit} on its closed directory, reopens it and follows again. */
    void reopenFollower(int i, java.util.function.Consumer<Path> edit) {
        stores[i].close();
        edit.accept(directory(i));
        stores[i] = open(i);
        stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
    }

    /** Waits until every replica applied {@code sequence} and checked every marker it applied. */
    void awaitChecked(long sequence) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            int f = i;
            ScanReplicas.until(() -> stores[f].lastSequence() >= sequence);
            if (!validators[i].awaitChecked(60_000)) {
                throw new AssertionError("replica " + i + "'s checker did not drain within 60 s");
            }
        }
    }

    @Override
    public void close() {
        for (Store s : stores) {
            if (s != null) {
                s.close();
            }
        }
    }
}
