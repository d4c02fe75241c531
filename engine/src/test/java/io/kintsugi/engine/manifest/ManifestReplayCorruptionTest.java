package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.ManifestRecordFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.UnsupportedFormatException;
import io.kintsugi.oplog.format.LogMetadataFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;

import static io.kintsugi.engine.manifest.ManifestFixtures.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Manifests whose intact records break the rules, written directly through an oplog, are corruption. */
class ManifestReplayCorruptionTest {

    private static final UUID STORE = UUID.fromString("41111111-2222-4333-8444-555555555555");
    private static final ManifestState BASE = ManifestState.empty(STORE)
            .apply(ManifestEdit.builder().nextFileNumber(4).build())
            .apply(ManifestEdit.builder().addFile(file(1)).flushedSequence(30).build());

    @TempDir
    Path dir;

    private record Raw(long term, int type, byte[] payload) {
    }

    private static Raw rec(int type, byte[] payload) {
        return new Raw(0, type, payload);
    }

    private static Raw snapshot(ManifestState s) {
        return rec(ManifestRecordFormat.TYPE_SNAPSHOT, ManifestRecordFormat.encodeSnapshot(s));
    }

    private static Raw edit(ManifestEdit.Builder b) {
        return rec(ManifestRecordFormat.TYPE_EDIT, ManifestRecordFormat.encodeEdit(b.build()));
    }

    private void write(UUID logId, Raw... records) {
        try (Oplog log = Oplog.open(Manifest.directory(dir), OplogOptions.builder().logId(logId).build())) {
            for (Raw r : records) {
                log.append(r.term(), r.type(), r.payload());
            }
        }
    }

    private void write(Raw... records) {
        write(ManifestRecordFormat.manifestLogId(STORE), records);
    }

    private CorruptionException corrupt(CorruptionKind kind, String words) {
        CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.open(dir));
        assertEquals(kind, e.report().kind(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
        return e;
    }

    @Test
    void wellFormedRawRecordsOpen() {
        write(snapshot(BASE), edit(ManifestEdit.builder().addFile(file(2))));
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(BASE.apply(ManifestEdit.builder().addFile(file(2)).build()), m.state());
        }
    }

    @Test
    void noSnapshotIsMissingData() {
        write(edit(ManifestEdit.builder().nextFileNumber(3)));
        corrupt(CorruptionKind.MISSING_FILE, "hold no SNAPSHOT");
    }

    @Test
    void anEmptyManifestLogIsMissingData() {
        write();
        corrupt(CorruptionKind.MISSING_FILE, "hold no SNAPSHOT");
    }

    @Test
    void removingAnUnknownFileIsCorruption() {
        write(snapshot(BASE), edit(ManifestEdit.builder().removeFile(2)));
        corrupt(CorruptionKind.SEQUENCE_GAP, "sequence 2");
    }

    @Test
    void aDecreasingFlushedSequenceIsCorruption() {
        write(snapshot(BASE), edit(ManifestEdit.builder().flushedSequence(29)));
        corrupt(CorruptionKind.SEQUENCE_GAP, "flushed sequence never decreases");
    }

    @Test
    void addingAnUnallocatedOrListedFileIsCorruption() {
        write(snapshot(BASE), edit(ManifestEdit.builder().addFile(file(9))));
        corrupt(CorruptionKind.SEQUENCE_GAP, "next file number");
    }

    @Test
    void aDuplicateNamespaceIsCorruption() {
        write(snapshot(BASE), edit(ManifestEdit.builder().addNamespace(0, "a")),
                edit(ManifestEdit.builder().addNamespace(1, "a")));
        corrupt(CorruptionKind.SEQUENCE_GAP, "sequence 3");
    }

    @Test
    void anUnknownRecordTypeIsCorruption() {
        write(snapshot(BASE), rec(9, new byte[] {1}));
        corrupt(CorruptionKind.BAD_HEADER, "unknown manifest record type 9");
    }

    @Test
    void aTermOtherThanZeroIsCorruption() {
        write(snapshot(BASE), new Raw(3, ManifestRecordFormat.TYPE_OPENED, ManifestRecordFormat.encodeOpened()));
        corrupt(CorruptionKind.BAD_HEADER, "term 3");
    }

    @Test
    void aSnapshotThatDisagreesWithTheReplayIsCorruption() {
        write(snapshot(BASE), edit(ManifestEdit.builder().flushedSequence(31)), snapshot(BASE));
        corrupt(CorruptionKind.SEQUENCE_GAP, "SNAPSHOT disagrees");
    }

    @Test
    void anAgreeingLaterSnapshotIsAccepted() {
        ManifestState next = BASE.apply(ManifestEdit.builder().flushedSequence(31).build());
        write(snapshot(BASE), edit(ManifestEdit.builder().flushedSequence(31)), snapshot(next),
                rec(ManifestRecordFormat.TYPE_CLEAN_CLOSE, ManifestRecordFormat.encodeCleanClose(35)));
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(next.withCleanClose(35), m.state());
        }
    }

    @Test
    void recordsBeforeTheFirstSnapshotAreCheckedButNotApplied() {
        write(edit(ManifestEdit.builder().removeFile(77)), rec(ManifestRecordFormat.TYPE_OPENED,
                ManifestRecordFormat.encodeOpened()), snapshot(BASE));
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(BASE, m.state());
        }
    }

    @Test
    void aMalformedRecordBeforeTheFirstSnapshotIsStillCorruption() {
        write(rec(ManifestRecordFormat.TYPE_OPENED, new byte[] {1, 0}), snapshot(BASE));
        corrupt(CorruptionKind.BAD_LENGTH, "1 bytes follow the last field");
    }

    @Test
    void aManifestOfAnotherLogIdIsForeign() {
        write(UUID.randomUUID(), snapshot(BASE));
        corrupt(CorruptionKind.FOREIGN_FILE, STORE.toString());
    }

    @Test
    void trailingBytesAreCorruption() {
        byte[] payload = ManifestRecordFormat.encodeEdit(ManifestEdit.builder().flushedSequence(40).build());
        write(snapshot(BASE), rec(ManifestRecordFormat.TYPE_EDIT, Arrays.copyOf(payload, payload.length + 1)));
        corrupt(CorruptionKind.BAD_LENGTH, "follow the last field");
    }

    @Test
    void aShortPayloadIsCorruption() {
        byte[] payload = ManifestRecordFormat.encodeCleanClose(40);
        write(snapshot(BASE), rec(ManifestRecordFormat.TYPE_CLEAN_CLOSE, Arrays.copyOf(payload, 5)));
        corrupt(CorruptionKind.BAD_LENGTH, "oplog last sequence needs 8 bytes");
    }

    @Test
    void unknownEditFlagsAreCorruption() {
        byte[] payload = ManifestRecordFormat.encodeEdit(ManifestEdit.builder().build());
        payload[ManifestRecordFormat.EDIT_FLAGS_OFFSET] = 4;
        write(snapshot(BASE), rec(ManifestRecordFormat.TYPE_EDIT, payload));
        corrupt(CorruptionKind.BAD_HEADER, "unknown flags 0x04");
    }

    @Test
    void aCleanCloseBelowTheFlushedSequenceIsCorruption() {
        write(snapshot(BASE), rec(ManifestRecordFormat.TYPE_CLEAN_CLOSE, ManifestRecordFormat.encodeCleanClose(29)));
        corrupt(CorruptionKind.SEQUENCE_GAP, "CLEAN_CLOSE");
    }

    @Test
    void versionsOutsideTheRangeAreTooOldOrTooNew() {
        byte[] newer = ManifestRecordFormat.encodeOpened();
        newer[0] = (byte) (ManifestRecordFormat.VERSION_CURRENT + 1);
        write(snapshot(BASE), rec(ManifestRecordFormat.TYPE_OPENED, newer));
        UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class, () -> Manifest.open(dir));
        assertTrue(e.getMessage().contains("too new"), e.getMessage());
        byte[] older = ManifestRecordFormat.encodeOpened();
        older[0] = (byte) (ManifestRecordFormat.VERSION_START - 1);
        UnsupportedFormatException old = assertThrows(UnsupportedFormatException.class,
                () -> ManifestRecordFormat.decodeOpened(older, dir, 5));
        assertTrue(old.getMessage().contains("too old"), old.getMessage());
    }

    @Test
    void aMissingManifestIsNotFoundNotCorrupt() {
        assertFalse(Manifest.exists(dir));
        StorageException e = assertThrows(ManifestNotFoundException.class, () -> Manifest.open(dir));
        assertFalse(e instanceof CorruptionException);
        assertFalse(Files.exists(Manifest.directory(dir)), "open must not create anything");
    }

    @Test
    void aManifestDirectoryWithoutItsMetadataIsMissingData() throws IOException {
        Manifest.create(dir, STORE).close();
        Files.delete(Manifest.directory(dir).resolve(LogMetadataFormat.FILE_NAME));
        assertTrue(Manifest.exists(dir));
        corrupt(CorruptionKind.MISSING_FILE, "oplog metadata file is gone");
        assertFalse(Files.exists(Manifest.directory(dir).resolve(LogMetadataFormat.FILE_NAME)));
    }

    @Test
    void aManifestDirectoryWithoutSegmentsIsMissingData() throws IOException {
        Manifest.create(dir, STORE).close();
        try (Stream<Path> s = Files.list(Manifest.directory(dir))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.toString().endsWith(".oplog")) {
                    Files.delete(p);
                }
            }
        }
        CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.open(dir));
        assertEquals(CorruptionKind.MISSING_FILE, e.report().kind());
    }

    @Test
    void anEmptiedManifestDirectoryIsMissingData() throws IOException {
        Manifest.create(dir, STORE).close();
        ManifestFixtures.deleteDirectory(Manifest.directory(dir));
        Files.createDirectory(Manifest.directory(dir));
        CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.open(dir));
        assertEquals(CorruptionKind.MISSING_FILE, e.report().kind());
        try (Stream<Path> s = Files.list(Manifest.directory(dir))) {
            assertEquals(0, s.count(), "open must not create a log in a damaged manifest directory");
        }
    }

    @Test
    void aManifestThatIsAFileIsRefused() throws IOException {
        Files.write(Manifest.directory(dir), new byte[3]);
        StorageException e = assertThrows(StorageException.class, () -> Manifest.open(dir));
        assertInstanceOf(StorageException.class, e);
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }
}
