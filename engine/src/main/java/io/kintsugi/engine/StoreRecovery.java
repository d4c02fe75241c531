package io.kintsugi.engine;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.manifest.ManifestChecks;
import io.kintsugi.engine.manifest.ManifestState;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.SegmentFileInfo;
import io.kintsugi.engine.table.SegmentFileOptions;
import io.kintsugi.engine.table.SegmentFileReader;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.OplogReader;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.format.FileHeader;
import io.kintsugi.oplog.format.LogMetadataFormat;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Opens a store directory: creates a new store in an empty directory, or checks an existing one and brings it back
 * to the state of its last acknowledged write.
 *
 * <p>Order: the manifest; the data oplog's metadata belongs to this store; the manifest against the files in the
 * directory (every listed file present with its recorded size); every listed file's header and footer against its
 * manifest entry; the oplog (which truncates only a torn tail); the manifest against the oplog (no gap after the
 * flushed sequence; an oplog that ends where the clean-close record says); only then are unlisted files of
 * interrupted flushes and compactions removed; then the oplog replay after the flushed sequence. Anything
 * inconsistent is a {@link CorruptionException}: a store never opens around missing data, and an open that is
 * refused deletes no segment file.
 */
final class StoreRecovery {

    private static final System.Logger LOG = System.getLogger(StoreRecovery.class.getName());
    static final String OPLOG_DIR = StoreFiles.OPLOG_DIR;

    /** Everything an open store is made of. */
    record Opened(Path dir, UUID storeId, StoreOptions options, Oplog oplog, Manifest manifest, VersionSet versions,
                  NamespaceTable namespaces, WriteApplier applier, Maintenance maintenance, DamageLog damage,
                  BlockCache cache, TermHistoryFile terms, RangeWatches watches) {
    }

    private StoreRecovery() {
    }

    static Opened open(Path dir, StoreOptions options) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("could not create store directory " + dir + ": " + e, e);
        }
        Manifest manifest = openOrCreateManifest(dir);
        List<AutoCloseable> opened = new ArrayList<>();
        opened.add(manifest);
        try {
            return openWith(dir, options, manifest, opened);
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Manifest openOrCreateManifest(Path dir) {
        if (Manifest.exists(dir)) {
            return Manifest.open(dir);
        }
        // Anything in the directory but a manifest means the manifest was lost: never start empty over it.
        ManifestChecks.checkNewStoreDirectory(dir, Set.of());
        UUID id = UUID.randomUUID();
        LOG.log(Level.INFO, () -> "creating store " + id + " in " + dir);
        return Manifest.create(dir, id);
    }

    private static Opened openWith(Path dir, StoreOptions options, Manifest manifest, List<AutoCloseable> opened) {
        UUID storeId = manifest.state().storeId();
        // A rebase of a diverged log commits in the manifest; the oplog and the term history follow here.
        DivergenceRebase.finishOnOpen(dir, storeId, manifest, OplogOptions.builder()
                .logId(storeId)
                .durability(options.durability())
                .segmentSize(options.oplogSegmentSize())
                .maxPayloadSize(Limits.MAX_BATCH_BYTES + 1024));
        ManifestState state = manifest.state();
        Path oplogDir = dir.resolve(OPLOG_DIR);
        boolean oplogExists = Files.exists(oplogDir.resolve(LogMetadataFormat.FILE_NAME));
        if (!oplogExists && manifest.everOpened()) {
            throw new CorruptionException(CorruptionReport.of(oplogDir.resolve(LogMetadataFormat.FILE_NAME), -1, -1,
                    CorruptionKind.MISSING_FILE, "the store's oplog is missing; the manifest says the store has "
                            + "been opened before, so acknowledged writes may be lost"));
        }

        if (oplogExists) {
            checkOplogBelongsToStore(oplogDir, storeId);
        }
        ManifestChecks.FileCheck files = ManifestChecks.checkFiles(state, dir);

        NamespaceTable namespaces = new NamespaceTable();
        state.namespaceNames().forEach(namespaces::register);
        DamageLog damage = new DamageLog(options.listeners(), namespaces);
        BlockCache cache = new BlockCache(options.blockCacheSize());
        List<SegmentFileHandle> handles = openFiles(dir, storeId, state, cache);
        VersionSet versions = new VersionSet(handles);
        opened.add(versions::closeAll); // also the files that flushes during replay add

        Maintenance[] maintenance = new Maintenance[1];
        WriteApplier applier = new WriteApplier(versions, namespaces, options.memtableBudget(), oplogDir,
                state.flushedSequence(), () -> maintenance[0].scheduleFlush(), !options.extensions().isEmpty());
        opened.add(applier::releasePendingMarkers);
        RangeWatches watches = new RangeWatches();
        Oplog oplog = Oplog.open(oplogDir, OplogOptions.builder()
                .logId(storeId)
                .durability(options.durability())
                .segmentSize(options.oplogSegmentSize())
                .maxPayloadSize(Limits.MAX_BATCH_BYTES + 1024)
                .firstSequence(state.flushedSequence() + 1)
                .durableRecordListener(applier)
                .sequencingListener(watches)
                .build());
        opened.add(oplog);
        TermHistoryFile terms = TermHistoryFile.open(dir, storeId, oplog.currentTerm());
        ManifestChecks.checkOplog(state, dir, oplogDir, oplog.firstSequence(), oplog.lastSequence());
        // Only now that every check passed may unlisted files go: with an older manifest they hold live data.
        removeUnlisted(files);
        // From here on the manifest may change (flushes during replay): record the open first.
        manifest.recordOpened();
        manifest.abandonAllocatedFileNumbers();

        SegmentFileOptions fileOptions = SegmentFileOptions.builder()
                .blockSize(options.blockSize())
                .compression(options.compression())
                .bloomBitsPerKey(options.bloomBitsPerKey())
                .build();
        maintenance[0] = new Maintenance(dir, storeId, manifest, versions, namespaces, options, fileOptions, cache,
                damage, oplog);
        opened.add(maintenance[0]);
        long replayed = replay(oplog, state.flushedSequence(), applier, maintenance[0]);
        LOG.log(Level.INFO, () -> "opened store " + storeId + " in " + dir + ": " + handles.size()
                + " segment files, replayed " + replayed + " oplog records after sequence "
                + state.flushedSequence());
        return new Opened(dir, storeId, options, oplog, manifest, versions, namespaces, applier, maintenance[0],
                damage, cache, terms, watches);
    }

    /**
     * The data oplog's metadata must name this store's id as its log id. The oplog itself treats another id than
     * the one its options require as a usage error ({@link StorageException}); inside a store directory it is a
     * foreign file put in place of the store's own, which is corruption.
     */
    private static void checkOplogBelongsToStore(Path oplogDir, UUID storeId) {
        Path meta = oplogDir.resolve(LogMetadataFormat.FILE_NAME);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(meta);
        } catch (IOException e) {
            throw new StorageException("could not read " + meta + ": " + e, e);
        }
        // A damaged file is reported as the oplog would report it; only an intact file's log id is compared.
        UUID logId = LogMetadataFormat.decode(ByteBuffer.wrap(bytes), meta).logId();
        if (!logId.equals(storeId)) {
            throw new CorruptionException(CorruptionReport.of(meta, FileHeader.OWNER_ID_OFFSET, 16,
                    CorruptionKind.FOREIGN_FILE, "the data oplog's metadata belongs to log " + logId
                            + ", but this store's oplog has the store's id " + storeId + ": it was put here from"
                            + " another log"));
        }
    }

    private static void removeUnlisted(ManifestChecks.FileCheck files) {
        for (Path p : files.unlisted()) {
            try {
                Files.deleteIfExists(p);
                LOG.log(Level.INFO, () -> "removed " + p.getFileName() + ", which no manifest record lists "
                        + "(left by an interrupted flush, compaction or deletion)");
            } catch (IOException e) {
                throw new StorageException("could not remove unlisted file " + p + ": " + e, e);
            }
        }
    }

    /** Opens every listed file (header, footer and index verified) and checks it against its manifest entry. */
    private static List<SegmentFileHandle> openFiles(Path dir, UUID storeId, ManifestState state, BlockCache cache) {
        List<SegmentFileHandle> handles = new ArrayList<>();
        try {
            for (FileMetadata m : state.files().values()) {
                Path path = dir.resolve(StoreFiles.segmentFileName(m.fileNumber()));
                SegmentFileReader reader = SegmentFileReader.open(path, m.fileNumber(), storeId, m.size(), cache);
                handles.add(new SegmentFileHandle(m, reader, path));
                checkAgainstManifest(path, reader.info(), m);
            }
        } catch (RuntimeException e) {
            handles.forEach(h -> h.reader().close());
            throw e;
        }
        handles.sort(Comparator.comparingLong((SegmentFileHandle h) -> h.metadata().maxSequence()).reversed());
        checkSequenceRanges(handles, state.flushedSequence());
        return handles;
    }

    /** A file's footer must say what its manifest entry says; the whole-file CRC tells a swapped file apart. */
    private static void checkAgainstManifest(Path path, SegmentFileInfo info, FileMetadata m) {
        ManifestChecks.checkWholeFileCrc(path, m, info.wholeFileCrc());
        boolean same = info.minSequence() == m.minSequence() && info.maxSequence() == m.maxSequence()
                && info.entryCount() == m.entryCount() && Arrays.equals(info.smallestKey(), m.smallestKey())
                && Arrays.equals(info.largestKey(), m.largestKey());
        if (!same) {
            throw new CorruptionException(CorruptionReport.of(path, -1, m.size(), CorruptionKind.STALE_FILE,
                    "the file's footer does not match its manifest entry (sequence range " + info.minSequence()
                            + ".." + info.maxSequence() + " vs " + m.minSequence() + ".." + m.maxSequence() + ", "
                            + info.entryCount() + " vs " + m.entryCount() + " entries, or its key range)"));
        }
    }

    /**
     * Reads rely on files' sequence ranges being disjoint (newest first) and within the flushed sequence: check it
     * rather than answer wrongly from a manifest that passed its checksums but breaks the rule.
     */
    private static void checkSequenceRanges(List<SegmentFileHandle> newestFirst, long flushedSequence) {
        for (int i = 0; i < newestFirst.size(); i++) {
            FileMetadata m = newestFirst.get(i).metadata();
            if (m.maxSequence() > flushedSequence) {
                throw new CorruptionException(CorruptionReport.of(newestFirst.get(i).path(), -1, m.size(),
                        CorruptionKind.INVALID_CONTENT, "the file holds sequences up to " + m.maxSequence()
                                + " but the manifest says only " + flushedSequence + " were flushed"));
            }
            if (i + 1 < newestFirst.size()) {
                FileMetadata older = newestFirst.get(i + 1).metadata();
                if (m.minSequence() <= older.maxSequence()) {
                    throw new CorruptionException(CorruptionReport.of(newestFirst.get(i).path(), -1, m.size(),
                            CorruptionKind.INVALID_CONTENT, "sequence range " + m.minSequence() + ".."
                                    + m.maxSequence() + " overlaps " + older.minSequence() + ".."
                                    + older.maxSequence() + " of file " + older.fileNumber()));
                }
            }
        }
    }

    /** Applies every oplog record after {@code flushedSequence}, exactly as they were applied when written. */
    private static long replay(Oplog oplog, long flushedSequence, WriteApplier applier, Maintenance maintenance) {
        long n = 0;
        try (OplogReader r = oplog.reader(flushedSequence + 1)) {
            for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                maintenance.awaitFlushCapacity();
                applier.onDurable(rec);
                n++;
            }
        }
        return n;
    }
}
