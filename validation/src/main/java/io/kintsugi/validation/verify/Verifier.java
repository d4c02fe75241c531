package io.kintsugi.validation.verify;

import io.kintsugi.engine.PinnedFiles;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.format.WriteBatchFormat;
import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.manifest.ManifestChecks;
import io.kintsugi.engine.manifest.ManifestReplay;
import io.kintsugi.engine.manifest.ManifestState;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.LogInspector;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.UnsupportedFormatException;
import io.kintsugi.validation.health.HealthEntryFormat;
import io.kintsugi.validation.health.HealthLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Checks a store's files and says what is wrong with them, without changing anything: offline on a closed store
 * ({@link #verify(Path, VerifyOptions)}), or online on an open one ({@link #verify(Store, VerifyOptions)}), whose
 * writers it never blocks. A verify never stops at the first problem: every file is examined, and a damaged file
 * yields problems in the {@link VerifyReport}, not an exception. What each {@link VerifyLevel} reads is documented
 * there and in docs/VALIDATION.md.
 */
public final class Verifier {

    private final Findings findings = new Findings();
    private final ReadThrottle throttle;
    private final VerifyLevel level;
    private final boolean online;
    private final LogCheck logs;
    private final SegmentFileCheck segments;
    private final SmallFileCheck smallFiles;

    private Verifier(VerifyOptions options, boolean online) {
        this.throttle = new ReadThrottle(options.effectiveBytesPerSecond(online));
        this.level = options.level();
        this.online = online;
        this.logs = new LogCheck(findings, throttle, online);
        this.segments = new SegmentFileCheck(findings, throttle, level);
        this.smallFiles = new SmallFileCheck(findings, throttle);
    }

    /**
     * Verifies a closed store. Files are opened read-only; nothing is created, changed or deleted in the store
     * directory, and no recovery runs (a torn oplog tail, which the next open would truncate, is a note).
     *
     * @param storeDir the store directory
     * @param options  level and read rate (unthrottled unless set)
     * @return the report
     * @throws IllegalArgumentException if {@code storeDir} does not exist, is not a directory, or holds no store (no
     *                                  manifest, no oplog and no segment file)
     * @throws StorageException         if the store directory itself cannot be listed
     */
    public static VerifyReport verify(Path storeDir, VerifyOptions options) {
        Objects.requireNonNull(storeDir, "storeDir");
        Objects.requireNonNull(options, "options");
        if (!Files.exists(storeDir)) {
            throw new IllegalArgumentException("cannot verify " + storeDir + ": it does not exist");
        }
        if (!Files.isDirectory(storeDir)) {
            throw new IllegalArgumentException("cannot verify " + storeDir + ": it is not a directory");
        }
        TreeMap<Long, Path> segmentFiles;
        try {
            segmentFiles = StoreDirectoryCheck.list(storeDir, null);
        } catch (IOException e) {
            throw new StorageException("cannot list the store directory " + storeDir + ": " + e, e);
        }
        if (!Files.isDirectory(storeDir.resolve(StoreFiles.MANIFEST_DIR))
                && !Files.isDirectory(storeDir.resolve(StoreFiles.OPLOG_DIR)) && segmentFiles.isEmpty()) {
            throw new IllegalArgumentException("cannot verify " + storeDir + ": it is not a Kintsugi store (it holds "
                    + "no " + StoreFiles.MANIFEST_DIR + "/ directory, no " + StoreFiles.OPLOG_DIR
                    + "/ directory and no segment file)");
        }
        return new Verifier(options, false).offline(storeDir);
    }

    /**
     * Verifies an open store while it keeps working: the live segment files are pinned (compaction may replace them
     * meanwhile, but cannot delete them until the verify is done), and every file is read at the options' rate
     * (64 MiB/s unless set). Logs that are being appended to are read up to where they end when they are reached;
     * a record being written at their end is a note, not a problem.
     *
     * @param store   an open store
     * @param options level and read rate
     * @return the report
     * @throws StorageException if the store is closed
     */
    public static VerifyReport verify(Store store, VerifyOptions options) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(options, "options");
        try (PinnedFiles pinned = store.pinFiles()) {
            return new Verifier(options, true).online(pinned);
        }
    }

    private VerifyReport offline(Path storeDir) {
        TreeMap<Long, Path> segmentFiles = listDirectory(storeDir);
        ManifestState state = manifest(storeDir);
        Path oplogDir = storeDir.resolve(StoreFiles.OPLOG_DIR);
        LogInspector.Summary oplog = null;
        if (Files.isDirectory(oplogDir)) {
            oplog = dataOplog(oplogDir);
        } else if (state == null || state.everOpened()) {
            findings.problem(VerifyComponent.OPLOG, CorruptionReport.of(oplogDir, -1, -1, CorruptionKind.MISSING_FILE,
                    "the store has no data oplog"));
        }
        UUID storeId = state != null ? state.storeId()
                : oplog != null && oplog.metadata() != null ? oplog.metadata().logId() : null;
        if (state != null) {
            checkListedFiles(storeDir, state, segmentFiles, storeId);
            checkAgainstOplog(storeDir, oplogDir, state, oplog);
        } else {
            checkUnlistedFiles(segmentFiles, storeId);
        }
        smallFiles.termHistory(storeDir, storeId, oplog == null || oplog.metadata() == null ? -1
                : oplog.metadata().term());
        smallFiles.scanState(storeDir, storeId);
        healthLog(storeDir);
        lineageLog(storeDir);
        return findings.report(storeDir, level, false, throttle.bytes());
    }

    private VerifyReport online(PinnedFiles pinned) {
        Path storeDir = pinned.storeDirectory();
        listDirectory(storeDir);
        List<FileMetadata> listed = new ArrayList<>();
        for (PinnedFiles.PinnedFile f : pinned.files()) {
            segments.check(f.path(), f.metadata().fileNumber(), f.metadata().size(), f.metadata(), pinned.storeId());
            listed.add(f.metadata());
        }
        checkSequenceRanges(storeDir, listed, Long.MAX_VALUE);
        // The manifest is appended to as the store flushes and compacts: its records are checked, but the state
        // they replay to is compared with the pinned files, which is what the store itself read at open and keeps.
        logs.check(VerifyComponent.MANIFEST, storeDir.resolve(StoreFiles.MANIFEST_DIR), true, null, null);
        LogInspector.Summary oplog = dataOplog(storeDir.resolve(StoreFiles.OPLOG_DIR));
        smallFiles.termHistory(storeDir, pinned.storeId(), oplog == null || oplog.metadata() == null ? -1
                : oplog.metadata().term());
        smallFiles.scanState(storeDir, pinned.storeId());
        healthLog(storeDir);
        lineageLog(storeDir);
        findings.note("online: segment files are those live when the verify started (" + pinned.files().size()
                + "); logs were read up to where they ended when reached");
        return findings.report(storeDir, level, true, throttle.bytes());
    }

    private TreeMap<Long, Path> listDirectory(Path storeDir) {
        findings.examined(VerifyComponent.DIRECTORY, storeDir);
        try {
            return StoreDirectoryCheck.list(storeDir, findings);
        } catch (IOException e) {
            throw new StorageException("cannot list the store directory " + storeDir + ": " + e, e);
        }
    }

    /** Reads and replays the manifest; null if it is missing or damaged (the problems are then recorded). */
    private ManifestState manifest(Path storeDir) {
        Path dir = storeDir.resolve(StoreFiles.MANIFEST_DIR);
        if (!Files.isDirectory(dir)) {
            findings.problem(VerifyComponent.MANIFEST, CorruptionReport.of(dir, -1, -1, CorruptionKind.MISSING_FILE,
                    "the store has no manifest: which segment files are live, and what they hold, is unknown"));
            return null;
        }
        long before = findings.problemCount(VerifyComponent.MANIFEST);
        List<LogRecord> records = new ArrayList<>();
        LogInspector.Summary s = logs.check(VerifyComponent.MANIFEST, dir, true, records, null);
        if (s == null || s.metadata() == null || findings.problemCount(VerifyComponent.MANIFEST) > before) {
            findings.note("the manifest was not replayed, since its log is damaged or unreadable: segment files "
                    + "were checked on their own, not against what the manifest records");
            return null;
        }
        long first = s.records() > 0 ? s.firstSequence() : s.metadata().firstRetainedSequence();
        try {
            return ManifestReplay.replayRecords(dir, s.metadata().logId(), first, s.lastSequence(), records);
        } catch (CorruptionException e) {
            findings.problem(VerifyComponent.MANIFEST, e.report());
        } catch (UnsupportedFormatException e) {
            findings.incomplete(VerifyComponent.MANIFEST, dir, e.getMessage());
        }
        return null;
    }

    private LogInspector.Summary dataOplog(Path oplogDir) {
        return logs.check(VerifyComponent.OPLOG, oplogDir, level != VerifyLevel.QUICK, null,
                level == VerifyLevel.FULL ? Verifier::decodeDataRecord : null);
    }

    private static void decodeDataRecord(LogRecord r) {
        switch (r.type()) {
            case WriteBatchFormat.TYPE_WRITE_BATCH:
                WriteBatchFormat.decode(r.payload());
                break;
            case WriteBatchFormat.TYPE_NAMESPACE:
                WriteBatchFormat.decodeNamespace(r.payload());
                break;
            case WriteBatchFormat.TYPE_LOG_MARKER:
                if (r.payload().length == 0) {
                    throw new IllegalStateException("a log marker must start with its marker kind byte");
                }
                break;
            default:
                throw new IllegalStateException("the store writes no record of type " + r.type());
        }
    }

    private void healthLog(Path storeDir) {
        Path dir = storeDir.resolve(HealthLog.DIRECTORY_NAME);
        if (Files.isDirectory(dir)) {
            logs.check(VerifyComponent.HEALTH_LOG, dir, level != VerifyLevel.QUICK, null,
                    level == VerifyLevel.FULL ? r -> HealthEntryFormat.decode(r.payload(), dir, r.sequence()) : null);
        }
    }

    private void lineageLog(Path storeDir) {
        Path dir = storeDir.resolve(StoreDirectoryCheck.LINEAGE_DIRECTORY_NAME);
        if (Files.isDirectory(dir)) {
            logs.check(VerifyComponent.LINEAGE_LOG, dir, level != VerifyLevel.QUICK, null, null);
        }
    }

    /** The manifest's cross-checks against the directory (docs/FORMAT.md 7.6), then every listed file. */
    private void checkListedFiles(Path storeDir, ManifestState state, TreeMap<Long, Path> present, UUID storeId) {
        Path manifestDir = storeDir.resolve(StoreFiles.MANIFEST_DIR);
        for (Map.Entry<Long, Path> e : present.entrySet()) {
            long number = e.getKey();
            if (state.files().containsKey(number)) {
                continue;
            }
            findings.examined(VerifyComponent.SEGMENT_FILES, e.getValue());
            if (number >= state.nextFileNumber()) {
                findings.problem(VerifyComponent.MANIFEST, CorruptionReport.of(manifestDir, -1, -1,
                        CorruptionKind.STALE_FILE, "segment file " + number + " exists but the manifest never "
                                + "handed out numbers at or above " + state.nextFileNumber() + ": the manifest is "
                                + "older than the file"));
            } else if (state.allocatedFileNumbers().contains(number)) {
                findings.note(e.getValue() + ": an orphan of an interrupted flush or compaction (number allocated, "
                        + "never added); the next open deletes it");
            } else {
                findings.note(e.getValue() + ": a leftover of a removed file; the next open deletes it");
            }
        }
        for (FileMetadata listed : state.files().values()) {
            Path path = storeDir.resolve(StoreFiles.segmentFileName(listed.fileNumber()));
            segments.check(path, listed.fileNumber(), listed.size(), listed, storeId);
        }
        checkSequenceRanges(manifestDir, state.files().values(), state.flushedSequence());
    }

    /** Without a manifest, each segment file is checked on its own, at its present size. */
    private void checkUnlistedFiles(TreeMap<Long, Path> present, UUID storeId) {
        for (Map.Entry<Long, Path> e : present.entrySet()) {
            if (storeId == null) {
                findings.incomplete(VerifyComponent.SEGMENT_FILES, e.getValue(), "the store id is unknown (the "
                        + "manifest and the oplog metadata could not be read)");
                continue;
            }
            try {
                segments.check(e.getValue(), e.getKey(), Files.size(e.getValue()), null, storeId);
            } catch (IOException ex) {
                findings.incomplete(VerifyComponent.SEGMENT_FILES, e.getValue(), "could not be read: " + ex);
            }
        }
    }

    /**
     * Sequence rules on the live files: no two hold overlapping sequence ranges (each flush and compaction output
     * covers sequences no other live file does), and none holds a sequence above what the manifest says is flushed.
     */
    private void checkSequenceRanges(Path where, Collection<FileMetadata> files, long flushed) {
        List<FileMetadata> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparingLong(FileMetadata::minSequence));
        for (int i = 0; i < sorted.size(); i++) {
            FileMetadata f = sorted.get(i);
            if (f.maxSequence() > flushed) {
                findings.problem(VerifyComponent.MANIFEST, CorruptionReport.of(where, -1, -1,
                        CorruptionKind.INVALID_CONTENT, "segment file " + f.fileNumber() + " holds sequences up to "
                                + f.maxSequence() + ", above the flushed sequence " + flushed));
            }
            if (i > 0 && sorted.get(i - 1).maxSequence() >= f.minSequence()) {
                FileMetadata g = sorted.get(i - 1);
                findings.problem(VerifyComponent.MANIFEST, CorruptionReport.of(where, -1, -1,
                        CorruptionKind.INVALID_CONTENT, "segment files " + g.fileNumber() + " [" + g.minSequence()
                                + ", " + g.maxSequence() + "] and " + f.fileNumber() + " [" + f.minSequence() + ", "
                                + f.maxSequence() + "] hold overlapping sequence ranges"));
            }
        }
    }

    /** The manifest against the data oplog (docs/FORMAT.md 7.6): what is not flushed must still be in the log. */
    private void checkAgainstOplog(Path storeDir, Path oplogDir, ManifestState state, LogInspector.Summary oplog) {
        if (oplog == null || oplog.metadata() == null) {
            return;
        }
        long firstRetained = oplog.metadata().firstRetainedSequence();
        try {
            if (level == VerifyLevel.QUICK) {
                // Records were not read, so only the start of the log is known.
                ManifestChecks.checkOplog(state, storeDir, oplogDir, firstRetained, Math.max(firstRetained - 1,
                        state.cleanCloseOplogEnd().orElse(state.flushedSequence())));
            } else if (oplog.records() > 0) {
                ManifestChecks.checkOplog(state, storeDir, oplogDir, oplog.firstSequence(), oplog.lastSequence());
            } else {
                ManifestChecks.checkOplog(state, storeDir, oplogDir, firstRetained, firstRetained - 1);
            }
        } catch (CorruptionException e) {
            findings.problem(VerifyComponent.MANIFEST, e.report());
        }
    }
}
