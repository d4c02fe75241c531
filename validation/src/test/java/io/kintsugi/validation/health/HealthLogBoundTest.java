package io.kintsugi.validation.health;

import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The size bound: old entries are dropped whole segments at a time, and the number dropped is kept. */
class HealthLogBoundTest {

    private static final long MAX = HealthLogOptions.MIN_MAX_BYTES;

    @TempDir
    Path work;

    /** About 1 KiB per entry, so that a 256 KiB bound holds about 250. */
    private static HealthEntry big(int i) {
        return new HealthEntry(TestEntries.T0.plusSeconds(i), Severity.INFO, "replica-a", HealthKind.SCAN_BATCH,
                Verdict.CONSISTENT, "orders", TestEntries.key(i), TestEntries.key(i + 1), 1, 2, new Hash128(i, i),
                new Hash128(i, i), i, "entry " + i + " " + "x".repeat(1000));
    }

    private static long segmentBytes(Path store) throws IOException {
        try (Stream<Path> s = Files.list(HealthLog.directory(store))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".oplog")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }

    @Test
    void theLogNeverHoldsMoreThanItsBoundAndCountsWhatItDropped() throws IOException {
        Path store = Files.createDirectories(work.resolve("store"));
        HealthLogOptions options = HealthLogOptions.builder().maxBytes(MAX).build();
        assertEquals(16 << 10, options.segmentSize());
        int appended = 1000;
        List<HealthEntry> all = new ArrayList<>();
        try (HealthLog h = HealthLog.open(store, options)) {
            for (int i = 0; i < appended; i++) {
                all.add(big(i));
                h.append(all.get(i));
                long bytes = segmentBytes(store);
                assertTrue(bytes <= MAX, "after entry " + i + " the segments hold " + bytes + " bytes, over " + MAX);
                assertEquals(bytes, h.stats().bytes());
            }
            HealthLogStats s = h.stats();
            assertEquals(appended, s.entries() + s.droppedEntries());
            assertTrue(s.droppedEntries() > 600, "dropped " + s.droppedEntries());
            assertTrue(s.bytes() > MAX - 2 * options.segmentSize(), "keeps close to the bound: " + s.bytes());
            List<HealthEntry> kept = all.subList(appended - (int) s.entries(), appended);
            assertEquals(kept, h.query(HealthQuery.builder().order(HealthQuery.Order.OLDEST_FIRST).build()),
                    "the newest entries are kept, in order, unchanged");
            assertEquals(s.oldest().orElseThrow(), kept.get(0).time());
        }
        long droppedBefore;
        try (HealthLog h = HealthLog.openReadOnly(store)) {
            droppedBefore = h.stats().droppedEntries();
            assertEquals(appended, h.stats().entries() + droppedBefore, "the dropped count survives a restart");
        }

        try (HealthLog h = HealthLog.open(store, HealthLogOptions.builder().maxBytes(MAX).build())) {
            assertEquals(droppedBefore, h.stats().droppedEntries(), "reopening within the bound drops nothing");
        }
        // Grow the log under a higher bound, then reopen it under the lower one: the excess is dropped at once.
        long higher = 320L << 10;
        try (HealthLog h = HealthLog.open(store, HealthLogOptions.builder().maxBytes(higher).build())) {
            for (int i = appended; i < appended + 60; i++) {
                all.add(big(i));
                h.append(all.get(i));
            }
        }
        assertTrue(segmentBytes(store) > MAX, "the log grew past the lower bound: " + segmentBytes(store));
        try (HealthLog h = HealthLog.open(store, HealthLogOptions.builder().maxBytes(MAX).build())) {
            assertTrue(segmentBytes(store) <= MAX, "a lowered bound is applied on open");
            HealthLogStats s = h.stats();
            assertEquals(appended + 60, s.entries() + s.droppedEntries());
            List<HealthEntry> newestFirst = new ArrayList<>(all.subList(all.size() - (int) s.entries(), all.size()));
            Collections.reverse(newestFirst);
            assertEquals(newestFirst, h.query(HealthQuery.all()));
        }
    }
}
