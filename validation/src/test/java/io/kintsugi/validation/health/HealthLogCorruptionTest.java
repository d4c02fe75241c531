package io.kintsugi.validation.health;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * A damaged health-log record fails the open, writable or read-only, with a {@link CorruptionException} that names
 * the store's own file; no entry is dropped silently, and nothing is changed on disk. Only a torn last record, which
 * a crash during an append that never returned leaves, is dropped.
 */
class HealthLogCorruptionTest {

    private static final int ENTRIES = 40;
    private static final int CASES = Integer.getInteger("kintsugi.corruption.cases", 200);

    @TempDir
    Path work;

    /** About 1 KiB each, so that 40 entries fill three 16 KiB segments. */
    private static HealthEntry entry(int i) {
        return new HealthEntry(TestEntries.T0.plusSeconds(i), i % 4 == 0 ? Severity.ERROR : Severity.INFO,
                "replica-a", HealthKind.SCAN_BATCH, i % 4 == 0 ? Verdict.INCONSISTENT : Verdict.CONSISTENT, "orders",
                TestEntries.key(i), TestEntries.key(i + 1), i, 2 * i, new Hash128(i, 1), new Hash128(i, 2), i,
                "entry " + i + " " + "x".repeat(900));
    }

    private Path pristine() throws IOException {
        Path store = Files.createDirectories(work.resolve("pristine"));
        try (HealthLog h = HealthLog.open(store, HealthLogOptions.builder().maxBytes(HealthLogOptions.MIN_MAX_BYTES)
                .build())) {
            for (int i = 0; i < ENTRIES; i++) {
                h.append(entry(i));
            }
        }
        return store;
    }

    /** A record's place: its segment file and byte range. */
    private record RecordSpan(Path segment, long offset, int length, boolean lastOfLog) {
    }

    /** The records of every segment, in log order, read from the intact files. */
    private static List<RecordSpan> records(Path store) throws IOException {
        List<Path> segments;
        try (Stream<Path> s = Files.list(HealthLog.directory(store))) {
            segments = s.filter(p -> p.getFileName().toString().endsWith(".oplog")).sorted().toList();
        }
        List<RecordSpan> out = new ArrayList<>();
        for (Path seg : segments) {
            byte[] b = Files.readAllBytes(seg);
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            int at = 36;
            while (at < b.length) {
                int length = 29 + buf.getInt(at);
                out.add(new RecordSpan(seg, at, length, false));
                at += length;
            }
        }
        RecordSpan last = out.remove(out.size() - 1);
        out.add(new RecordSpan(last.segment(), last.offset(), last.length(), true));
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    private static Map<String, byte[]> contents(Path store) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(store)) {
            for (Path p : s.sorted().toList()) {
                out.put(store.relativize(p).toString(), Files.isRegularFile(p) ? Files.readAllBytes(p) : null);
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

    @Test
    void aDamagedRecordBeforeTheLastFailsEveryOpenAndChangesNothing() throws IOException {
        Path pristine = pristine();
        List<RecordSpan> spans = records(pristine);
        assertTrue(spans.stream().map(RecordSpan::segment).distinct().count() >= 3, "several segments");
        assertEquals(ENTRIES, spans.size());
        Random random = new Random(0x4ea17b);
        for (int c = 0; c < CASES; c++) {
            Path store = work.resolve("case-" + c);
            copy(pristine, store);
            RecordSpan victim = spans.get(random.nextInt(ENTRIES - 1)); // never the last: that one may be torn
            long offset = victim.offset() + random.nextInt(victim.length());
            int bit = random.nextInt(8);
            Path file = store.resolve(pristine.relativize(victim.segment()).toString());
            flipBit(file, offset, bit);
            String what = "case " + c + ": bit " + bit + " of " + file.getFileName() + " at offset " + offset;
            Map<String, byte[]> damaged = contents(store);

            CorruptionException readOnly = assertThrows(CorruptionException.class, () -> HealthLog.openReadOnly(store),
                    what);
            assertEquals(CorruptionException.class, readOnly.getClass(), what);
            assertEquals(file, readOnly.report().file(), what + ": the report names the store's own file");
            assertFalse(readOnly.getMessage().contains(TestEntries.KEY_MARKER), readOnly.getMessage());
            assertSameContents(damaged, contents(store), what + " (read-only open)");

            CorruptionException writable = assertThrows(CorruptionException.class, () -> HealthLog.open(store), what);
            assertEquals(CorruptionException.class, writable.getClass(), what);
            assertEquals(file, writable.report().file(), what);
            assertEquals(readOnly.report().kind(), writable.report().kind(), what);
            assertEquals(readOnly.report().offset(), writable.report().offset(), what);
            assertTrue(writable.report().offset() == victim.offset() || writable.report().kind()
                    == CorruptionKind.SEQUENCE_GAP, what + ": reported at " + writable.report().offset());
            Map<String, byte[]> after = contents(store);
            after.keySet().removeIf(n -> n.endsWith(Oplog.LOCK_FILE_NAME));
            damaged.keySet().removeIf(n -> n.endsWith(Oplog.LOCK_FILE_NAME));
            assertSameContents(damaged, after, what + " (writable open): nothing truncated or deleted");
        }
    }

    @Test
    void aTornLastRecordIsDroppedAndEveryOtherEntryReadsBackUnchanged() throws IOException {
        Path store = pristine();
        RecordSpan last = records(store).get(ENTRIES - 1);
        assertTrue(last.lastOfLog());
        try (FileChannel ch = FileChannel.open(last.segment(), StandardOpenOption.WRITE)) {
            ch.truncate(last.offset() + last.length() / 2);
        }
        long tornSize = Files.size(last.segment());
        List<HealthEntry> expected = new ArrayList<>();
        for (int i = ENTRIES - 2; i >= 0; i--) {
            expected.add(entry(i));
        }
        try (HealthLog h = HealthLog.openReadOnly(store)) {
            assertEquals(expected, h.query(HealthQuery.all()));
        }
        assertEquals(tornSize, Files.size(last.segment()), "a read-only open does not truncate");
        try (HealthLog h = HealthLog.open(store)) {
            assertEquals(expected, h.query(HealthQuery.all()));
            assertEquals(last.offset(), Files.size(last.segment()), "the torn record is truncated");
        }
    }

    @Test
    void aRecordThatPassesItsChecksumButDoesNotDecodeFailsTheQueryInsteadOfBeingSkipped() throws IOException {
        Path store = Files.createDirectories(work.resolve("undecodable"));
        try (HealthLog h = HealthLog.open(store)) {
            h.append(entry(0));
        }
        byte[] bad = HealthEntryFormat.encode(entry(1));
        bad[HealthEntryFormat.KIND_OFFSET] = 99;
        try (Oplog log = Oplog.open(HealthLog.directory(store), OplogOptions.builder().maxPayloadSize(1 << 20)
                .build())) {
            log.append(0, HealthEntryFormat.RECORD_TYPE, bad);
            log.append(0, HealthEntryFormat.RECORD_TYPE, HealthEntryFormat.encode(entry(2)));
        }
        try (HealthLog h = HealthLog.open(store)) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> h.query(HealthQuery.all()));
            assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
            assertTrue(e.getMessage().contains("sequence 2") && e.getMessage().contains("unknown kind code 99"),
                    e.getMessage());
            assertEquals(HealthLog.directory(store), e.report().file());
        }

        Path other = Files.createDirectories(work.resolve("wrong-type"));
        try (Oplog log = Oplog.open(HealthLog.directory(other))) {
            log.append(0, 7, HealthEntryFormat.encode(entry(0)));
        }
        try (HealthLog h = HealthLog.openReadOnly(other)) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> h.query(HealthQuery.all()));
            assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
            assertTrue(e.getMessage().contains("has type 7"), e.getMessage());
        }
    }

    private static void flipBit(Path file, long offset, int bit) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            b.rewind();
            ch.write(b, offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
