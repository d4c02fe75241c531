package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The durable-record listener sees every record in sequence order before its appender is released. */
class OplogDurableListenerTest {

    @TempDir
    Path dir;

    @Test
    void everyRecordReachesTheListenerInOrderBeforeItsAppendReturns() throws Exception {
        List<Long> seen = new ArrayList<>(); // written only by the writer thread
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        OplogOptions options = OplogOptions.builder().durableRecordListener(r -> {
            if (!seen.isEmpty() && r.sequence() != seen.get(seen.size() - 1) + 1) {
                violations.add("sequence " + r.sequence() + " after " + seen.get(seen.size() - 1));
            }
            synchronized (seen) {
                seen.add(r.sequence());
            }
        }).build();
        try (Oplog log = Oplog.open(dir, options)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        long seq = log.append(1, 1, new byte[10]);
                        synchronized (seen) {
                            if (!seen.contains(seq)) {
                                violations.add("append of " + seq + " returned before the listener saw it");
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
        }
        assertTrue(violations.isEmpty(), violations.toString());
        assertEquals(800, seen.size());
    }

    @Test
    void aFailingListenerStopsTheLogAndTheRecordIsStillThereAfterReopen() {
        RuntimeException boom = new IllegalStateException("apply failed");
        OplogOptions options = OplogOptions.builder().durableRecordListener(r -> {
            if (r.sequence() == 3) {
                throw boom;
            }
        }).build();
        try (Oplog log = Oplog.open(dir, options)) {
            log.append(1, 1, new byte[1]);
            log.append(1, 1, new byte[1]);
            StorageException e = assertThrows(StorageException.class, () -> log.append(1, 1, new byte[1]));
            assertEquals(StorageException.class, e.getClass());
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("sequence 3"), e.getMessage());
            StorageException later = assertThrows(StorageException.class, () -> log.append(1, 1, new byte[1]));
            assertTrue(later.getMessage().contains("stopped accepting writes"), later.getMessage());
        }
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(3, log.lastSequence(), "the record was durable before the listener ran");
        }
    }
}
