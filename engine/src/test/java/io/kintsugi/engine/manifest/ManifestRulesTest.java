package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.StoreFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Function;

import static io.kintsugi.engine.manifest.ManifestFixtures.ascii;
import static io.kintsugi.engine.manifest.ManifestFixtures.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule an edit must follow, on the pure state and through a live manifest (where nothing is written). */
class ManifestRulesTest {

    private static final UUID STORE = UUID.fromString("21111111-2222-4333-8444-555555555555");

    @TempDir
    Path dir;

    /** Files 1 and 2 listed, 3 and 4 allocated, next file number 5, flushed 40, namespace 0 "a". */
    private static ManifestState base() {
        return ManifestState.empty(STORE)
                .apply(ManifestEdit.builder().nextFileNumber(5).addNamespace(0, "a").build())
                .apply(ManifestEdit.builder().addFile(file(1)).addFile(file(2)).flushedSequence(40).build());
    }

    private static void assertRule(Class<? extends RuntimeException> type, String words,
                                   Function<ManifestEdit.Builder, ManifestEdit.Builder> edit) {
        RuntimeException e = assertThrows(type, () -> base().apply(edit.apply(ManifestEdit.builder()).build()));
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void baseStateIsAsDescribed() {
        ManifestState s = base();
        assertEquals(java.util.Set.of(1L, 2L), s.files().keySet());
        assertEquals(java.util.Set.of(3L, 4L), s.allocatedFileNumbers());
        assertEquals(5, s.nextFileNumber());
        assertEquals(40, s.flushedSequence());
        assertEquals(203, s.totalFileBytes());
    }

    @Test
    void cannotRemoveAnUnknownFile() {
        assertRule(IllegalStateException.class, "only remove a listed file", b -> b.removeFile(3));
    }

    @Test
    void cannotAddAListedFile() {
        assertRule(IllegalStateException.class, "already listed", b -> b.addFile(file(2)));
    }

    @Test
    void cannotAddANumberAtOrAboveTheNextFileNumber() {
        assertRule(IllegalStateException.class, "at or above the next file number", b -> b.addFile(file(5)));
    }

    @Test
    void raisingTheNextFileNumberInTheSameEditDoesNotAllocateForThatEdit() {
        assertRule(IllegalStateException.class, "allocate the number durably",
                b -> b.nextFileNumber(10).addFile(file(6)));
    }

    @Test
    void cannotReuseAUsedNumber() {
        ManifestState removed = base().apply(ManifestEdit.builder().removeFile(1).build());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> removed.apply(ManifestEdit.builder().addFile(file(1)).build()));
        assertTrue(e.getMessage().contains("never reused"), e.getMessage());
    }

    @Test
    void cannotReuseAnAbandonedNumber() {
        ManifestState abandoned = base().apply(ManifestEdit.builder().abandonFileNumber(3).build());
        assertFalse(abandoned.allocatedFileNumbers().contains(3L));
        assertThrows(IllegalStateException.class, () -> abandoned.apply(ManifestEdit.builder().addFile(file(3))
                .build()));
        assertThrows(IllegalStateException.class, () -> abandoned.apply(ManifestEdit.builder()
                .abandonFileNumber(3).build()));
    }

    @Test
    void cannotAbandonAListedOrUnallocatedNumber() {
        assertRule(IllegalStateException.class, "never reused", b -> b.abandonFileNumber(1));
        assertRule(IllegalStateException.class, "next file number", b -> b.abandonFileNumber(9));
    }

    @Test
    void flushedSequenceNeverDecreases() {
        assertRule(IllegalStateException.class, "flushed sequence never decreases", b -> b.flushedSequence(39));
        assertEquals(40, base().apply(ManifestEdit.builder().flushedSequence(40).build()).flushedSequence());
    }

    @Test
    void nextFileNumberNeverDecreases() {
        assertRule(IllegalStateException.class, "next file number never decreases", b -> b.nextFileNumber(4));
    }

    @Test
    void allocationIsBounded() {
        assertRule(IllegalArgumentException.class, "at most " + ManifestState.MAX_ALLOCATION_PER_EDIT,
                b -> b.nextFileNumber(5 + ManifestState.MAX_ALLOCATION_PER_EDIT + 1));
    }

    @Test
    void fileNumbersEndAtTheLastName() {
        ManifestState s = ManifestState.of(STORE, java.util.Map.of(), java.util.Map.of(), 0,
                StoreFiles.MAX_FILE_NUMBER, java.util.Set.of(), 0);
        ManifestState full = s.apply(ManifestEdit.builder().nextFileNumber(StoreFiles.MAX_FILE_NUMBER + 1).build());
        assertTrue(full.allocatedFileNumbers().contains(StoreFiles.MAX_FILE_NUMBER));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> full.apply(
                ManifestEdit.builder().nextFileNumber(StoreFiles.MAX_FILE_NUMBER + 2).build()));
        assertTrue(e.getMessage().contains("file numbers end"), e.getMessage());
    }

    @Test
    void namespaceIdsAndNamesAreUnique() {
        assertRule(IllegalStateException.class, "unique", b -> b.addNamespace(0, "b"));
        assertRule(IllegalStateException.class, "unique", b -> b.addNamespace(1, "a"));
        assertEquals(2, base().apply(ManifestEdit.builder().addNamespace(1, "b").build()).namespaceIds().size());
    }

    @Test
    void editBuilderChecksItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().addNamespace(0, "Upper"));
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().addNamespace(0, ""));
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().addNamespace(0, "x".repeat(65)));
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().addNamespace(-1, "x"));
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().addNamespace(0, "x")
                .addNamespace(0, "y"));
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().addNamespace(0, "x")
                .addNamespace(1, "x"));
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().flushedSequence(-1));
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().nextFileNumber(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ManifestEdit.builder().addFile(file(3)).removeFile(3));
        assertTrue(e.getMessage().contains("once"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ManifestEdit.builder().removeFile(3)
                .abandonFileNumber(3));
    }

    @Test
    void fileMetadataChecksItsLimits() {
        byte[] a = ascii("a");
        byte[] b = ascii("b");
        assertThrows(IllegalArgumentException.class, () -> new FileMetadata(0, 1, a, b, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new FileMetadata(StoreFiles.MAX_FILE_NUMBER + 1, 1, a, b, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FileMetadata(1, 0, a, b, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FileMetadata(1, 1, a, b, 5, 4, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FileMetadata(1, 1, a, b, -1, 4, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new FileMetadata(1, 1, a, b, 0, 4, -1, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FileMetadata(1, 1, b, a, 0, 4, 1, 0));
        assertTrue(e.getMessage().contains("unsigned"), e.getMessage());
        // Unsigned order: 0x80 sorts after 0x7f.
        new FileMetadata(1, 1, new byte[] {0x7f}, new byte[] {(byte) 0x80}, 0, 0, 1, 0);
    }

    @Test
    void printedFormsCarryNoKeyBytes() {
        FileMetadata f = new FileMetadata(3, 10, ascii("SECRETKEYA"), ascii("SECRETKEYZ"), 1, 2, 2, 0x1234);
        ManifestState s = ManifestState.empty(STORE).apply(ManifestEdit.builder().nextFileNumber(4).build())
                .apply(ManifestEdit.builder().addFile(f).build());
        for (String text : new String[] {f.toString(), s.toString(),
                ManifestEdit.builder().addFile(f).build().toString()}) {
            assertFalse(text.contains("SECRET"), text);
        }
        assertTrue(f.toString().contains("smallestKeyLength=10"), f.toString());
        assertEquals(f, new FileMetadata(3, 10, ascii("SECRETKEYA"), ascii("SECRETKEYZ"), 1, 2, 2, 0x1234));
    }

    @Test
    void aRejectedEditWritesNothing() {
        ManifestState before;
        try (Manifest m = Manifest.create(dir, STORE)) {
            m.recordOpened();
            ManifestFixtures.flush(m, dir, 30);
            before = m.state();
            assertThrows(IllegalStateException.class, () -> m.apply(ManifestEdit.builder().removeFile(99).build()));
            assertThrows(IllegalStateException.class, () -> m.apply(ManifestEdit.builder().flushedSequence(1)
                    .build()));
            assertThrows(IllegalStateException.class, () -> m.apply(ManifestEdit.builder().addFile(file(7))
                    .build()));
            assertThrows(IllegalArgumentException.class, () -> m.allocateFileNumbers(0));
            assertEquals(before, m.state());
        }
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(before, m.state());
        }
    }

    @Test
    void stateOfChecksConsistency() {
        assertThrows(IllegalArgumentException.class, () -> ManifestState.of(STORE, java.util.Map.of(2L, file(1)),
                java.util.Map.of(), 0, 5, java.util.Set.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> ManifestState.of(STORE, java.util.Map.of(5L, file(5)),
                java.util.Map.of(), 0, 5, java.util.Set.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> ManifestState.of(STORE, java.util.Map.of(1L, file(1)),
                java.util.Map.of(), 0, 5, java.util.Set.of(1L), 0));
        assertThrows(IllegalArgumentException.class, () -> ManifestState.of(STORE, java.util.Map.of(),
                java.util.Map.of(), -1, 5, java.util.Set.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> ManifestState.of(STORE, java.util.Map.of(),
                java.util.Map.of(0, "A"), 0, 5, java.util.Set.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> ManifestState.of(STORE, java.util.Map.of(),
                java.util.Map.of(), 0, 5, java.util.Set.of(), -1));
    }
}
