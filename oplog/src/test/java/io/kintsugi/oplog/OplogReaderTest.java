package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readers from every position, readers that catch up with the writer, tailers and subscriptions. */
class OplogReaderTest {

    private static final int RECORDS = 120;

    @TempDir
    Path dir;

    private Oplog openFilled() {
        Oplog log = Oplog.open(dir, OplogOptions.builder().segmentSize(4096).build());
        for (int i = 0; i < RECORDS; i++) {
            log.append(1, 1, TestPayloads.payload(42, i, 200));
        }
        return log;
    }

    @Test
    void aReaderOpenedAtAnyPositionReturnsExactlyTheRecordsFromThere() {
        try (Oplog log = openFilled()) {
            for (long from = 1; from <= RECORDS + 1; from++) {
                try (OplogReader r = log.reader(from)) {
                    for (long seq = from; seq <= RECORDS; seq++) {
                        LogRecord rec = r.next();
                        assertEquals(seq, rec.sequence(), "reader from " + from);
                        assertArrayEquals(TestPayloads.payload(42, seq - 1, 200), rec.payload());
                    }
                    assertNull(r.next(), "reader from " + from + " ends at the last record");
                }
            }
        }
    }

    @Test
    void aReaderAtTheEndSeesRecordsAppendedLater() {
        try (Oplog log = openFilled(); OplogReader r = log.reader(RECORDS + 1)) {
            assertNull(r.next());
            log.append(1, 1, new byte[] {1, 2, 3});
            LogRecord rec = r.next();
            assertEquals(RECORDS + 1, rec.sequence());
            assertArrayEquals(new byte[] {1, 2, 3}, rec.payload());
            assertNull(r.next());
        }
    }

    @Test
    void askingForASequenceNotYetWrittenIsAClearError() {
        try (Oplog log = openFilled()) {
            SequenceUnavailableException e = assertThrows(SequenceUnavailableException.class,
                    () -> log.reader(RECORDS + 2));
            assertEquals(SequenceUnavailableException.Reason.NOT_YET_WRITTEN, e.reason());
            assertTrue(e.getMessage().contains("has not been written yet"), e.getMessage());
            assertThrows(SequenceUnavailableException.class, () -> log.reader(0));
        }
    }

    @Test
    void aTailerWaitsForTheNextRecordAndTimesOutWhenNoneComes() throws Exception {
        try (Oplog log = openFilled(); OplogTailer t = log.tailer(RECORDS + 1)) {
            assertNull(t.poll(Duration.ofMillis(20)), "nothing was appended");
            Thread appender = new Thread(() -> log.append(1, 1, new byte[] {9}));
            appender.start();
            LogRecord rec = t.poll(Duration.ofSeconds(30));
            appender.join();
            assertEquals(RECORDS + 1, rec.sequence());
            assertArrayEquals(new byte[] {9}, rec.payload());
        }
    }

    @Test
    void aTailerOfAClosedLogFailsWithStorageException() throws Exception {
        Oplog log = openFilled();
        try (OplogTailer t = log.tailer(RECORDS + 1)) {
            log.close();
            StorageException e = assertThrows(StorageException.class, () -> t.poll(Duration.ofSeconds(30)));
            assertEquals(StorageException.class, e.getClass());
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void aSubscriptionDeliversEveryRecordInOrderIncludingNewOnes() throws Exception {
        try (Oplog log = openFilled()) {
            List<Long> seen = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            try (TailSubscription s = log.subscribe(100, new TailListener() {
                @Override
                public void onRecord(LogRecord record) {
                    assertArrayEquals(TestPayloads.payload(42, record.sequence() - 1, 200), record.payload());
                    seen.add(record.sequence());
                    if (record.sequence() == RECORDS + 30) {
                        done.countDown();
                    }
                }
            })) {
                for (int i = RECORDS; i < RECORDS + 30; i++) {
                    log.append(1, 1, TestPayloads.payload(42, i, 200));
                }
                assertTrue(done.await(60, TimeUnit.SECONDS), "every record reaches the listener");
                assertTrue(s.isRunning());
            }
            List<Long> expected = new ArrayList<>();
            for (long seq = 100; seq <= RECORDS + 30; seq++) {
                expected.add(seq);
            }
            assertEquals(expected, seen);
        }
    }

    @Test
    void aSubscriptionReportsTheLogClosingToItsListener() throws Exception {
        Oplog log = openFilled();
        AtomicReference<StorageException> error = new AtomicReference<>();
        CountDownLatch failed = new CountDownLatch(1);
        try (TailSubscription s = log.subscribe(RECORDS + 1, new TailListener() {
            @Override
            public void onRecord(LogRecord record) {
            }

            @Override
            public void onError(StorageException e) {
                error.set(e);
                failed.countDown();
            }
        })) {
            log.close();
            assertTrue(failed.await(60, TimeUnit.SECONDS));
            assertEquals(StorageException.class, error.get().getClass());
        }
    }
}
