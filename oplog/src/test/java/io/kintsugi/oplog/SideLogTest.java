package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The machinery the health log and the lineage log share: opening in a store's subdirectory, appends refused when
 * closed or read-only, every record checked for type and term and decoded, reads that survive retention, and
 * read-only opens that write nothing and name the original files.
 */
class SideLogTest {

    private static final String DIR = "notes";
    private static final int TYPE = 3;
    private static final long TERM = 0;

    /** Decodes a payload to "sequence:text", so a test can tell a record read at the wrong sequence. */
    private static final SideLog.RecordKind<String> NOTES = new SideLog.RecordKind<>("note log", TERM, TYPE, 4096,
            (payload, dir, sequence) -> sequence + ":" + new String(payload, StandardCharsets.UTF_8));

    @TempDir
    Path store;

    private static byte[] note(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> all(SideLog<String> log) {
        List<String> out = new ArrayList<>();
        log.forEach(out::add);
        return out;
    }

    @Test
    void appendsAndReadsInOrderInTheSubdirectory() {
        List<Long> seen = new ArrayList<>();
        try (SideLog<String> log = SideLog.open(store, DIR, NOTES, OplogOptions.builder())) {
            assertEquals(store.resolve(DIR), log.directory());
            assertEquals(1, log.append(note("a")));
            assertEquals(2, log.append(note("b"), seen::add));
            assertEquals(3, log.append(note("c")));
            assertEquals(List.of(2L), seen);
            assertEquals(List.of("1:a", "2:b", "3:c"), all(log));
            assertEquals("2:b", log.read(2));
            assertEquals(3, log.size());
            List<String> first = new ArrayList<>();
            log.forEach(n -> first.add(n) && false);
            assertEquals(List.of("1:a"), first);
            assertFalse(log.isReadOnly());
            assertEquals(4096, log.oplog().orElseThrow().options().maxPayloadSize());
        }
        try (SideLog<String> again = SideLog.open(store, DIR, NOTES, OplogOptions.builder())) {
            assertEquals(List.of("1:a", "2:b", "3:c"), all(again));
        }
    }

    @Test
    void aMissingStoreDirectoryIsRefusedAndNothingIsCreated() {
        Path missing = store.resolve("absent");
        StorageException e = assertThrows(StorageException.class,
                () -> SideLog.open(missing, DIR, NOTES, OplogOptions.builder()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        StorageException ro = assertThrows(StorageException.class, () -> SideLog.openReadOnly(missing, DIR, NOTES));
        assertTrue(ro.getMessage().contains("does not exist"), ro.getMessage());
        assertFalse(Files.exists(missing));
    }

    @Test
    void aMissingLogReadsAsEmptyReadOnlyAndIsNotCreated() {
        try (SideLog<String> log = SideLog.openReadOnly(store, DIR, NOTES)) {
            assertTrue(log.isReadOnly());
            assertEquals(List.of(), all(log));
            assertEquals(0, log.size());
            assertTrue(log.oplog().isEmpty());
            StorageException e = assertThrows(StorageException.class, () -> log.append(note("x")));
            assertTrue(e.getMessage().contains("note log") && e.getMessage().contains("read-only"), e.getMessage());
            assertThrows(StorageException.class, () -> log.read(1));
        }
        assertFalse(Files.exists(store.resolve(DIR)));
    }

    @Test
    void aReadOnlyOpenReadsACopyAndRefusesAppends() throws Exception {
        try (SideLog<String> log = SideLog.open(store, DIR, NOTES, OplogOptions.builder())) {
            log.append(note("a"));
            log.append(note("b"));
            // Open beside the writer, as a tool reads a log a running store holds.
            try (SideLog<String> ro = SideLog.openReadOnly(store, DIR, NOTES)) {
                assertTrue(ro.isReadOnly());
                assertEquals(List.of("1:a", "2:b"), all(ro));
                assertNotEquals(store.resolve(DIR), ro.oplog().orElseThrow().directory());
                assertThrows(StorageException.class, () -> ro.append(note("c")));
            }
            assertEquals(List.of("1:a", "2:b"), all(log));
        }
    }

    @Test
    void aClosedLogRefusesEverythingAndClosesOnce() {
        SideLog<String> log = SideLog.open(store, DIR, NOTES, OplogOptions.builder());
        log.append(note("a"));
        log.close();
        log.close();
        for (Runnable call : List.<Runnable>of(() -> log.append(note("b")), () -> all(log), () -> log.read(1),
                log::size, log::oplog)) {
            StorageException e = assertThrows(StorageException.class, call::run);
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        }
        // The log is released: it opens again.
        SideLog.open(store, DIR, NOTES, OplogOptions.builder()).close();
    }

    @Test
    void aRecordOfAnotherTypeOrTermIsInvalidContentNamingTheLog() {
        Path dir = store.resolve(DIR);
        try (Oplog raw = Oplog.open(dir)) {
            raw.append(TERM, TYPE, note("fine"));
            raw.append(TERM, 7, note("foreign"));
        }
        for (boolean readOnly : new boolean[] {false, true}) {
            try (SideLog<String> log = readOnly ? SideLog.openReadOnly(store, DIR, NOTES)
                    : SideLog.open(store, DIR, NOTES, OplogOptions.builder())) {
                assertEquals("1:fine", log.read(1));
                CorruptionException e = assertThrows(CorruptionException.class, () -> all(log));
                assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
                assertEquals(dir, e.report().file());
                assertTrue(e.getMessage().contains("sequence 2") && e.getMessage().contains("has type 7"),
                        e.getMessage());
                assertThrows(CorruptionException.class, () -> log.read(2));
            }
        }
    }

    @Test
    void aReadGoesOnAtTheNewStartWhenRetentionReleasesWhatItHasNotReached() {
        byte[] filler = new byte[900];
        try (SideLog<String> log = SideLog.open(store, DIR, NOTES,
                OplogOptions.builder().segmentSize(OplogOptions.MIN_SEGMENT_SIZE))) {
            for (int i = 1; i <= 30; i++) {
                byte[] payload = new byte[filler.length];
                byte[] text = note("n" + i);
                System.arraycopy(text, 0, payload, 0, text.length);
                log.append(payload);
            }
            Oplog oplog = log.oplog().orElseThrow();
            List<Long> seen = new ArrayList<>();
            long[] newFirst = {0};
            log.forEach(n -> {
                long sequence = Long.parseLong(n.substring(0, n.indexOf(':')));
                assertTrue(n.startsWith(sequence + ":n" + sequence + "\u0000"), "record at the wrong sequence");
                seen.add(sequence);
                if (sequence == 1) {
                    newFirst[0] = oplog.releaseThrough(20);
                }
                return true;
            });
            assertTrue(newFirst[0] > 2, "retention released nothing: " + newFirst[0]);
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), "out of order: " + seen);
            }
            List<Long> tail = seen.subList(seen.indexOf(newFirst[0]), seen.size());
            assertEquals(31 - newFirst[0], tail.size(), "a retained record was skipped: " + seen);
            assertEquals(30L, seen.get(seen.size() - 1));
        }
    }

    @Test
    void damageFoundInACopyNamesTheOriginalFile() {
        try (SideLog<String> log = SideLog.open(store, DIR, NOTES, OplogOptions.builder())) {
            log.append(note("a"));
        }
        Path original = store.resolve(DIR);
        try (ReadOnlyLogCopy copy = ReadOnlyLogCopy.open(original, "note log", 4096)) {
            Path copied = copy.log().directory().resolve("00000000000000000001.oplog");
            CorruptionException inCopy = new CorruptionException(CorruptionReport.of(copied, 40, 8,
                    CorruptionKind.CHECKSUM_MISMATCH, "bad record in " + copied));
            CorruptionException renamed = copy.renamed(inCopy);
            assertEquals(original.resolve("00000000000000000001.oplog"), renamed.report().file());
            assertEquals(40, renamed.report().offset());
            assertEquals(CorruptionKind.CHECKSUM_MISMATCH, renamed.report().kind());
            assertFalse(renamed.getMessage().contains(copy.log().directory().toString()), renamed.getMessage());
            assertEquals(inCopy, renamed.getCause());
        }
    }
}
