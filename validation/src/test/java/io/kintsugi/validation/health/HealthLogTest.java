package io.kintsugi.validation.health;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.events.HealthEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Appending, querying, reopening and reading a health log read-only. */
class HealthLogTest {

    @TempDir
    Path work;

    private Path store() throws IOException {
        return Files.createDirectories(work.resolve("store"));
    }

    /** Entries 0..29: every third inconsistent (ERROR), every fifth a WARNING, the rest consistent. */
    private static List<HealthEntry> mixed() {
        List<HealthEntry> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            out.add(i % 3 == 0 ? TestEntries.inconsistent(i) : i % 5 == 0 ? TestEntries.warning(i)
                    : TestEntries.consistent(i));
        }
        return out;
    }

    private static List<HealthEntry> reversed(List<HealthEntry> l) {
        List<HealthEntry> r = new ArrayList<>(l);
        java.util.Collections.reverse(r);
        return r;
    }

    @Test
    void queriesFilterOrderAndLimit() throws IOException {
        List<HealthEntry> all = mixed();
        try (HealthLog h = HealthLog.open(store())) {
            all.forEach(h::append);
            assertEquals(reversed(all), h.query(HealthQuery.all()), "newest first by default");
            assertEquals(all, h.query(HealthQuery.builder().order(HealthQuery.Order.OLDEST_FIRST).build()));
            assertEquals(reversed(all).subList(0, 4), h.query(HealthQuery.builder().limit(4).build()));
            assertEquals(all.subList(0, 4), h.query(HealthQuery.builder().limit(4)
                    .order(HealthQuery.Order.OLDEST_FIRST).build()));

            List<HealthEntry> errors = h.query(HealthQuery.builder().minSeverity(Severity.ERROR).build());
            assertEquals(reversed(all.stream().filter(e -> e.severity() == Severity.ERROR).toList()), errors);
            assertEquals(10, errors.size());
            List<HealthEntry> warningsUp = h.query(HealthQuery.builder().minSeverity(Severity.WARNING).build());
            assertEquals(all.stream().filter(e -> e.severity() != Severity.INFO).count(), warningsUp.size());

            assertEquals(all.stream().filter(e -> e.kind() == HealthKind.VERIFY).count(),
                    h.query(HealthQuery.builder().kinds(HealthKind.VERIFY).build()).size());
            assertEquals(all.stream().filter(e -> e.verdict() == Verdict.CONSISTENT).count(),
                    h.query(HealthQuery.builder().verdicts(Set.of(Verdict.CONSISTENT)).build()).size());
            assertEquals(List.of(), h.query(HealthQuery.builder().kinds(HealthKind.REPAIR).build()));

            Instant since = TestEntries.T0.plusSeconds(10);
            Instant until = TestEntries.T0.plusSeconds(20);
            assertEquals(reversed(all.subList(10, 20)), h.query(HealthQuery.builder().since(since).until(until)
                    .build()), "since inclusive, until exclusive");

            assertEquals(reversed(all.stream().filter(e -> e.namespace().equals("users")).toList()),
                    h.query(HealthQuery.builder().namespace("users").build()));
        }
    }

    @Test
    void keyRangeQueriesReturnEntriesWhoseRangeOverlaps() throws IOException {
        try (HealthLog h = HealthLog.open(store())) {
            for (int i = 0; i < 10; i++) {
                h.append(TestEntries.consistent(i)); // range [key(10 i), key(10 i + 9)]
            }
            h.append(TestEntries.warning(10)); // no range: overlaps everything
            List<HealthEntry> hit = h.query(HealthQuery.builder().keyRange(TestEntries.key(25), TestEntries.key(40))
                    .order(HealthQuery.Order.OLDEST_FIRST).build());
            assertEquals(List.of(TestEntries.consistent(2), TestEntries.consistent(3), TestEntries.consistent(4),
                    TestEntries.warning(10)), hit);
            assertEquals(List.of(TestEntries.consistent(2), TestEntries.consistent(1)), h.query(HealthQuery.builder()
                    .keyRange(TestEntries.key(19), TestEntries.key(20)).verdicts(Verdict.CONSISTENT).build()),
                    "both ends are inclusive");
            assertEquals(3, h.query(HealthQuery.builder().keyRange(null, TestEntries.key(15)).build()).size());
            assertEquals(2, h.query(HealthQuery.builder().keyRange(TestEntries.key(95), null).build()).size());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HealthQuery.builder().keyRange(TestEntries.key(2), TestEntries.key(1)));
        assertFalse(e.getMessage().contains(TestEntries.KEY_MARKER), e.getMessage());
    }

    @Test
    void entriesAndStatsSurviveReopening() throws IOException {
        Path store = store();
        List<HealthEntry> all = mixed();
        try (HealthLog h = HealthLog.open(store)) {
            assertEquals(new HealthLogStats(0, h.stats().bytes(), Optional.empty(), Optional.empty(), 0), h.stats());
            all.forEach(h::append);
        }
        try (HealthLog h = HealthLog.open(store)) {
            assertEquals(reversed(all), h.query(HealthQuery.all()));
            HealthLogStats s = h.stats();
            assertEquals(30, s.entries());
            assertEquals(Optional.of(all.get(0).time()), s.oldest());
            assertEquals(Optional.of(all.get(29).time()), s.newest());
            assertEquals(0, s.droppedEntries());
            assertTrue(s.bytes() > 30 * 100, "bytes " + s.bytes());
            h.append(TestEntries.consistent(30));
            assertEquals(31, h.stats().entries());
        }
    }

    @Test
    void readOnlyOpenReadsWithoutChangingTheStoreDirectory() throws IOException {
        Path store = store();
        try (HealthLog h = HealthLog.openReadOnly(store)) {
            assertTrue(h.isReadOnly());
            assertEquals(List.of(), h.query(HealthQuery.all()));
            assertEquals(new HealthLogStats(0, 0, Optional.empty(), Optional.empty(), 0), h.stats());
            StorageException e = assertThrows(StorageException.class, () -> h.append(TestEntries.consistent(1)));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        assertEquals(List.of(), listing(store), "a store without a health log gets none from a read-only open");

        List<HealthEntry> all = mixed();
        try (HealthLog h = HealthLog.open(store)) {
            all.forEach(h::append);
        }
        List<String> before = listing(store);
        try (HealthLog h = HealthLog.openReadOnly(store)) {
            assertEquals(reversed(all), h.query(HealthQuery.all()));
            assertEquals(30, h.stats().entries());
        }
        assertEquals(before, listing(store), "nothing created, deleted or changed in size");
    }

    @Test
    void readOnlyOpenWorksBesideAWriterAndSeesWhatItHadAppended() throws IOException {
        Path store = store();
        try (HealthLog writer = HealthLog.open(store)) {
            writer.append(TestEntries.inconsistent(1));
            try (HealthLog reader = HealthLog.openReadOnly(store)) {
                assertEquals(List.of(TestEntries.inconsistent(1)), reader.query(HealthQuery.all()));
            }
            writer.append(TestEntries.inconsistent(2));
        }
    }

    @Test
    void listenersSeeEveryEntryInOrderAndOneThatThrowsBreaksNothing() throws IOException {
        List<HealthEvent> seen = new ArrayList<>();
        HealthLogOptions options = HealthLogOptions.builder()
                .listener(e -> {
                    throw new IllegalStateException("listener failure (expected by the test)");
                })
                .listener(seen::add)
                .build();
        List<HealthEntry> all = mixed();
        try (HealthLog h = HealthLog.open(store(), options)) {
            all.forEach(h::append);
            assertEquals(30, h.query(HealthQuery.all()).size(), "every entry logged despite the failing listener");
        }
        assertEquals(all.stream().map(HealthEvent::of).toList(), seen);
        assertEquals(all.get(3).rangeFingerprint(), seen.get(3).rangeFingerprint());
        for (HealthEvent e : seen) {
            assertFalse(e.toString().contains(TestEntries.KEY_MARKER), e.toString());
        }
    }

    @Test
    void aClosedLogAndBadArgumentsFailClearly() throws IOException {
        Path store = store();
        HealthLog h = HealthLog.open(store);
        h.close();
        h.close();
        StorageException closed = assertThrows(StorageException.class, () -> h.append(TestEntries.consistent(1)));
        assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
        assertThrows(StorageException.class, () -> h.query(HealthQuery.all()));
        assertThrows(StorageException.class, h::stats);

        Path missing = work.resolve("no-such-store");
        StorageException e = assertThrows(StorageException.class, () -> HealthLog.open(missing));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertThrows(StorageException.class, () -> HealthLog.openReadOnly(missing));
        assertFalse(Files.exists(missing));

        try (HealthLog open = HealthLog.open(store)) {
            StorageException twice = assertThrows(StorageException.class, () -> HealthLog.open(store));
            assertTrue(twice.getMessage().contains("already open"), twice.getMessage());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> open.append(
                    new HealthEntry(Instant.EPOCH, Severity.INFO, "r", HealthKind.VERIFY, Verdict.NONE, "", null,
                            null, -1, -1, null, null, -1, "x".repeat(5000))));
            assertTrue(tooLong.getMessage().contains("limit of 4096 bytes"), tooLong.getMessage());
            assertEquals(0, open.stats().entries(), "a refused entry writes nothing");
        }

        assertThrows(IllegalArgumentException.class, () -> HealthLogOptions.builder().maxBytes(1000));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> HealthLogOptions.builder().maxBytes(HealthLogOptions.MIN_MAX_BYTES - 1));
        assertTrue(small.getMessage().contains("between 262144 (256 KiB) and"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HealthQuery.builder().limit(0));
        assertThrows(IllegalArgumentException.class, () -> HealthQuery.builder().since(Instant.MAX)
                .until(Instant.EPOCH).build());
        assertThrows(IllegalArgumentException.class, () -> HealthQuery.builder().kinds(Set.of()));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p) + (Files.isRegularFile(p) ? " " + size(p) : "/")).sorted()
                    .filter(n -> !n.equals("/")).toList();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
