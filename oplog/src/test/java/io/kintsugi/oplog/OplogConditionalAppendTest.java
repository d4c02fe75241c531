package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sequencing listener sees every record in order, and a conditional append's condition sees exactly the log before it. */
class OplogConditionalAppendTest {

    @TempDir
    Path dir;

    @Test
    void theSequencingListenerSeesEveryRecordInOrderPrimaryAndFollowerAlike() {
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        OplogOptions options = OplogOptions.builder().sequencingListener((seq, type, payload) -> seen.add(seq)).build();
        try (Oplog log = Oplog.open(dir, options)) {
            log.append(1, 1, new byte[1]);
            log.appendAt(2, 1, 1, new byte[1]);
            log.append(1, 1, new byte[1]);
        }
        assertEquals(List.of(1L, 2L, 3L), seen);
    }

    @Test
    void aFalseConditionAppendsNothingAndATrueOneAppends() {
        try (Oplog log = Oplog.open(dir)) {
            log.append(1, 1, new byte[1]);
            assertEquals(OptionalLong.empty(), log.appendIf(1, 2, new byte[2], () -> false));
            assertEquals(1, log.lastSequence(), "a refused conditional append writes nothing");
            assertEquals(OptionalLong.of(2), log.appendIf(1, 2, new byte[2], () -> true));
            assertEquals(3, log.append(1, 1, new byte[1]), "sequences stay consecutive");
            assertThrows(StaleTermException.class, () -> log.appendIf(0, 2, new byte[2], () -> true));
        }
        try (Oplog log = Oplog.open(dir); OplogReader r = log.reader(1)) {
            List<Integer> types = new ArrayList<>();
            for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                types.add(rec.type());
            }
            assertEquals(List.of(1, 2, 1), types);
        }
    }

    /**
     * Under concurrent appends, the condition of a conditional append observes exactly the records sequenced before
     * it: the count the listener kept when the condition ran equals the conditional record's sequence minus one.
     */
    @Test
    void theConditionRunsAfterEveryEarlierRecordWasSequencedAndBeforeAnyLaterOne() throws Exception {
        AtomicLong lastSequenced = new AtomicLong();
        OplogOptions options = OplogOptions.builder()
                .sequencingListener((seq, type, payload) -> lastSequenced.set(seq)).build();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (Oplog log = Oplog.open(dir, options)) {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        log.append(1, 1, new byte[8]);
                    }
                }));
            }
            for (int i = 0; i < 200; i++) {
                long[] seenByCondition = new long[1];
                OptionalLong seq = log.appendIf(1, 2, new byte[4], () -> {
                    seenByCondition[0] = lastSequenced.get();
                    return true;
                });
                assertTrue(seq.isPresent());
                assertEquals(seq.getAsLong() - 1, seenByCondition[0]);
            }
            for (Future<?> w : writers) {
                w.get();
            }
            assertFalse(log.lastSequence() < 4200);
        } finally {
            pool.shutdownNow();
        }
    }
}
