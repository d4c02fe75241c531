package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.ManifestRecordFormat;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshots and retention keep the manifest small and replay short, and never change the state. */
class ManifestSnapshotTest {

    private static final UUID STORE = UUID.fromString("31111111-2222-4333-8444-555555555555");
    private static final ManifestOptions SMALL = ManifestOptions.builder().segmentSize(4096).snapshotInterval(5)
            .build();

    @TempDir
    Path dir;

    @Test
    void retentionKeepsTheManifestSmallAndReplayCorrect() throws IOException {
        ManifestState expected;
        Random random = new Random(42);
        try (Manifest m = Manifest.create(dir, STORE, SMALL)) {
            m.recordOpened();
            long flushed = 0;
            for (int i = 0; i < 400; i++) {
                flushed += 1 + random.nextInt(50);
                FileMetadata added = ManifestFixtures.flush(m, dir, flushed);
                if (m.state().files().size() > 8) {
                    long oldest = m.state().files().firstKey();
                    m.apply(ManifestEdit.builder().removeFile(oldest).build());
                    Files.delete(dir.resolve(io.kintsugi.engine.format.StoreFiles.segmentFileName(oldest)));
                }
                assertTrue(m.state().files().containsKey(added.fileNumber()));
            }
            expected = m.state();
            assertTrue(segmentCount() <= 4, "segments: " + segmentCount());
        }
        try (Manifest m = Manifest.open(dir, SMALL)) {
            assertEquals(expected, m.state());
            assertTrue(m.recoveryReport().recordsScanned() <= 60, m.recoveryReport().toString());
            assertTrue(m.recoveryReport().firstSequence() > 1000, m.recoveryReport().toString());
            assertTrue(ManifestChecks.checkFiles(m.state(), dir).orphans().isEmpty());
        }
    }

    @Test
    void aSnapshotFollowsEveryIntervalOfRecordsAcrossReopens() {
        try (Manifest m = Manifest.create(dir, STORE, SMALL)) {
            m.recordOpened();                                    // 2
            m.allocateFileNumber();                              // 3
            m.allocateFileNumber();                              // 4
        }
        try (Manifest m = Manifest.open(dir, SMALL)) {
            m.recordOpened();                                    // 5
            m.allocateFileNumber();                              // 6: the 5th record since the snapshot
            m.allocateFileNumber();                              // 7 SNAPSHOT, 8 EDIT
            m.recordCleanClose(0);                               // 9
        }
        assertEquals(List.of(ManifestRecordFormat.TYPE_SNAPSHOT, ManifestRecordFormat.TYPE_OPENED,
                ManifestRecordFormat.TYPE_EDIT, ManifestRecordFormat.TYPE_EDIT, ManifestRecordFormat.TYPE_OPENED,
                ManifestRecordFormat.TYPE_EDIT, ManifestRecordFormat.TYPE_SNAPSHOT, ManifestRecordFormat.TYPE_EDIT,
                ManifestRecordFormat.TYPE_CLEAN_CLOSE), recordTypes());
        try (Manifest m = Manifest.open(dir, SMALL)) {
            assertEquals(5, m.state().nextFileNumber());
            assertEquals(0, m.state().cleanCloseOplogEnd().getAsLong());
        }
    }

    @Test
    void theSnapshotHoldsTheWholeStateAndCleanCloseIsNotPartOfIt() {
        ManifestState expected;
        try (Manifest m = Manifest.create(dir, STORE, ManifestOptions.builder().snapshotInterval(1).build())) {
            m.recordOpened();
            m.apply(ManifestEdit.builder().addNamespace(3, "x").addNamespace(9, "y.z").build());
            ManifestFixtures.flush(m, dir, 17);
            m.allocateFileNumbers(3);
            m.recordCleanClose(20);
            expected = m.state();
        }
        List<LogRecord> records = records();
        LogRecord lastSnapshot = null;
        for (LogRecord r : records) {
            if (r.type() == ManifestRecordFormat.TYPE_SNAPSHOT) {
                lastSnapshot = r;
            }
        }
        assertEquals(expected.withoutCleanClose(), ManifestRecordFormat.decodeSnapshot(lastSnapshot.payload(), dir,
                lastSnapshot.sequence()));
        try (Manifest m = Manifest.open(dir)) {
            assertEquals(expected, m.state());
        }
    }

    private long segmentCount() throws IOException {
        try (Stream<Path> s = Files.list(Manifest.directory(dir))) {
            return s.filter(p -> p.toString().endsWith(".oplog")).count();
        }
    }

    private List<LogRecord> records() {
        List<LogRecord> out = new ArrayList<>();
        try (Oplog log = Oplog.open(Manifest.directory(dir)); OplogReader r = log.reader(log.firstSequence())) {
            for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                out.add(rec);
            }
        }
        return out;
    }

    private List<Integer> recordTypes() {
        return records().stream().map(LogRecord::type).toList();
    }
}
