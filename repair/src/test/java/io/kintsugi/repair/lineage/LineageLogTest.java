package io.kintsugi.repair.lineage;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Appending, querying and reopening a lineage log, and the range-overlap rules repair relies on. */
class LineageLogTest {

    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    @TempDir
    Path store;

    private static byte[] k(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static LineageRecord range(int minutes, String source, String ns, String from, String to) {
        return new LineageRecord(T0.plusSeconds(60L * minutes), LineageKind.RANGE_COPY, "me", source, ns,
                from == null ? null : k(from), to == null ? null : k(to), 100 + minutes, 5, 500,
                new Hash128(minutes, 7), "repair-" + minutes);
    }

    private static LineageRecord whole(int minutes, String source) {
        return new LineageRecord(T0.plusSeconds(60L * minutes), LineageKind.WHOLE_REPLICA_COPY, "me", source, "",
                null, null, 1000 + minutes, -1, -1, null, "");
    }

    @Test
    void appendedRecordsReadBackInOrderAndSurviveReopen() {
        List<LineageRecord> written = List.of(range(0, "b", "orders", "a", "m"), range(1, "c", "users", null, "q"),
                whole(2, "b"), range(3, "c", "orders", "m", null));
        try (LineageLog log = LineageLog.open(store)) {
            for (int i = 0; i < written.size(); i++) {
                assertEquals(i + 1, log.append(written.get(i)));
            }
            assertEquals(written, log.query(LineageQuery.all()));
            assertEquals(4, log.size());
        }
        try (LineageLog log = LineageLog.open(store)) {
            assertEquals(written, log.query(LineageQuery.all()));
            assertTrue(log.tornTail().isEmpty());
            log.append(range(4, "b", "orders", "x", "z"));
            assertEquals(5, log.size());
        }
        try (LineageLog ro = LineageLog.openReadOnly(store)) {
            assertTrue(ro.isReadOnly());
            assertEquals(5, ro.query(LineageQuery.all()).size());
            assertThrows(StorageException.class, () -> ro.append(range(5, "b", "orders", "a", "b")));
        }
    }

    @Test
    void copiedFromFindsOverlappingCopiesFromThatSourceSinceThen() {
        try (LineageLog log = LineageLog.open(store)) {
            log.append(range(0, "b", "orders", "c", "f"));   // [c, f)
            log.append(range(10, "b", "orders", null, "c")); // [start, c)
            log.append(range(20, "b", "orders", "p", null)); // [p, end)
            log.append(range(30, "c", "orders", "a", "z"));  // another source
            log.append(range(40, "b", "users", "a", "z"));   // another namespace

            // Since the start of time, [d, e) overlaps only [c, f).
            assertEquals(List.of(0), minutes(log.copiedFrom("b", "orders", k("d"), k("e"), T0)));
            // The end bound is exclusive on both sides: [f, p) touches neither [c, f) nor [p, end).
            assertEquals(List.of(), minutes(log.copiedFrom("b", "orders", k("f"), k("p"), T0)));
            // [b, c) touches [start, c) but not [c, f).
            assertEquals(List.of(10), minutes(log.copiedFrom("b", "orders", k("b"), k("c"), T0)));
            // An open query touches every range of the namespace.
            assertEquals(List.of(0, 10, 20), minutes(log.copiedFrom("b", "orders", null, null, T0)));
            assertEquals(List.of(20), minutes(log.copiedFrom("b", "orders", k("zz"), null, T0)));
            assertEquals(List.of(10), minutes(log.copiedFrom("b", "orders", null, k("a"), T0)));
            // An empty key is the smallest key: [empty, c) overlaps [start, c).
            assertEquals(List.of(10), minutes(log.copiedFrom("b", "orders", new byte[0], k("a"), T0)));
            // Since is inclusive: the copy at minute 10 counts from minute 10 on, not after.
            assertEquals(List.of(10, 20), minutes(log.copiedFrom("b", "orders", null, null, T0.plusSeconds(600))));
            assertEquals(List.of(20), minutes(log.copiedFrom("b", "orders", null, null, T0.plusSeconds(601))));
            assertEquals(List.of(), minutes(log.copiedFrom("d", "orders", null, null, T0)));
        }
    }

    @Test
    void aWholeReplicaCopyTouchesEveryRangeOfEveryNamespace() {
        try (LineageLog log = LineageLog.open(store)) {
            log.append(whole(5, "b"));
            log.append(range(6, "c", "orders", "a", "b"));
            assertEquals(1, log.copiedFrom("b", "anything", k("q"), k("r"), T0).size());
            assertEquals(0, log.copiedFrom("b", "anything", k("q"), k("r"), T0.plusSeconds(301)).size());
            assertEquals(List.of(LineageKind.WHOLE_REPLICA_COPY), log.query(LineageQuery.builder()
                    .kind(LineageKind.WHOLE_REPLICA_COPY).build()).stream().map(LineageRecord::kind).toList());
            assertEquals(1, log.query(LineageQuery.builder().source("c").build()).size());
            assertEquals(1, log.query(LineageQuery.builder().since(T0.plusSeconds(360)).build()).size());
        }
    }

    @Test
    void emptyRangesAndSelfCopiesAreRefusedWithoutKeyBytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> range(0, "b", "orders", "secret-z", "secret-a"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertTrue(e.getMessage().contains("empty range"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> range(0, "b", "orders", "same", "same"));
        assertThrows(IllegalArgumentException.class, () -> range(0, "me", "orders", "a", "b"));
        assertThrows(IllegalArgumentException.class, () -> range(0, "b", "", "a", "b"));
        assertThrows(IllegalArgumentException.class, () -> new LineageRecord(T0, LineageKind.WHOLE_REPLICA_COPY,
                "me", "b", "orders", null, null, 1, 1, 1, null, ""));
        assertThrows(IllegalArgumentException.class, () -> new LineageRecord(T0, LineageKind.RANGE_COPY,
                "me", "b", "orders", null, null, -1, 1, 1, null, ""));
        IllegalArgumentException q = assertThrows(IllegalArgumentException.class,
                () -> LineageQuery.builder().overlapping("orders", k("secret-z"), k("secret-a")));
        assertFalse(q.getMessage().contains("secret"), q.getMessage());
    }

    @Test
    void fieldsOverTheFormatLimitsAreRefusedNamingTheLimitAndNothingIsWritten() {
        try (LineageLog log = LineageLog.open(store)) {
            LineageRecord longId = new LineageRecord(T0, LineageKind.RANGE_COPY, "me", "s".repeat(256), "orders",
                    null, null, 1, 1, 1, null, "");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.append(longId));
            assertTrue(e.getMessage().contains("255") && e.getMessage().contains("MAX_REPLICA_ID_BYTES"),
                    e.getMessage());
            LineageRecord longKey = new LineageRecord(T0, LineageKind.RANGE_COPY, "me", "b", "orders",
                    new byte[LineageRecordFormat.MAX_KEY_BYTES + 1], null, 1, 1, 1, null, "");
            e = assertThrows(IllegalArgumentException.class, () -> log.append(longKey));
            assertTrue(e.getMessage().contains(String.valueOf(LineageRecordFormat.MAX_KEY_BYTES)), e.getMessage());
            assertEquals(0, log.size());
        }
    }

    @Test
    void toStringShowsFingerprintsNeverKeyBytes() {
        LineageRecord r = range(1, "b", "orders", "secret-from", "secret-to");
        String s = r.toString();
        assertFalse(s.contains("secret"), s);
        assertTrue(s.contains("/11B") && s.contains("/9B") && s.contains("b") && s.contains("sequence=101"), s);
        assertEquals("[start .. end)", whole(1, "b").rangeFingerprint());
        String q = LineageQuery.builder().overlapping("orders", k("secret-from"), null).build().toString();
        assertFalse(q.contains("secret"), q);
    }

    @Test
    void aClosedLogRefusesUseAndAMissingStoreDirectoryIsAClearError() throws IOException {
        LineageLog log = LineageLog.open(store);
        log.close();
        log.close();
        StorageException e = assertThrows(StorageException.class, () -> log.append(whole(0, "b")));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(StorageException.class, () -> log.query(LineageQuery.all()));
        StorageException missing = assertThrows(StorageException.class,
                () -> LineageLog.open(store.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path empty = Files.createDirectories(store.resolve("other"));
        try (LineageLog ro = LineageLog.openReadOnly(empty)) {
            assertEquals(List.of(), ro.query(LineageQuery.all()));
        }
        assertFalse(Files.exists(LineageLog.directory(empty)), "a read-only open creates nothing");
    }

    @Test
    void aSecondWriterOnTheSameDirectoryIsRefused() {
        try (LineageLog log = LineageLog.open(store)) {
            assertThrows(StorageException.class, () -> LineageLog.open(store));
            // A reader is fine beside the writer.
            log.append(whole(0, "b"));
            try (LineageLog ro = LineageLog.openReadOnly(store)) {
                assertEquals(1, ro.size());
            }
        }
    }

    private static List<Integer> minutes(List<LineageRecord> records) {
        return records.stream().map(r -> (int) ((r.time().getEpochSecond() - T0.getEpochSecond()) / 60)).toList();
    }
}
