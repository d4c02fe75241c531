package io.kintsugi.engine;

import io.kintsugi.oplog.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Background work while writers never pause. Writes under {@link Durability#NONE} seal memtables faster than
 * flushes (which sync files and the manifest) write them, so the flush backlog stays full; the flusher must still
 * come back to compactions and to the callers of {@link Store#flush()} and {@link Store#compact()}, instead of
 * draining a queue that writers refill forever (found by {@link StoreCrashTest}: an explicit flush that did not
 * return until the writers stopped, and thousands of segment files because no compaction ran).
 *
 * <p>The only time limit is a hang guard: with the bug, the calls below return only when the writers stop, and the
 * writers stop only after they returned.
 */
class MaintenanceUnderLoadTest {

    @TempDir
    Path dir;

    @Test
    void flushAndCompactReturnWhileWritersKeepTheFlushBacklogFull() throws Exception {
        StoreOptions options = StoreOptions.builder()
                .durability(Durability.NONE)
                .memtableBudget(64 << 10)
                .blockSize(1024)
                .compactionTrigger(2)
                .compactionMaxFiles(4)
                .build();
        try (Store store = Store.open(dir, options)) {
            Namespace ns = store.namespace("load");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                Thread w = new Thread(() -> {
                    byte[] value = new byte[512];
                    try {
                        for (long i = 0; !stop.get(); i++) {
                            byte[] key = ByteBuffer.allocate(8).putInt(thread).putInt((int) (i % 5000)).array();
                            ns.put(key, value);
                            writes.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "load-writer-" + t);
                writers.add(w);
                w.start();
            }
            int maxFiles = 0;
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                    while (writes.get() < 20_000 && failures.isEmpty()) {
                        Thread.sleep(10);
                    }
                    for (int round = 0; round < 3; round++) {
                        store.flush();
                        store.compact();
                    }
                }, "flush() and compact() did not return while writers kept writing");
                long before = store.stats().compactions();
                long target = writes.get() + 20_000;
                while (writes.get() < target && failures.isEmpty()) {
                    maxFiles = Math.max(maxFiles, store.stats().segmentFiles());
                    Thread.sleep(5);
                }
                assertTrue(store.stats().compactions() > before || store.stats().segmentFiles() <= 2,
                        "no background compaction ran while writers kept writing: "
                                + store.stats().segmentFiles() + " segment files");
            } finally {
                stop.set(true);
                for (Thread w : writers) {
                    w.join();
                }
            }
            assertTrue(failures.isEmpty(), () -> "a writer failed: " + failures.peek());
            // Compaction runs after every task's flushes, so files cannot pile up by the hundred.
            assertTrue(maxFiles < 64, "segment files piled up to " + maxFiles);
            assertEquals(0, store.stats().corruptionCount());
        }
    }
}
