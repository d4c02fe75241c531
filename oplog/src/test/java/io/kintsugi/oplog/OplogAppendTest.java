package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Appending: sequence assignment under concurrency, durability modes, segment rolling, follower appends. */
class OplogAppendTest {

    @TempDir
    Path dir;

    @Test
    void concurrentAppendersGetDistinctContiguousSequencesAndEveryPayloadReadsBack() throws Exception {
        int threads = 8;
        int perThread = 300;
        Map<Long, byte[]> written = new HashMap<>();
        try (Oplog log = Oplog.open(dir, OplogOptions.builder().segmentSize(16 << 10).build())) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Map<Long, byte[]>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int writer = t;
                results.add(pool.submit(() -> {
                    Map<Long, byte[]> mine = new HashMap<>();
                    for (int i = 0; i < perThread; i++) {
                        byte[] p = TestPayloads.payload(writer, i, 300);
                        mine.put(log.append(1, 1, p), p);
                    }
                    return mine;
                }));
            }
            for (Future<Map<Long, byte[]>> f : results) {
                Map<Long, byte[]> mine = f.get();
                for (Long seq : mine.keySet()) {
                    assertNull(written.put(seq, mine.get(seq)), "sequence " + seq + " was handed out twice");
                }
            }
            pool.shutdown();
            assertEquals(threads * perThread, written.size());
            assertEquals(threads * perThread, log.lastSequence());
            OplogStats stats = log.stats();
            assertEquals(threads * perThread, stats.appends());
            assertTrue(stats.fsyncs() <= stats.appends(), "one fsync serves a whole batch: " + stats);
            assertTrue(stats.segmentsRolled() > 0, "16 KiB segments must roll: " + stats);
        }
        try (Oplog log = Oplog.open(dir); OplogReader r = log.reader(1)) {
            for (long seq = 1; seq <= threads * perThread; seq++) {
                LogRecord rec = r.next();
                assertEquals(seq, rec.sequence());
                assertArrayEquals(written.get(seq), rec.payload(), "payload of sequence " + seq);
            }
            assertNull(r.next());
        }
    }

    @Test
    void asyncAppendsCompleteWithTheirSequenceInOrder() {
        try (Oplog log = Oplog.open(dir)) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                futures.add(log.appendAsync(2, 9, TestPayloads.payload(7, i, 64)));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(i + 1, futures.get(i).join());
            }
            assertEquals(2, log.currentTerm());
        }
    }

    @Test
    void everyDurabilityModeKeepsEveryRecordAcrossCloseAndReopen() {
        List<Durability> modes = List.of(Durability.SYNC, Durability.NONE, Durability.batched(Duration.ofMillis(5)));
        for (Durability mode : modes) {
            Path d = dir.resolve(mode.mode().name());
            try (Oplog log = Oplog.open(d, OplogOptions.builder().durability(mode).segmentSize(8192).build())) {
                for (int i = 0; i < 200; i++) {
                    log.append(1, 1, TestPayloads.payload(3, i, 100));
                }
                assertEquals(200, log.sync(), mode + ": sync returns the last durable sequence");
            }
            try (Oplog log = Oplog.open(d); OplogReader r = log.reader(1)) {
                assertTrue(log.recoveryReport().tornTail().isEmpty(), mode + ": a clean close leaves no torn tail");
                for (int i = 0; i < 200; i++) {
                    assertArrayEquals(TestPayloads.payload(3, i, 100), r.next().payload(), mode + " record " + i);
                }
                assertNull(r.next());
            }
        }
    }

    @Test
    void segmentsRollAtTheConfiguredSizeAndAreNamedByFirstSequence() throws IOException {
        try (Oplog log = Oplog.open(dir, OplogOptions.builder().segmentSize(4096).build())) {
            for (int i = 0; i < 100; i++) {
                log.append(1, 1, new byte[200]);
            }
        }
        List<Path> segments;
        try (Stream<Path> s = Files.list(dir)) {
            segments = s.filter(p -> p.toString().endsWith(".oplog")).sorted().toList();
        }
        assertTrue(segments.size() > 4, "100 records of 225 bytes fill more than 4 segments of 4 KiB");
        assertEquals("00000000000000000001.oplog", segments.get(0).getFileName().toString());
        for (Path p : segments.subList(0, segments.size() - 1)) {
            assertTrue(Files.size(p) <= 4096, p + " is sealed at or below the segment size");
        }
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(segments.size(), log.recoveryReport().segments());
            assertEquals(100, log.lastSequence());
        }
    }

    @Test
    void aRecordLargerThanASegmentGetsASegmentOfItsOwn() {
        byte[] big = TestPayloads.payload(11, 0, 20_000);
        try (Oplog log = Oplog.open(dir, OplogOptions.builder().segmentSize(4096).build())) {
            log.append(1, 1, new byte[10]);
            log.append(1, 1, big);
            log.append(1, 1, new byte[10]);
        }
        try (Oplog log = Oplog.open(dir); OplogReader r = log.reader(2)) {
            assertArrayEquals(big, r.next().payload());
            assertEquals(3, r.next().sequence());
        }
    }

    @Test
    void aFollowerCopiesRecordsWithThePrimarysSequencesAndTerms() {
        try (Oplog primary = Oplog.open(dir.resolve("primary"));
             Oplog follower = Oplog.open(dir.resolve("follower"))) {
            for (int i = 0; i < 50; i++) {
                primary.append(i < 20 ? 1 : 3, i % 4, TestPayloads.payload(5, i, 80));
            }
            try (OplogReader r = primary.reader(1)) {
                for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                    follower.appendAt(rec.sequence(), rec.term(), rec.type(), rec.payload());
                }
            }
            assertEquals(50, follower.lastSequence());
            assertEquals(3, follower.currentTerm());
            try (OplogReader a = primary.reader(1); OplogReader b = follower.reader(1)) {
                for (int i = 0; i < 50; i++) {
                    assertEquals(a.next(), b.next());
                }
            }
        }
    }

    @Test
    void aNewLogCanStartAtAChosenSequence() {
        try (Oplog log = Oplog.open(dir, OplogOptions.builder().firstSequence(1000).build())) {
            assertEquals(999, log.lastSequence());
            assertEquals(1000, log.firstSequence());
            assertEquals(1000, log.append(1, 1, new byte[0]));
        }
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(1000, log.firstSequence());
            assertEquals(1000, log.lastSequence());
        }
    }
}
