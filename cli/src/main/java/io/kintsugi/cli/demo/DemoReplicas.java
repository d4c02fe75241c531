package io.kintsugi.cli.demo;

import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.engine.replication.WriteConcern;
import io.kintsugi.oplog.Durability;
import io.kintsugi.repair.RepairAgent;
import io.kintsugi.repair.RepairAgentOptions;
import io.kintsugi.repair.RepairCoordinator;
import io.kintsugi.repair.RepairPolicy;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The demo's replica set: three stores in this process replicating over TCP on 127.0.0.1, replica 0 promoted to
 * primary of term 1 and the others following it, each with a {@link Validator} (range-hash checker, health log)
 * and a {@link RepairAgent} (digests, range streams, pull orders, lineage).
 */
final class DemoReplicas implements AutoCloseable {

    /** How many replicas: the smallest set in which a majority can outvote one bad replica. */
    static final int SIZE = 3;
    /** The term the primary is promoted with. */
    static final long TERM = 1;
    /** "Acknowledged" means on a majority: the primary and at least one follower, durably. */
    static final WriteConcern MAJORITY = WriteConcern.followers(1, Duration.ofSeconds(10));

    private static final String[] NAMES = {"primary", "follower-1", "follower-2"};

    private final Path root;
    /** Shared by the agents and the coordinator; fresh per run, since it only has to match within this process. */
    private final byte[] secret = new byte[32];
    final Store[] stores = new Store[SIZE];
    final Validator[] validators = new Validator[SIZE];
    final RepairAgent[] agents = new RepairAgent[SIZE];

    /**
     * Opens (creating) the three stores under {@code root}/replica-N and wires the replication.
     *
     * @throws io.kintsugi.oplog.StorageException if a store cannot be opened or a port bound
     */
    DemoReplicas(Path root) {
        this.root = root;
        new SecureRandom().nextBytes(secret);
        try {
            for (int i = 0; i < SIZE; i++) {
                open(i);
            }
            stores[0].promote(TERM);
            for (int i = 1; i < SIZE; i++) {
                stores[i].follow(stores[0].replicationStatus().endpoint(), TERM);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** @return the replica's name in the narrative */
    static String name(int i) {
        return NAMES[i];
    }

    /** @return replica {@code i}'s directory */
    Path directory(int i) {
        return root.resolve("replica-" + i);
    }

    /** @return the narrative name of the replica whose agent has this id, or the id itself */
    String nameOf(String replicaId) {
        for (int i = 0; i < SIZE; i++) {
            if (agents[i] != null && agents[i].replicaId().equals(replicaId)) {
                return NAMES[i];
            }
        }
        return replicaId;
    }

    private void open(int i) {
        validators[i] = Validator.create(ValidatorOptions.builder().build());
        ReplicationOptions replication = ReplicationOptions.builder(TcpTransport.bind("127.0.0.1", 0))
                .heartbeatInterval(Duration.ofMillis(50)).peerTimeout(Duration.ofSeconds(2))
                .connectTimeout(Duration.ofSeconds(1))
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100)).build();
        // A memtable large enough that nothing flushes (or compacts) behind the narrative's back: the demo flushes
        // when it wants segment files.
        stores[i] = Store.open(directory(i), validators[i].attachTo(StoreOptions.builder())
                .durability(Durability.SYNC).memtableBudget(64L << 20).replication(replication).build());
        agents[i] = RepairAgent.start(stores[i], validators[i], RepairAgentOptions.builder().secret(secret)
                .build());
    }

    /**
     * Closes follower {@code i}, lets {@code edit} change its closed directory, reopens it and follows the primary
     * again. The other follower keeps acknowledging writes meanwhile, so the write concern is still met.
     */
    void reopenFollower(int i, Consumer<Path> edit) {
        if (i == 0) {
            throw new IllegalArgumentException("replica 0 is the primary, not a follower");
        }
        agents[i].close();
        agents[i] = null;
        stores[i].close();
        stores[i] = null;
        edit.accept(directory(i));
        open(i);
        stores[i].follow(stores[0].replicationStatus().endpoint(), TERM);
    }

    /** @return a coordinator beside the primary that knows every replica's agent and repairs automatically */
    RepairCoordinator coordinator() {
        RepairCoordinator.Builder b = RepairCoordinator.builder(stores[0], validators[0]).secret(secret)
                .policy(RepairPolicy.AUTOMATIC).digestWait(Duration.ofSeconds(20));
        for (RepairAgent a : agents) {
            b.replica(a);
        }
        return b.build();
    }

    /**
     * Waits until every follower applied the primary's last sequence and every checker caught up.
     *
     * @return whether that happened within {@code timeout}
     */
    boolean awaitReplicated(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = stores[0].lastSequence();
        for (int i = 1; i < SIZE; i++) {
            while (stores[i].lastSequence() < last) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.sleep(5);
            }
        }
        for (Validator v : validators) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            if (!v.awaitChecked(left)) {
                return false;
            }
        }
        return true;
    }

    /** Closes the agents and the stores, followers first so that they do not chase a closed primary. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = SIZE - 1; i >= 0; i--) {
            try {
                if (agents[i] != null) {
                    agents[i].close();
                }
                if (stores[i] != null) {
                    stores[i].close();
                }
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
}
