package io.kintsugi.cli.repair;

import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.oplog.Durability;
import io.kintsugi.repair.RepairAgent;
import io.kintsugi.repair.RepairAgentOptions;
import io.kintsugi.repair.RepairCoordinator;
import io.kintsugi.repair.RepairPolicy;
import io.kintsugi.repair.RepairService;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.ScanOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Test fixture: three stores replicating over TCP on 127.0.0.1 (replica 0 the primary), each with a validator and a
 * repair agent sharing {@link #SECRET}; a {@link RepairService} beside the primary under
 * {@link RepairPolicy#APPROVAL}, watching all three, its plans served by the primary's agent. Every key written
 * holds {@link #KEY_MARKER}, so that a test can check that no output shows key bytes.
 */
final class ApprovalReplicas implements AutoCloseable {

    static final byte[] SECRET = "kintsugi-cli-approval-secret".getBytes(StandardCharsets.US_ASCII);
    /** Every key contains this; no output may. */
    static final String KEY_MARKER = "SECRETKEY";
    static final String NAMESPACE = "orders";

    final Store[] stores = new Store[3];
    final Validator[] validators = new Validator[3];
    final RepairAgent[] agents = new RepairAgent[3];
    /** What was written through the primary: key to value. */
    final TreeMap<String, byte[]> written = new TreeMap<>();
    final RepairService service;

    ApprovalReplicas(Path root) {
        for (int i = 0; i < stores.length; i++) {
            validators[i] = Validator.create(ValidatorOptions.builder().build());
            ReplicationOptions ro = ReplicationOptions.builder(TcpTransport.bind("127.0.0.1", 0))
                    .heartbeatInterval(Duration.ofMillis(20)).peerTimeout(Duration.ofMillis(1500))
                    .connectTimeout(Duration.ofSeconds(1))
                    .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100)).build();
            stores[i] = Store.open(root.resolve("r" + i), validators[i].attachTo(StoreOptions.builder())
                    .durability(Durability.NONE).memtableBudget(256 << 10).replication(ro).build());
            agents[i] = RepairAgent.start(stores[i], validators[i], RepairAgentOptions.builder().secret(SECRET)
                    .build());
        }
        stores[0].promote(1);
        for (int i = 1; i < stores.length; i++) {
            stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
        }
        RepairCoordinator.Builder c = RepairCoordinator.builder(stores[0], validators[0]).secret(SECRET)
                .digestWait(Duration.ofSeconds(60)).policy(RepairPolicy.APPROVAL);
        for (RepairAgent a : agents) {
            c.replica(a);
        }
        RepairService.Builder s = RepairService.builder(c.build()).pollInterval(Duration.ofMillis(50));
        for (int i = 0; i < stores.length; i++) {
            s.watch(stores[i], validators[i]);
        }
        service = s.start();
        agents[0].serveApprovals(service);
    }

    static byte[] key(int i) {
        return String.format("%s-%06d", KEY_MARKER, i).getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes {@code keys} seeded values through the primary and waits until every replica applied them. */
    void load(long seed, int keys) throws InterruptedException {
        Random r = new Random(seed);
        for (int i = 0; i < keys; i++) {
            byte[] v = new byte[20 + r.nextInt(100)];
            r.nextBytes(v);
            stores[0].namespace(NAMESPACE).put(key(i), v);
            written.put(new String(key(i), StandardCharsets.US_ASCII), v);
        }
        awaitReplicated();
    }

    /** Changes key {@code i} on replica {@code replica} without an oplog record: only a scan can find it. */
    void corrupt(int replica, int i, byte[] value) {
        FaultHooks.writeWithoutOplog(stores[replica].namespace(NAMESPACE), key(i), value);
    }

    /** One range-hash pass over the namespace on the primary, in batches of 400 keys. */
    void scan() throws InterruptedException {
        try (RangeScan scan = validators[0].startScan(ScanOptions.builder().namespace(NAMESPACE).maxBatchKeys(400)
                .bytesPerSecond(1L << 40).resume(false).build())) {
            if (!scan.await(Duration.ofSeconds(120))) {
                throw new AssertionError("the scan did not finish within 120 s");
            }
        }
    }

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
        service.close();
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
