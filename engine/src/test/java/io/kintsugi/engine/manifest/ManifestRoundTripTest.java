package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.kintsugi.engine.manifest.ManifestFixtures.file;
import static io.kintsugi.engine.manifest.ManifestFixtures.flush;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestRoundTripTest {

    private static final UUID STORE = UUID.fromString("11111111-2222-4333-8444-555555555555");

    @TempDir
    Path dir;

    @Test
    void createdManifestIsEmptyAndReopens() {
        assertFalse(Manifest.exists(dir));
        try (Manifest m = Manifest.create(dir, STORE)) {
            assertTrue(Manifest.exists(dir));
            assertEquals(ManifestState.empty(STORE), m.state());
            assertEquals(Manifest.directory(dir), m.directory());
        }
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(ManifestState.empty(STORE), m.state());
            assertTrue(m.state().cleanCloseOplogEnd().isEmpty());
        }
        assertFalse(Files.exists(dir.resolve(StoreFiles.MANIFEST_TMP_DIR)));
    }

    @Test
    void editsSurviveReopenInOrder() {
        ManifestState expected;
        try (Manifest m = Manifest.create(dir, STORE)) {
            m.recordOpened();
            m.apply(ManifestEdit.builder().addNamespace(0, "orders").addNamespace(1, "users").build());
            FileMetadata a = flush(m, dir, 10);
            FileMetadata b = flush(m, dir, 20);
            long c = m.allocateFileNumber();
            m.apply(ManifestEdit.builder().addFile(file(c)).removeFile(a.fileNumber()).removeFile(b.fileNumber())
                    .build());
            long d = m.allocateFileNumbers(3);
            m.apply(ManifestEdit.builder().abandonFileNumber(d + 1).build());
            expected = m.state();
            assertEquals(Set.of(c), expected.files().keySet());
            assertEquals(Set.of(d, d + 2), expected.allocatedFileNumbers());
            assertEquals(d + 3, expected.nextFileNumber());
            assertEquals(20, expected.flushedSequence());
            assertEquals(1, expected.namespaceId("users").getAsInt());
            assertEquals("orders", expected.namespaceNames().get(0));
            assertEquals(2, expected.nextNamespaceId());
        }
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(expected, m.state());
        }
    }

    @Test
    void cleanCloseIsPresentOnlyWhileItIsTheLastRecord() {
        try (Manifest m = Manifest.create(dir, STORE)) {
            m.recordOpened();
            flush(m, dir, 7);
            m.recordCleanClose(12);
            assertEquals(12, m.state().cleanCloseOplogEnd().getAsLong());
        }
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(12, m.state().cleanCloseOplogEnd().getAsLong());
            m.recordOpened();
            assertTrue(m.state().cleanCloseOplogEnd().isEmpty());
        }
        // Opened again, then a crash (no clean close): the earlier mark no longer counts.
        try (Manifest m = Manifest.open(dir)) {
            assertTrue(m.state().cleanCloseOplogEnd().isEmpty());
            assertEquals(7, m.state().flushedSequence());
        }
    }

    @Test
    void opensAreCountedAcrossSnapshotsAndReopens() {
        ManifestOptions everyRecord = ManifestOptions.builder().snapshotInterval(1).build();
        try (Manifest m = Manifest.create(dir, STORE, everyRecord)) {
            assertFalse(m.everOpened());
            assertEquals(0, m.state().openCount());
        }
        try (Manifest m = Manifest.open(dir, everyRecord)) {
            assertFalse(m.everOpened(), "a creation interrupted before its first open was never opened");
            m.recordOpened();
            assertTrue(m.everOpened());
        }
        for (int i = 0; i < 3; i++) {
            try (Manifest m = Manifest.open(dir, everyRecord)) {
                m.recordOpened();
                m.allocateFileNumber();
            }
        }
        try (Manifest m = Manifest.open(dir, everyRecord)) {
            assertEquals(4, m.state().openCount());
            assertTrue(m.everOpened());
        }
    }

    @Test
    void allocatedNumbersLeftByACrashAreAbandonedAtOpen() {
        long n;
        try (Manifest m = Manifest.create(dir, STORE)) {
            m.recordOpened();
            n = m.allocateFileNumber();
            ManifestFixtures.writeSegment(dir, file(n)); // then a crash, before the edit that adds it
        }
        try (Manifest m = Manifest.open(dir)) {
            ManifestChecks.FileCheck check = ManifestChecks.checkFiles(m.state(), dir);
            assertEquals(List.of(dir.resolve(StoreFiles.segmentFileName(n))), check.orphans());
            m.recordOpened();
            assertEquals(Set.of(n), m.abandonAllocatedFileNumbers());
            assertTrue(m.state().allocatedFileNumbers().isEmpty());
            assertTrue(m.abandonAllocatedFileNumbers().isEmpty());
            assertThrows(IllegalStateException.class, () -> m.apply(ManifestEdit.builder().addFile(file(n))
                    .build()));
        }
    }

    @Test
    void writesNeedRecordOpenedAndStopAfterCleanClose() {
        try (Manifest m = Manifest.create(dir, STORE)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, m::allocateFileNumber);
            assertTrue(e.getMessage().contains("recordOpened"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> m.recordCleanClose(0));
            m.recordOpened();
            m.recordCleanClose(0);
            e = assertThrows(IllegalStateException.class, () -> m.apply(ManifestEdit.builder().build()));
            assertTrue(e.getMessage().contains("clean close"), e.getMessage());
        }
    }

    @Test
    void cleanCloseBelowFlushedSequenceIsRejected() {
        try (Manifest m = Manifest.create(dir, STORE)) {
            m.recordOpened();
            flush(m, dir, 50);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.recordCleanClose(49));
            assertTrue(e.getMessage().contains("flushed sequence 50"), e.getMessage());
        }
    }

    @Test
    void closedManifestThrowsStorageException() {
        Manifest m = Manifest.create(dir, STORE);
        m.close();
        m.close();
        StorageException e = assertThrows(StorageException.class, m::state);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(StorageException.class, m::recordOpened);
    }

    @Test
    void createFailsWhenAManifestExists() {
        Manifest.create(dir, STORE).close();
        StorageException e = assertThrows(StorageException.class, () -> Manifest.create(dir, UUID.randomUUID()));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(STORE, m.state().storeId());
        }
    }

    @Test
    void createRefusesADirectoryWithSegmentFilesButNoManifest() throws IOException {
        Files.write(dir.resolve(StoreFiles.segmentFileName(4)), new byte[10]);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.create(dir, STORE));
        assertEquals(CorruptionKind.MISSING_FILE, e.report().kind());
        assertFalse(Manifest.exists(dir));
    }

    @Test
    void createFinishesOverTheLeftoverOfAnInterruptedCreate() throws IOException {
        Path tmp = Files.createDirectories(dir.resolve(StoreFiles.MANIFEST_TMP_DIR));
        Files.write(tmp.resolve("00000000000000000001.oplog"), new byte[5]);
        ManifestChecks.checkNewStoreDirectory(dir, Set.of());
        try (Manifest m = Manifest.create(dir, STORE)) {
            assertEquals(ManifestState.empty(STORE), m.state());
        }
        assertFalse(Files.exists(tmp));
    }

    @Test
    void createMakesTheStoreDirectory() {
        Path store = dir.resolve("a").resolve("store");
        try (Manifest m = Manifest.create(store, STORE)) {
            assertEquals(STORE, m.state().storeId());
        }
        assertTrue(Manifest.exists(store));
    }

    @Test
    void manifestIsLockedWhileOpen() {
        try (Manifest m = Manifest.create(dir, STORE)) {
            assertEquals(STORE, m.state().storeId());
            StorageException e = assertThrows(StorageException.class, () -> Manifest.open(dir));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
    }

    @Test
    void manyFilesAndLargeKeysRoundTrip() {
        ManifestState expected;
        try (Manifest m = Manifest.create(dir, STORE, ManifestOptions.builder().segmentSize(4096)
                .snapshotInterval(10).build())) {
            m.recordOpened();
            long first = m.allocateFileNumbers(200);
            ManifestEdit.Builder b = ManifestEdit.builder().flushedSequence(5000);
            for (long n = first; n < first + 200; n++) {
                byte[] small = new byte[(int) (n % 7)];
                byte[] large = new byte[(int) (n * 37 % 3000)];
                java.util.Arrays.fill(large, (byte) 0xff);
                b.addFile(new FileMetadata(n, n * 1000, small, large, n, n * 2, n, (int) n * -7));
            }
            m.apply(b.build());
            for (int i = 0; i < 25; i++) {
                long n = first + i;
                m.apply(ManifestEdit.builder().removeFile(n).build());
            }
            expected = m.state();
            assertEquals(175, expected.files().size());
        }
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(expected, m.state());
            assertEquals(List.copyOf(expected.files().keySet()), List.copyOf(m.state().files().keySet()));
        }
    }
}
