package io.kintsugi.validation.scan;

import io.kintsugi.engine.LogMarker;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreExtension;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.InProcessNetwork;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.ReplicationTransport;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.health.HealthEntry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test fixture: three replicas over a real transport, each with a range-hash checker writing to a list. */
final class ScanReplicas implements AutoCloseable {

    /** A store extension that runs a checker into an in-memory health list. */
    static final class Checking implements StoreExtension {
        final List<HealthEntry> health = new CopyOnWriteArrayList<>();
        volatile RangeHashChecker checker;

        @Override
        public void onOpen(Store store) {
            checker = new RangeHashChecker(store, health::add, 1024, 1);
        }

        @Override
        public void onMarker(LogMarker marker) {
            checker.offer(marker);
        }

        @Override
        public void onClose() {
            checker.close();
        }
    }

    final Store[] stores = new Store[3];
    final Checking[] checks = new Checking[3];

    ScanReplicas(Path root, boolean tcp) throws InterruptedException {
        InProcessNetwork network = new InProcessNetwork();
        for (int i = 0; i < 3; i++) {
            ReplicationTransport t = tcp ? TcpTransport.bind("127.0.0.1", 0) : network.transport("r" + i);
            ReplicationOptions ro = ReplicationOptions.builder(t)
                    .heartbeatInterval(Duration.ofMillis(20)).peerTimeout(Duration.ofMillis(1500))
                    .connectTimeout(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100))
                    .build();
            checks[i] = new Checking();
            stores[i] = Store.open(root.resolve("r" + i), StoreOptions.builder().durability(Durability.NONE)
                    .memtableBudget(512 << 10).replication(ro).extension(checks[i]).build());
        }
        stores[0].promote(1);
        for (int i = 1; i < 3; i++) {
            stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
        }
    }

    /** Waits until every follower applied the primary's last sequence and checked every marker. */
    void awaitQuiet() throws InterruptedException {
        long last = stores[0].lastSequence();
        for (int i = 1; i < 3; i++) {
            int f = i;
            until(() -> stores[f].lastSequence() >= last);
        }
        for (int i = 0; i < 3; i++) {
            if (!checks[i].checker.awaitIdle(60_000)) {
                throw new AssertionError("checker " + i + " did not drain within 60 s");
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
        for (Store s : stores) {
            if (s != null) {
                s.close();
            }
        }
    }
}
