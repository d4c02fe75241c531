package io.kintsugi.repair;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.RepairServiceEvent.Kind;
import io.kintsugi.validation.faults.FaultInjector;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.ScanOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detections the repair service must take together or apart, both found by {@link RepairTrialsTest}: two damaged
 * blocks of one segment file (each got its own job, and both gave up, as an install of either range rewrites the
 * file and cannot read the other block), and a damaged block merged with another replica's inconsistent range (the
 * widened job found no majority and the block was never repaired, though it had one).
 */
class RepairServiceMergedDamageTest {

    @TempDir
    Path dir;

    @Test
    void twoSwappedBlocksOfOneFileAreRepairedTogether() throws Exception {
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20, b -> b.compression(false))) {
            Random r = new Random(0xD4F11E);
            for (int i = 0; i < 3000; i++) {
                byte[] v = new byte[100];
                r.nextBytes(v);
                set.put("orders", String.format("key-%06d", i), v);
            }
            set.awaitReplicated();
            set.stores[2].flush();
            set.reopenFollower(2, d -> {
                FaultInjector faults = FaultInjector.forStore(d, 0xD4F11F);
                Path file = faults.segmentFiles().get(0);
                List<BlockHandle> blocks = faults.dataBlocks(file);
                assertEquals(blocks.get(1).length(), blocks.get(2).length(), "uncompressed blocks of equal pairs");
                faults.swapDataBlocks(file, 1, 2);
            });
            set.awaitReplicated();
            Store victim = set.stores[2];
            // The cursor stops at the first bad block: only one of the two is known before the repair starts.
            assertThrows(CorruptionException.class, () -> {
                try (Cursor c = victim.namespace("orders").scan(null, null)) {
                    while (c.next()) {
                        c.value();
                    }
                }
            });
            List<RepairServiceEvent> events = new CopyOnWriteArrayList<>();
            RepairService.Builder b = RepairService.builder(set.coordinator().build())
                    .pollInterval(Duration.ofMillis(50)).backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                    .maxAttempts(3).listener(events::add);
            for (int i = 0; i < 3; i++) {
                b.watch(set.stores[i], set.validators[i]);
            }
            try (RepairService service = b.start()) {
                RepairReplicas.until(() -> events.stream().anyMatch(e -> e.kind() == Kind.FINISHED
                        || e.kind() == Kind.GAVE_UP));
            }
            List<RepairServiceEvent> ends = events.stream().filter(e -> e.kind() == Kind.FINISHED
                    || e.kind() == Kind.GAVE_UP).toList();
            assertEquals(1, ends.size(), events.toString());
            assertEquals(Kind.FINISHED, ends.get(0).kind(), events.toString());
            assertEquals(Outcome.REPAIRED, ends.get(0).outcome(), events.toString());
            assertTrue(victim.damage().isEmpty(), "both blocks are repaired: " + victim.damage());
            try (Cursor c = victim.namespace("orders").scan(null, null)) {
                int n = 0;
                while (c.next()) {
                    n++;
                }
                assertEquals(3000, n);
            }
            set.checkOracle();
            assertTrue(events.stream().noneMatch(e -> e.toString().contains("key-0")), "events hold metadata only");
        }
    }

    @Test
    void aDamagedBlockInARangeAnotherReplicaDiffersInIsRepairedOnItsOwnFirst() throws Exception {
        try (RepairReplicas set = new RepairReplicas(dir, 3, 64 << 20)) {
            Random r = new Random(0xD4F120);
            for (int i = 0; i < 3000; i++) {
                byte[] v = new byte[20 + r.nextInt(100)];
                r.nextBytes(v);
                set.put("orders", key(i), v);
            }
            set.awaitReplicated();
            set.stores[1].flush();
            set.reopenFollower(1, d -> FaultInjector.forStore(d, 0xD4F121).flipBitInKeyBlock("orders",
                    key(1116).getBytes(StandardCharsets.US_ASCII)));
            // A later write, so that the logical corruption has a memtable sequence to sit at.
            set.put("orders", "zz-later", new byte[10]);
            set.awaitReplicated();
            assertThrows(CorruptionException.class, () -> set.stores[1].namespace("orders")
                    .get(key(1116).getBytes(StandardCharsets.US_ASCII)));
            byte[] wrong = "wrong".getBytes(StandardCharsets.US_ASCII);
            FaultHooks.writeWithoutOplog(set.stores[2].namespace("orders"), key(901).getBytes(StandardCharsets.US_ASCII),
                    wrong);
            // One batch for the whole namespace: replica 1 finds it DAMAGED, replica 2 INCONSISTENT.
            try (RangeScan scan = set.validators[0].startScan(ScanOptions.builder().namespace("orders")
                    .maxBatchKeys(10_000).bytesPerSecond(1L << 40).resume(false).build())) {
                assertTrue(scan.await(Duration.ofSeconds(120)));
            }
            set.awaitReplicated();

            List<RepairServiceEvent> events = new CopyOnWriteArrayList<>();
            RepairService.Builder b = RepairService.builder(set.coordinator().build())
                    .pollInterval(Duration.ofMillis(50)).backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                    .since(java.time.Instant.EPOCH).listener(events::add);
            for (int i = 0; i < 3; i++) {
                b.watch(set.stores[i], set.validators[i]);
            }
            // Started after the scan, so that its first look takes the block and both verdicts together.
            try (RepairService service = b.start()) {
                RepairReplicas.until(() -> events.stream().filter(e -> e.kind() == Kind.FINISHED
                        || e.kind() == Kind.GAVE_UP).count() >= 2 || events.stream().anyMatch(e -> e.kind()
                        == Kind.FINISHED && e.outcome() == Outcome.NO_MAJORITY));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; events: " + events, e);
            }
            List<RepairServiceEvent> ends = events.stream().filter(e -> e.kind() == Kind.FINISHED
                    || e.kind() == Kind.GAVE_UP).toList();
            assertEquals(2, ends.size(), events.toString());
            for (RepairServiceEvent e : ends) {
                assertEquals(Outcome.REPAIRED, e.outcome(), events.toString());
            }
            assertTrue(set.stores[1].damage().isEmpty(), "the block is repaired: " + set.stores[1].damage());
            assertArrayEquals(set.oracle.get("orders/" + key(901)), set.stores[2].namespace("orders")
                    .get(key(901).getBytes(StandardCharsets.US_ASCII)));
            set.checkOracle();
        }
    }

    private static String key(int i) {
        return String.format("key-%06d", i);
    }
}
