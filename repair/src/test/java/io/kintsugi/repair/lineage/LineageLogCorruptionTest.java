package io.kintsugi.repair.lineage;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.RecoveryReport;
import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lineage log must not forget a copy: a damaged record fails every open with a {@link CorruptionException} that
 * names the store's own file, and changes nothing on disk; only a torn last record, which a crash during an append
 * that never returned leaves, is dropped, and that is reported. Seeded and reproducible.
 */
class LineageLogCorruptionTest {

    private static final int RECORDS = 30;
    private static final int CASES = Integer.getInteger("kintsugi.corruption.cases", 200);
    /** Key bytes every record carries, so that a test can tell whether any leaked into a message. */
    private static final String KEY_MARKER = "secret-key";
    private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    @TempDir
    Path work;

    private static LineageRecord record(int i) {
        return new LineageRecord(T0.plusSeconds(i), i % 5 == 4 ? LineageKind.WHOLE_REPLICA_COPY
                : LineageKind.RANGE_COPY, "me", "peer-" + (i % 3), i % 5 == 4 ? "" : "orders",
                i % 5 == 4 ? null : (KEY_MARKER + "-" + i).getBytes(StandardCharsets.UTF_8),
                i % 5 == 4 ? null : (KEY_MARKER + "-" + i + "z").getBytes(StandardCharsets.UTF_8),
                1000 + i, i, 100L * i, new Hash128(i, -i), "repair-" + i);
    }

    private static List<LineageRecord> records(int n) {
        List<LineageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(record(i));
        }
        return out;
    }

    private Path pristine() throws IOException {
        Path store = Files.createDirectories(work.resolve("pristine"));
        try (LineageLog log = LineageLog.open(store)) {
            for (LineageRecord r : records(RECORDS)) {
                log.append(r);
            }
        }
        return store;
    }

    /** A record's place in its segment file. */
    private record Span(long offset, int length) {
    }

    private static Path segment(Path store) throws IOException {
        try (Stream<Path> s = Files.list(LineageLog.directory(store))) {
            List<Path> segments = s.filter(p -> p.getFileName().toString().endsWith(".oplog")).sorted().toList();
            assertEquals(1, segments.size(), "a lineage log this small is one segment");
            return segments.get(0);
        }
    }

    /**
     * Walks the segment by the oplog's framing (docs/FORMAT.md section 4): a 36-byte segment header, then records
     * of a 29-byte frame (whose first field is the payload length) and the payload.
     */
    private static List<Span> spans(Path segment) throws IOException {
        byte[] b = Files.readAllBytes(segment);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<Span> out = new ArrayList<>();
        for (int at = 36; at < b.length; ) {
            int length = 29 + buf.getInt(at);
            out.add(new Span(at, length));
            at += length;
        }
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals(Oplog.LOCK_FILE_NAME)) {
                    Files.copy(p, to.resolve(from.relativize(p).toString()));
                }
            }
        }
    }

    private static Map<String, byte[]> contents(Path store) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(store)) {
            for (Path p : s.sorted().toList()) {
                String name = store.relativize(p).toString();
                if (!name.endsWith(Oplog.LOCK_FILE_NAME)) {
                    out.put(name, Files.isRegularFile(p) ? Files.readAllBytes(p) : null);
                }
            }
        }
        return out;
    }

    private static void assertSameContents(Map<String, byte[]> expected, Map<String, byte[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (String name : expected.keySet()) {
            assertTrue(Arrays.equals(expected.get(name), actual.get(name)), what + ": " + name + " changed");
        }
    }

    private static void flipBit(Path file, long offset, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ (1 << bit)));
            one.rewind();
            ch.write(one, offset);
        }
    }

    @Test
    void aFlippedBitInAnyRecordButTheLastFailsEveryOpenNamingTheFileAndChangesNothing() throws IOException {
        Path pristine = pristine();
        List<Span> spans = spans(segment(pristine));
        assertEquals(RECORDS, spans.size());
        Random random = new Random(0x11ea6e);
        int cases = Math.max(20, CASES / 4); // each case copies and opens a store twice
        for (int c = 0; c < cases; c++) {
            Path store = work.resolve("case-" + c);
            copy(pristine, store);
            Span victim = spans.get(random.nextInt(RECORDS - 1)); // the last one may be torn: see the next test
            long offset = victim.offset() + random.nextInt(victim.length());
            int bit = random.nextInt(8);
            Path file = segment(store);
            flipBit(file, offset, bit);
            String what = "case " + c + ": bit " + bit + " at offset " + offset;
            Map<String, byte[]> damaged = contents(store);

            CorruptionException readOnly = assertThrows(CorruptionException.class,
                    () -> LineageLog.openReadOnly(store), what);
            assertEquals(CorruptionException.class, readOnly.getClass(), what);
            assertEquals(file, readOnly.report().file(), what + ": the report names the store's own file");
            assertFalse(readOnly.getMessage().contains(KEY_MARKER), readOnly.getMessage());
            assertSameContents(damaged, contents(store), what + " (read-only open)");

            CorruptionException writable = assertThrows(CorruptionException.class, () -> LineageLog.open(store),
                    what);
            assertEquals(CorruptionException.class, writable.getClass(), what);
            assertEquals(file, writable.report().file(), what);
            assertEquals(readOnly.report().kind(), writable.report().kind(), what);
            assertEquals(readOnly.report().offset(), writable.report().offset(), what);
            assertTrue(writable.report().offset() == victim.offset()
                            || writable.report().kind() == CorruptionKind.SEQUENCE_GAP,
                    what + ": reported at " + writable.report().offset());
            assertFalse(writable.getMessage().contains(KEY_MARKER), writable.getMessage());
            assertSameContents(damaged, contents(store), what + " (writable open): nothing truncated");
        }
    }

    @Test
    void aTornLastRecordIsReportedDroppedAndEveryEarlierRecordReadsBackUnchanged() throws IOException {
        Path pristine = pristine();
        Random random = new Random(0x7042);
        for (int c = 0; c < 10; c++) {
            Path store = work.resolve("torn-" + c);
            copy(pristine, store);
            Path file = segment(store);
            Span last = spans(file).get(RECORDS - 1);
            long cut = last.offset() + 1 + random.nextInt(last.length() - 1); // at least one byte of it is gone
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            List<LineageRecord> survivors = records(RECORDS - 1);
            try (LineageLog ro = LineageLog.openReadOnly(store)) {
                assertEquals(survivors, ro.query(LineageQuery.all()));
                RecoveryReport.TornTail t = ro.tornTail().orElseThrow(() -> new AssertionError("not reported"));
                assertEquals(file, t.file(), "the report names the store's own file");
                assertEquals(last.offset(), t.offset());
                assertEquals(RECORDS - 1, t.lastValidSequence());
            }
            assertEquals(cut, Files.size(file), "a read-only open does not truncate");
            try (LineageLog log = LineageLog.open(store)) {
                assertEquals(survivors, log.query(LineageQuery.all()));
                RecoveryReport.TornTail t = log.tornTail().orElseThrow(() -> new AssertionError("not reported"));
                assertEquals(cut - last.offset(), t.bytesDropped());
                assertEquals(last.offset(), Files.size(file), "the torn record is truncated");
                // The log carries on: the next append takes the dropped record's sequence.
                assertEquals(RECORDS, log.append(record(RECORDS - 1)));
            }
            try (LineageLog log = LineageLog.open(store)) {
                assertEquals(records(RECORDS), log.query(LineageQuery.all()));
                assertTrue(log.tornTail().isEmpty());
            }
        }
    }

    @Test
    void damageToTheLastRecordIsNeverSilent() throws IOException {
        // The oplog cannot tell a bit flipped in the last record from a write torn by a crash: either way nothing
        // intact follows. What it must not do is lose the record without saying so.
        Path pristine = pristine();
        Random random = new Random(0x1a57);
        for (int c = 0; c < 20; c++) {
            Path store = work.resolve("last-" + c);
            copy(pristine, store);
            Path file = segment(store);
            Span last = spans(file).get(RECORDS - 1);
            flipBit(file, last.offset() + random.nextInt(last.length()), random.nextInt(8));
            try (LineageLog log = LineageLog.open(store)) {
                List<LineageRecord> read = log.query(LineageQuery.all());
                if (read.size() < RECORDS) {
                    assertEquals(records(RECORDS - 1), read, "case " + c);
                    assertTrue(log.tornTail().isPresent(), "case " + c + ": a dropped record is reported");
                } else {
                    throw new AssertionError("case " + c + ": a damaged record read back as intact");
                }
            } catch (CorruptionException e) {
                assertEquals(file, e.report().file(), "case " + c);
            }
        }
    }

    @Test
    void aRecordThatPassesItsChecksumButDoesNotDecodeFailsTheOpen() throws IOException {
        Path store = Files.createDirectories(work.resolve("undecodable"));
        try (LineageLog log = LineageLog.open(store)) {
            log.append(record(0));
        }
        byte[] bad = LineageRecordFormat.encode(record(1));
        bad[LineageRecordFormat.KIND_OFFSET] = 99;
        try (Oplog raw = Oplog.open(LineageLog.directory(store))) {
            raw.append(0, LineageRecordFormat.RECORD_TYPE, bad);
            raw.append(0, LineageRecordFormat.RECORD_TYPE, LineageRecordFormat.encode(record(2)));
        }
        for (boolean readOnly : new boolean[]{false, true}) {
            CorruptionException e = assertThrows(CorruptionException.class,
                    () -> (readOnly ? LineageLog.openReadOnly(store) : LineageLog.open(store)).close());
            assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
            assertEquals(LineageLog.directory(store), e.report().file());
            assertTrue(e.getMessage().contains("sequence 2") && e.getMessage().contains("unknown kind code 99")
                    && e.getMessage().contains("payload offset 1"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY_MARKER), e.getMessage());
        }

        Path rules = Files.createDirectories(work.resolve("rule-breaking"));
        byte[] self = LineageRecordFormat.encode(new LineageRecord(T0, LineageKind.RANGE_COPY, "me", "mf", "orders",
                null, null, 1, 1, 1, null, ""));
        // The last byte of the source id (after the target length, "me" and the source length): "mf" becomes "me".
        self[LineageRecordFormat.FIXED_LENGTH + 7] = 'e';
        try (Oplog raw = Oplog.open(LineageLog.directory(rules))) {
            raw.append(0, LineageRecordFormat.RECORD_TYPE, self);
        }
        CorruptionException e = assertThrows(CorruptionException.class, () -> LineageLog.open(rules));
        assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
        assertTrue(e.getMessage().contains("cannot copy from itself"), e.getMessage());

        Path wrongType = Files.createDirectories(work.resolve("wrong-type"));
        try (Oplog raw = Oplog.open(LineageLog.directory(wrongType))) {
            raw.append(0, 7, LineageRecordFormat.encode(record(0)));
        }
        e = assertThrows(CorruptionException.class, () -> LineageLog.open(wrongType));
        assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
        assertTrue(e.getMessage().contains("type 7"), e.getMessage());
    }
}
