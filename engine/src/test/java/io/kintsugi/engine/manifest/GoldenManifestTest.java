package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.ManifestRecordFormat;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the checked-in golden manifest with the current code; see {@link GoldenManifestWriter}. */
class GoldenManifestTest {

    private static final List<String> FILES = List.of("00000000000000000011.oplog", "oplog.meta");

    @TempDir
    Path work;

    private static Path golden() throws URISyntaxException {
        return Paths.get(GoldenManifestTest.class.getResource("/golden/manifest-v1/oplog.meta").toURI()).getParent();
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    /** A store directory whose manifest is a copy of the golden one. */
    private Path goldenStore() throws Exception {
        Path store = work.resolve("store");
        ManifestFixtures.copyDirectory(golden(), Manifest.directory(store));
        return store;
    }

    @Test
    void theGoldenDirectoryHoldsExactlyTheseFiles() throws Exception {
        assertEquals(FILES, names(golden()));
    }

    @Test
    void theGoldenManifestOpensToTheDocumentedState() throws Exception {
        try (Manifest m = Manifest.open(goldenStore())) {
            ManifestState s = m.state();
            assertEquals(UUID.fromString("01234567-89ab-cdef-8000-00000000beef"), s.storeId());
            assertEquals(Set.of(3L, 4L), s.files().keySet());
            FileMetadata three = s.files().get(3L);
            assertEquals(73_000, three.size());
            assertEquals(1, three.minSequence());
            assertEquals(250, three.maxSequence());
            assertEquals(200, three.entryCount());
            assertEquals(0x0badf00d, three.wholeFileCrc());
            assertArrayEquals("\0orders/a".getBytes(java.nio.charset.StandardCharsets.US_ASCII), three.smallestKey());
            assertArrayEquals(GoldenManifestWriter.key(1, 2500, 1), three.largestKey());
            FileMetadata four = s.files().get(4L);
            assertEquals(List.of(512L, 251L, 300L, 1L, -1L), List.of(four.size(), four.minSequence(),
                    four.maxSequence(), four.entryCount(), (long) four.wholeFileCrc()));
            assertEquals(Map.of(0, "orders", 1, "users"), s.namespaceNames());
            assertEquals(300, s.flushedSequence());
            assertEquals(6, s.nextFileNumber());
            assertEquals(Set.of(), s.allocatedFileNumbers());
        assertEquals(2, s.openCount());
            assertEquals(321, s.cleanCloseOplogEnd().getAsLong());
            assertTrue(m.recoveryReport().tornTail().isEmpty());
            assertEquals(11, m.recoveryReport().firstSequence());
        }
    }

    @Test
    void regeneratingTheGoldenManifestGivesTheSameBytes() throws Exception {
        Path store = work.resolve("regenerated");
        ManifestState state = GoldenManifestWriter.write(store);
        Path exported = work.resolve("exported");
        GoldenManifestWriter.exportManifest(store, exported);
        assertEquals(FILES, names(exported));
        for (String name : FILES) {
            assertArrayEquals(Files.readAllBytes(golden().resolve(name)), Files.readAllBytes(exported.resolve(name)),
                    name + " differs from the golden file: a format change needs a version bump and new golden files");
        }
        try (Manifest m = Manifest.open(goldenStore())) {
            assertEquals(state, m.state());
        }
    }

    @Test
    void theGoldenRecordsAreAsDocumented() throws Exception {
        Path store = goldenStore();
        List<LogRecord> records = new ArrayList<>();
        try (Oplog log = Oplog.open(Manifest.directory(store)); OplogReader r = log.reader(log.firstSequence())) {
            assertEquals(ManifestRecordFormat.manifestLogId(GoldenManifestWriter.STORE_ID), log.logId());
            for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                records.add(rec);
            }
        }
        assertEquals(List.of(11L, 12L, 13L, 14L), records.stream().map(LogRecord::sequence).toList());
        assertEquals(List.of(ManifestRecordFormat.TYPE_SNAPSHOT, ManifestRecordFormat.TYPE_OPENED,
                ManifestRecordFormat.TYPE_EDIT, ManifestRecordFormat.TYPE_CLEAN_CLOSE),
                records.stream().map(LogRecord::type).toList());
        assertEquals(List.of(2651, 1, 110, 9), records.stream().map(r -> r.payload().length).toList());
        assertTrue(records.stream().allMatch(r -> r.term() == 0));
        HexFormat hex = HexFormat.of();
        assertEquals("01", hex.formatHex(records.get(1).payload()));
        assertEquals("014101000000000000", hex.formatHex(records.get(3).payload()));
        assertEquals("0101" + "2c01000000000000" + "0000000000000000" + "01000000",
                hex.formatHex(records.get(2).payload(), 0, 22));
        assertEquals("01" + "efcdab8967452301" + "efbe000000000080" + "fa00000000000000" + "0600000000000000"
                + "0100000000000000" + "02000000", hex.formatHex(records.get(0).payload(), 0, 45));
        // Each payload re-encodes to exactly its bytes.
        ManifestState snapshot = ManifestRecordFormat.decodeSnapshot(records.get(0).payload(), store, 11);
        assertArrayEquals(records.get(0).payload(), ManifestRecordFormat.encodeSnapshot(snapshot));
        ManifestEdit edit = ManifestRecordFormat.decodeEdit(records.get(2).payload(), store, 13);
        assertArrayEquals(records.get(2).payload(), ManifestRecordFormat.encodeEdit(edit));
    }

    @Test
    void theManifestLogIdDerivationHasAKnownAnswer() throws Exception {
        assertEquals(UUID.fromString("8d1e51e7-7f6c-38e3-81ce-ace148e532a8"),
                ManifestRecordFormat.manifestLogId(GoldenManifestWriter.STORE_ID));
        byte[] meta = Files.readAllBytes(golden().resolve("oplog.meta"));
        assertEquals("e3386c7fe7511e8da832e548e1acce81", HexFormat.of().formatHex(meta, 8, 24));
    }
}
