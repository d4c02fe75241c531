package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.kintsugi.engine.manifest.ManifestFixtures.file;
import static io.kintsugi.engine.manifest.ManifestFixtures.writeSegment;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The open-time cross-checks against the segment files and the data oplog, and stale or lost manifests. */
class ManifestChecksTest {

    private static final UUID STORE = UUID.fromString("51111111-2222-4333-8444-555555555555");

    @TempDir
    Path dir;

    /** Files 1 and 2 listed, 3 and 4 allocated, 5 removed earlier, next file number 7, flushed 40. */
    private static ManifestState state() {
        return ManifestState.empty(STORE)
                .apply(ManifestEdit.builder().nextFileNumber(7).build())
                .apply(ManifestEdit.builder().addFile(file(1)).addFile(file(2)).addFile(file(5)).flushedSequence(40)
                        .abandonFileNumber(6).build())
                .apply(ManifestEdit.builder().removeFile(5).build());
    }

    private static void assertKind(CorruptionKind kind, Runnable check, String... words) {
        CorruptionException e = assertThrows(CorruptionException.class, check::run);
        assertEquals(kind, e.report().kind(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
    }

    @Test
    void listedFilesPresentWithTheirSizesPass() throws IOException {
        writeSegment(dir, file(1));
        writeSegment(dir, file(2));
        Files.write(dir.resolve("unrelated.txt"), new byte[3]);
        Files.createDirectory(dir.resolve(StoreFiles.MANIFEST_DIR));
        ManifestChecks.FileCheck u = ManifestChecks.checkFiles(state(), dir);
        assertEquals(List.of(), u.orphans());
        assertEquals(List.of(), u.deletionLeftovers());
    }

    @Test
    void aMissingListedFileIsMissingFile() {
        writeSegment(dir, file(2));
        assertKind(CorruptionKind.MISSING_FILE, () -> ManifestChecks.checkFiles(state(), dir), "file 1",
                "does not exist");
    }

    @Test
    void aShorterFileIsTruncatedAndALongerOneBadLength() throws IOException {
        writeSegment(dir, file(1));
        writeSegment(dir, file(2));
        Path two = dir.resolve(StoreFiles.segmentFileName(2));
        Files.write(two, new byte[(int) file(2).size() - 1]);
        assertKind(CorruptionKind.TRUNCATED, () -> ManifestChecks.checkFiles(state(), dir), "102 bytes",
                "101 bytes");
        Files.write(two, new byte[(int) file(2).size() + 5]);
        assertKind(CorruptionKind.BAD_LENGTH, () -> ManifestChecks.checkFiles(state(), dir), "102 bytes",
                "107 bytes");
    }

    @Test
    void aDirectoryInPlaceOfAListedFileIsMissingFile() throws IOException {
        writeSegment(dir, file(2));
        Files.createDirectory(dir.resolve(StoreFiles.segmentFileName(1)));
        assertKind(CorruptionKind.MISSING_FILE, () -> ManifestChecks.checkFiles(state(), dir), "not a regular file");
    }

    @Test
    void unlistedFilesAreOrphansOrDeletionLeftovers() {
        writeSegment(dir, file(1));
        writeSegment(dir, file(2));
        Path orphan = writeSegment(dir, file(4));
        Path removed = writeSegment(dir, file(5));
        Path abandoned = writeSegment(dir, file(6));
        ManifestChecks.FileCheck u = ManifestChecks.checkFiles(state(), dir);
        assertEquals(List.of(orphan), u.orphans());
        assertEquals(List.of(removed, abandoned), u.deletionLeftovers());
        assertEquals(List.of(orphan, removed, abandoned), u.unlisted());
    }

    @Test
    void aFileAtOrAboveTheNextFileNumberMeansAStaleManifest() {
        writeSegment(dir, file(1));
        writeSegment(dir, file(2));
        writeSegment(dir, file(7));
        assertKind(CorruptionKind.STALE_FILE, () -> ManifestChecks.checkFiles(state(), dir), "000000000007.seg",
                "older copy");
    }

    @Test
    void customNamingIsUsed() {
        Path p = dir.resolve("f1");
        try {
            Files.write(p, new byte[(int) file(1).size()]);
            Files.write(dir.resolve("f2"), new byte[(int) file(2).size()]);
            Files.write(dir.resolve("f3"), new byte[1]);
        } catch (IOException e) {
            fail(e);
        }
        ManifestChecks.FileCheck u = ManifestChecks.checkFiles(state(), dir, n -> "f" + n,
                name -> name.matches("f[0-9]+") ? Long.parseLong(name.substring(1)) : -1);
        assertEquals(List.of(dir.resolve("f3")), u.orphans());
    }

    @Test
    void oplogThatCoversEverythingAfterTheFlushedSequencePasses() {
        ManifestState s = state();
        Path oplog = dir.resolve("oplog");
        assertDoesNotThrow(() -> ManifestChecks.checkOplog(s, dir, oplog, 41, 40));
        assertDoesNotThrow(() -> ManifestChecks.checkOplog(s, dir, oplog, 1, 100));
        assertDoesNotThrow(() -> ManifestChecks.checkOplog(s, dir, oplog, 30, 40));
        assertDoesNotThrow(() -> ManifestChecks.checkOplog(s.withCleanClose(55), dir, oplog, 41, 55));
        assertThrows(IllegalArgumentException.class, () -> ManifestChecks.checkOplog(s, dir, oplog, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> ManifestChecks.checkOplog(s, dir, oplog, 10, 5));
    }

    @Test
    void aGapBetweenFlushedAndTheOplogIsMissingData() {
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> ManifestChecks.checkOplog(state(), dir, dir.resolve("oplog"), 42, 90));
        assertEquals(CorruptionKind.MISSING_FILE, e.report().kind());
        assertEquals(dir.resolve("oplog"), e.report().file());
        assertTrue(e.getMessage().contains("records 41 to 41"), e.getMessage());
    }

    @Test
    void theShortFormReportsPathsRelativeToTheStoreDirectory() {
        CorruptionException gap = assertThrows(CorruptionException.class,
                () -> ManifestChecks.checkOplog(state(), 42, 90));
        assertEquals(java.nio.file.Paths.get(StoreFiles.OPLOG_DIR), gap.report().file());
        CorruptionException stale = assertThrows(CorruptionException.class,
                () -> ManifestChecks.checkOplog(state().withCleanClose(50), 41, 51));
        assertEquals(java.nio.file.Paths.get(StoreFiles.MANIFEST_DIR), stale.report().file());
        assertDoesNotThrow(() -> ManifestChecks.checkOplog(state(), 41, 40));
    }

    @Test
    void anOplogEndingBeforeTheFlushedSequenceIsStale() {
        assertKind(CorruptionKind.STALE_FILE, () -> ManifestChecks.checkOplog(state(), dir, dir.resolve("oplog"),
                1, 39), "ends at 39");
    }

    @Test
    void cleanCloseMustMatchTheOplogEnd() {
        ManifestState closed = state().withCleanClose(60);
        CorruptionException lost = assertThrows(CorruptionException.class,
                () -> ManifestChecks.checkOplog(closed, dir, dir.resolve("oplog"), 41, 59));
        assertEquals(CorruptionKind.TRUNCATED, lost.report().kind());
        assertTrue(lost.getMessage().contains("records 60 to 60 are lost"), lost.getMessage());
        CorruptionException stale = assertThrows(CorruptionException.class,
                () -> ManifestChecks.checkOplog(closed, dir, dir.resolve("oplog"), 41, 61));
        assertEquals(CorruptionKind.STALE_FILE, stale.report().kind());
        assertEquals(Manifest.directory(dir), stale.report().file());
    }

    @Test
    void wholeFileCrcMustMatch() {
        FileMetadata f = file(3);
        assertDoesNotThrow(() -> ManifestChecks.checkWholeFileCrc(dir, f, f.wholeFileCrc()));
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> ManifestChecks.checkWholeFileCrc(dir, f, f.wholeFileCrc() ^ 1));
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, e.report().kind());
        assertEquals(Integer.toUnsignedLong(f.wholeFileCrc()), e.report().expected().getAsLong());
    }

    // --- an older copy of the manifest put back -------------------------------------------------------------

    /** Runs a store's manifest to a point, copies it, runs on, and puts the copy back. */
    private Manifest staleCopyAfter(boolean cleanCloseBeforeCopy, Runnable later) {
        Path copy = dir.resolve("copy");
        try (Manifest m = Manifest.create(dir, STORE)) {
            m.recordOpened();
            ManifestFixtures.flush(m, dir, 10);
            ManifestFixtures.flush(m, dir, 20);
            if (cleanCloseBeforeCopy) {
                m.recordCleanClose(25);
            }
        }
        ManifestFixtures.copyDirectory(Manifest.directory(dir), copy);
        later.run();
        ManifestFixtures.deleteDirectory(Manifest.directory(dir));
        ManifestFixtures.copyDirectory(copy, Manifest.directory(dir));
        return Manifest.open(dir);
    }

    @Test
    void aStaleManifestMissesFilesFlushedSince() {
        try (Manifest stale = staleCopyAfter(false, () -> {
            try (Manifest m = Manifest.open(dir)) {
                m.recordOpened();
                ManifestFixtures.flush(m, dir, 30);
            }
        })) {
            assertKind(CorruptionKind.STALE_FILE, () -> ManifestChecks.checkFiles(stale.state(), dir),
                    "000000000003.seg");
        }
    }

    @Test
    void aStaleManifestListsFilesCompactedAwaySince() {
        try (Manifest stale = staleCopyAfter(false, () -> {
            try (Manifest m = Manifest.open(dir)) {
                m.recordOpened();
                m.apply(ManifestEdit.builder().removeFile(1).build());
                Files.delete(dir.resolve(StoreFiles.segmentFileName(1)));
            } catch (IOException e) {
                fail(e);
            }
        })) {
            assertKind(CorruptionKind.MISSING_FILE, () -> ManifestChecks.checkFiles(stale.state(), dir), "file 1");
        }
    }

    @Test
    void aStaleCleanCloseIsCaughtByTheOplogEnd() {
        try (Manifest stale = staleCopyAfter(true, () -> {
            try (Manifest m = Manifest.open(dir)) {
                m.recordOpened();
                m.recordCleanClose(31); // the store wrote records 26..31 in between
            }
        })) {
            assertEquals(25, stale.state().cleanCloseOplogEnd().getAsLong());
            assertDoesNotThrow(() -> ManifestChecks.checkFiles(stale.state(), dir));
            assertKind(CorruptionKind.STALE_FILE, () -> ManifestChecks.checkOplog(stale.state(), dir,
                    dir.resolve("oplog"), 1, 31), "older copy");
        }
    }

    @Test
    void aStaleFlushedSequenceShowsAsAGapAgainstARealOplog() {
        Path oplogDir = dir.resolve("oplog");
        try (Oplog data = Oplog.open(oplogDir, OplogOptions.builder().segmentSize(4096).build())) {
            for (int i = 0; i < 60; i++) {
                data.append(1, 0, new byte[200]);
            }
        }
        try (Manifest stale = staleCopyAfter(false, () -> {
            try (Manifest m = Manifest.open(dir); Oplog data = Oplog.open(oplogDir)) {
                m.recordOpened();
                ManifestFixtures.flush(m, dir, 50);
                assertTrue(data.releaseThrough(50) > 21);
            }
        })) {
            // The newer file also exposes the stale copy; the oplog check does on its own too.
            assertKind(CorruptionKind.STALE_FILE, () -> ManifestChecks.checkFiles(stale.state(), dir));
            try (Oplog data = Oplog.open(oplogDir)) {
                assertKind(CorruptionKind.MISSING_FILE, () -> ManifestChecks.checkOplog(stale.state(), dir, oplogDir,
                        data.firstSequence(), data.lastSequence()), "records 21 to");
            }
        }
    }

    // --- a lost manifest -------------------------------------------------------------------------------------

    @Test
    void aDeletedManifestWithDataPresentIsMissingFileNotANewStore() {
        try (Manifest m = Manifest.create(dir, STORE)) {
            m.recordOpened();
            ManifestFixtures.flush(m, dir, 10);
        }
        ManifestFixtures.deleteDirectory(Manifest.directory(dir));
        assertFalse(Manifest.exists(dir));
        assertThrows(ManifestNotFoundException.class, () -> Manifest.open(dir));
        assertKind(CorruptionKind.MISSING_FILE, () -> ManifestChecks.checkNewStoreDirectory(dir, Set.of()),
                "manifest was lost");
        assertKind(CorruptionKind.MISSING_FILE, () -> Manifest.create(dir, UUID.randomUUID()));
        assertFalse(Manifest.exists(dir), "a refused create leaves no manifest behind");
    }

    @Test
    void aDeletedManifestWithOnlyAnOplogIsMissingFile() throws IOException {
        Files.createDirectories(dir.resolve("oplog"));
        assertKind(CorruptionKind.MISSING_FILE, () -> ManifestChecks.checkNewStoreDirectory(dir, Set.of("LOCK")),
                "first oplog");
    }

    @Test
    void aNewStoreDirectoryMayHoldOnlyIgnoredEntries() throws IOException {
        assertDoesNotThrow(() -> ManifestChecks.checkNewStoreDirectory(dir.resolve("absent"), Set.of()));
        Files.write(dir.resolve("LOCK"), new byte[0]);
        Files.createDirectory(dir.resolve(StoreFiles.MANIFEST_TMP_DIR));
        assertDoesNotThrow(() -> ManifestChecks.checkNewStoreDirectory(dir, Set.of("LOCK")));
        Manifest.create(dir, STORE).close();
        assertThrows(IllegalStateException.class, () -> ManifestChecks.checkNewStoreDirectory(dir, Set.of()));
    }
}
