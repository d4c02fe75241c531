package io.kintsugi.repair;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.RepairServiceEvent.Kind;
import io.kintsugi.validation.faults.FaultInjector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two damaged blocks in one segment file of a follower: a repair of either one's range installs by rewriting the
 * file, which must read the other block and cannot, so the service repairs them as one job (found by
 * {@link RepairTrialsTest}: each got its own job, and both gave up).
 */
class RepairServiceDamagedFileTest {

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
}
