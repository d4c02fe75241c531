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
import io.kintsugi.oplog.format.LogMetadataFormat;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Opens a store directory: creates a new store in an empty directory, or checks an existing one and brings it back
 * to the state of its last acknowledged write.
 *
 * <p>Order: the manifest; the oplog (which truncates only a torn tail); the manifest against the files in the
 * directory (every listed file present with its recorded size; unlisted files of interrupted flushes removed); the
 * manifest against the oplog (no gap after the flushed sequence; an oplog that ends where the clean-close record
 * says); every listed file's header and footer against its manifest entry; then the oplog replay after the flushed
 * sequence. Anything inconsistent is a {@link CorruptionException}: a store never opens around missing data.
 */
final class StoreRecovery {

    private static final System.Logger LOG = System.getLogger(StoreRecovery.class.getName());
    static final String OPLOG_DIR = StoreFiles.OPLOG_DIR;
    /** Sealed memtables waiting for a flush at which writes wait for the flusher. */
    static final int MAX_SEALED_MEMTABLES = 4;

    /** Everything an open store is made of. */
    record Opened(Path dir, UUID storeId, StoreOptions options, Oplog oplog, Manifest manifest, VersionSet versions,
                  NamespaceTable namespaces, WriteApplier applier, Maintenance maintenance, DamageLog damage,
                  BlockCache cache) {
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
        List<Path> storeFiles = storeFilesIn(dir);
        if (!storeFiles.isEmpty()) {
            throw new CorruptionException(CorruptionReport.of(dir.resolve(StoreFiles.MANIFEST_DIR), -1, -1,
                    CorruptionKind.MISSING_FILE, "the manifest is missing but the directory holds store files "
                            + storeFiles.stream().map(p -> p.getFileName().toString()).sorted().toList()
                            + "; refusing to start an empty store over them"));
        }
        UUID id = UUID.randomUUID();
        LOG.log(Level.INFO, () -> "creating store " + id + " in " + dir);
        return Manifest.create(dir, id);
    }

    private static List<Path> storeFilesIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals(OPLOG_DIR) || StoreFiles.parseSegmentFileName(n) >= 0;
            }).toList();
        } catch (IOException e) {
            throw new StorageException("could not list store directory " + dir + ": " + e, e);
        }
    }

    private static Opened openWith(Path dir, StoreOptions options, Manifest manifest, List<AutoCloseable> opened) {
        ManifestState state = manifest.state();
        UUID storeId = state.storeId();
        Path oplogDir = dir.resolve(OPLOG_DIR);
        boolean oplogExists = Files.exists(oplogDir.resolve(LogMetadataFormat.FILE_NAME));
        if (!oplogExists && manifest.everOpened()) {
            throw new CorruptionException(CorruptionReport.of(oplogDir.resolve(LogMetadataFormat.FILE_NAME), -1, -1,
                    CorruptionKind.MISSING_FILE, "the store's oplog is missing; the manifest says the store has "
                            + "been opened before, so acknowledged writes may be lost"));
        }

        ManifestChecks.FileCheck files = ManifestChecks.checkFiles(state, dir);
        removeUnlisted(files);

        NamespaceTable namespaces = new NamespaceTable();
        state.namespaceNames().forEach(namespaces::register);
        DamageLog damage = new DamageLog(options.listeners(), namespaces);
        BlockCache cache = new BlockCache(options.blockCacheSize());
        List<SegmentFileHandle> handles = openFiles(dir, storeId, state, cache);
        opened.add(() -> handles.forEach(h -> h.reader().close()));
        VersionSet versions = new VersionSet(handles);

        Maintenance[] maintenance = new Maintenance[1];
        FlushBacklog backlog = new FlushBacklog(MAX_SEALED_MEMTABLES);
        WriteApplier applier = new WriteApplier(versions, namespaces, options.memtableBudget(), oplogDir,
                state.flushedSequence(), () -> maintenance[0].scheduleFlush(), backlog);
        Oplog oplog = Oplog.open(oplogDir, OplogOptions.builder()
                .logId(storeId)
                .durability(options.durability())
                .segmentSize(options.oplogSegmentSize())
                .maxPayloadSize(Limits.MAX_BATCH_BYTES + 1024)
                .firstSequence(state.flushedSequence() + 1)
                .durableRecordListener(applier)
                .build());
        opened.add(oplog);
        ManifestChecks.checkOplog(state, dir, oplogDir, oplog.firstSequence(), oplog.lastSequence());
        // From here on the manifest may change (flushes during replay): record the open first.
        manifest.recordOpened();
        manifest.abandonAllocatedFileNumbers();

        SegmentFileOptions fileOptions = SegmentFileOptions.builder()
                .blockSize(options.blockSize())
                .compression(options.compression())
                .bloomBitsPerKey(options.bloomBitsPerKey())
                .build();
        maintenance[0] = new Maintenance(dir, storeId, manifest, versions, namespaces, options, fileOptions, cache,
                damage, oplog, backlog);
        opened.add(maintenance[0]);
        long replayed = replay(oplog, state.flushedSequence(), applier);
        LOG.log(Level.INFO, () -> "opened store " + storeId + " in " + dir + ": " + handles.size()
                + " segment files, replayed " + replayed + " oplog records after sequence "
                + state.flushedSequence());
        return new Opened(dir, storeId, options, oplog, manifest, versions, namespaces, applier, maintenance[0],
                damage, cache);
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
        return handles;
    }

    private static void checkAgainstManifest(Path path, SegmentFileInfo info, FileMetadata m) {
        boolean same = info.wholeFileCrc() == m.wholeFileCrc() && info.minSequence() == m.minSequence()
                && info.maxSequence() == m.maxSequence() && info.entryCount() == m.entryCount()
                && Arrays.equals(info.smallestKey(), m.smallestKey()) && Arrays.equals(info.largestKey(), m.largestKey());
        if (!same) {
            throw new CorruptionException(new CorruptionReport(path, -1, m.size(), CorruptionKind.STALE_FILE,
                    java.util.OptionalLong.of(Integer.toUnsignedLong(m.wholeFileCrc())),
                    java.util.OptionalLong.of(Integer.toUnsignedLong(info.wholeFileCrc())),
                    "the file's footer does not match its manifest entry (whole-file checksum, sequence range "
                            + info.minSequence() + ".." + info.maxSequence() + " vs " + m.minSequence() + ".."
                            + m.maxSequence() + ", " + info.entryCount() + " vs " + m.entryCount()
                            + " entries): it was replaced by another version of the file"));
        }
    }

    /** Applies every oplog record after {@code flushedSequence}, exactly as they were applied when written. */
    private static long replay(Oplog oplog, long flushedSequence, WriteApplier applier) {
        long n = 0;
        try (OplogReader r = oplog.reader(flushedSequence + 1)) {
            for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                applier.onDurable(rec);
                n++;
            }
        }
        return n;
    }
}
