package io.kintsugi.validation.scan;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.health.HealthEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A scan pass on one store: its pace, its resumption after a restart, its target and its bad inputs. */
class RangeScanTest {

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return String.format("key-%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private Store open() {
        return Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build());
    }

    private static void fill(Store store, String name, int n) {
        Namespace ns = store.namespace(name);
        for (int i = 0; i < n; i++) {
            ns.put(key(i), new byte[100]);
        }
    }

    @Test
    void theThrottleIsChargedForEveryStoredVersionTheScanReads() throws Exception {
        try (Store store = open()) {
            fill(store, "a", 1000);
            fill(store, "a", 1000);
            Namespace ns = store.namespace("a");
            for (int i = 0; i < 100; i++) {
                ns.delete(key(i));
            }
            AtomicLong acquired = new AtomicLong();
            // One batch for the whole namespace: a batch that ends after a key leaves that key's older versions
            // unread (they are not in the range it hashed, nor in the next one).
            RangeScan scan = RangeScan.start(store, e -> { }, ScanOptions.builder().maxBatchKeys(10_000)
                    .throttle(acquired::addAndGet).build());
            assertTrue(scan.await(Duration.ofSeconds(60)));
            ScanProgress p = scan.progress();
            assertEquals(ScanProgress.State.FINISHED, p.state(), p.toString());
            assertEquals(900L * (10 + 100), p.bytesDone(), "the live pairs hashed");
            // Two versions of every key and a tombstone for a tenth of them: the writers pay for all of it being
            // read, so the pace counts it.
            assertEquals(2000L * (10 + 100) + 100L * 10, acquired.get());
        }
    }

    @Test
    void everyByteHashedPassesThroughTheThrottle() throws Exception {
        try (Store store = open()) {
            fill(store, "a", 1000);
            fill(store, "b", 500);
            AtomicLong acquired = new AtomicLong();
            AtomicLong calls = new AtomicLong();
            RangeScan scan = RangeScan.start(store, e -> { }, ScanOptions.builder().maxBatchKeys(100)
                    .throttle(bytes -> {
                        acquired.addAndGet(bytes);
                        calls.incrementAndGet();
                    }).build());
            assertTrue(scan.await(Duration.ofSeconds(60)));
            ScanProgress p = scan.progress();
            assertEquals(ScanProgress.State.FINISHED, p.state(), p.toString());
            assertEquals(1500, p.keys());
            assertEquals(1500L * (10 + 100), p.bytesDone());
            assertEquals(p.bytesDone(), acquired.get(), "every byte read was paid for (one version per key here)");
            assertEquals(p.batches(), calls.get(), "once per batch (no batch was refused without writes)");
            // Ten and five full batches, and per namespace a last, empty one from the last key to the end: it proves
            // that followers hold nothing past the primary's last key either.
            assertEquals(17, p.batches());
            assertFalse(Files.exists(dir.resolve(ScanStateFormat.FILE_NAME)), "a finished pass leaves no state");
        }
        assertThrows(IllegalArgumentException.class, () -> ScanThrottle.bytesPerSecond(0));
        assertThrows(IllegalArgumentException.class, () -> ScanOptions.builder().bytesPerSecond(-1));
        assertThrows(IllegalArgumentException.class, () -> ScanOptions.builder().range(key(1), null).build());
        assertThrows(IllegalArgumentException.class, () -> ScanOptions.builder().range(key(2), key(1)));
        assertThrows(IllegalArgumentException.class, () -> ScanOptions.builder().maxBatchKeys(0));
    }

    @Test
    void aPassStoppedPartWayResumesAfterARestartWithoutHashingDoneBatchesAgain() throws Exception {
        long scanId;
        long batchesBefore;
        long keysBefore;
        try (Store store = open()) {
            fill(store, "a", 1000);
            fill(store, "b", 1000);
            CountDownLatch fiveDone = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicLong calls = new AtomicLong();
            RangeScan scan = RangeScan.start(store, e -> { }, ScanOptions.builder().maxBatchKeys(100)
                    .throttle(bytes -> {
                        if (calls.incrementAndGet() == 12) { // the first batch of namespace b
                            fiveDone.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }).build());
            fiveDone.await();
            // Stop while the 12th batch waits in the throttle (its marker has landed): stop() sets the flag before
            // it interrupts the wait, so the pass ends after exactly that batch and saves where it stands.
            scan.stop();
            release.countDown();
            ScanProgress p = scan.progress();
            assertEquals(ScanProgress.State.STOPPED, p.state(), p.toString());
            scanId = p.scanId();
            batchesBefore = p.batches();
            keysBefore = p.keys();
            assertEquals(12, batchesBefore);
            assertTrue(Files.exists(dir.resolve(ScanStateFormat.FILE_NAME)));
        }
        try (Store store = open()) {
            RangeScan scan = RangeScan.start(store, e -> { }, ScanOptions.builder().maxBatchKeys(100)
                    .bytesPerSecond(1L << 40).build());
            assertTrue(scan.await(Duration.ofSeconds(60)));
            ScanProgress p = scan.progress();
            assertEquals(ScanProgress.State.FINISHED, p.state(), p.toString());
            assertEquals(scanId, p.scanId(), "the same pass went on");
            assertEquals(2000, p.keys(), "every key hashed exactly once across the restart (" + keysBefore
                    + " before it)");
            assertEquals(22, p.batches(), "2 × (10 full batches and the empty tail)");
        }
    }

    @Test
    void aTargetedScanCoversOnlyItsRangeAndADifferentTargetStartsAfresh() throws Exception {
        try (Store store = open()) {
            fill(store, "a", 1000);
            List<HealthEntry> log = new ArrayList<>();
            RangeScan scan = RangeScan.start(store, log::add, ScanOptions.builder().namespace("a")
                    .range(key(100), key(350)).maxBatchKeys(100).bytesPerSecond(1L << 40).logEvery(1).build());
            assertTrue(scan.await(Duration.ofSeconds(60)));
            assertEquals(250, scan.progress().keys());
            assertEquals(3, scan.progress().batches());
            assertEquals(4, log.size(), "three batches and the summary");
            assertTrue(log.get(0).toString().contains("namespace=a"));
        }
    }

    @Test
    void aDamagedScanStateIsReportedNotIgnored() throws Exception {
        try (Store store = open()) {
            fill(store, "a", 10);
            Files.write(dir.resolve(ScanStateFormat.FILE_NAME), new byte[80]);
            assertThrows(CorruptionException.class, () -> RangeScan.start(store, e -> { },
                    ScanOptions.builder().build()));
            // Asking not to resume ignores the saved state and replaces it.
            RangeScan scan = RangeScan.start(store, e -> { }, ScanOptions.builder().resume(false).build());
            assertTrue(scan.await(Duration.ofSeconds(60)));
            assertEquals(ScanProgress.State.FINISHED, scan.progress().state());
        }
    }
}
