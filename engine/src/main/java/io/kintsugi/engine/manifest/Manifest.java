package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.ManifestRecordFormat;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.RecoveryReport;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.format.LogMetadataFormat;
import io.kintsugi.oplog.format.RecordFormat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.SortedSet;
import java.util.UUID;

/**
 * The store's manifest: the durable record of which segment files are live (number, size, key range, sequence
 * range, whole-file CRC32C), which namespaces exist, the highest sequence flushes made durable, which file numbers
 * are allocated, and whether the store was closed cleanly and where its data oplog ended then.
 *
 * <p>The manifest is an {@link Oplog} of its own in {@code <store dir>/}{@value StoreFiles#MANIFEST_DIR}, written
 * with {@link Durability#SYNC} and a log id derived from the store id
 * ({@link ManifestRecordFormat#manifestLogId}). It inherits checksummed records, torn-tail handling, atomic segment
 * creation and missing-segment detection from the oplog. Its records ({@link ManifestRecordFormat}) are snapshots
 * of the whole state, edits, an OPENED mark and a CLEAN_CLOSE mark. Every method that writes returns only once its
 * record is durable. After every {@link ManifestOptions#snapshotInterval()} records, the next write is preceded by
 * a snapshot and the records before the snapshot are released, so replay on open stays short.
 *
 * <p>Life cycle, as the engine uses it:
 * <pre>{@code
 * Manifest m = Manifest.exists(dir) ? Manifest.open(dir) : Manifest.create(dir, UUID.randomUUID());
 * ManifestChecks.checkFiles(m.state(), dir);  ManifestChecks.checkOplog(m.state(), dir, oplogDir, first, last);
 * m.recordOpened();                           // before the store accepts writes
 * m.abandonAllocatedFileNumbers();            // after deleting the orphans checkFiles returned
 * long n = m.allocateFileNumber();            // durable before the file is written
 * m.apply(ManifestEdit.builder().addFile(meta).flushedSequence(s).build());
 * m.recordCleanClose(oplog.lastSequence());  m.close();
 * }</pre>
 *
 * <p>If a write fails, the manifest on disk may or may not hold the record, so the manifest stops: every later
 * call throws {@link StorageException} and the store must be reopened, which replays what is on disk.
 *
 * <p>Thread-safe: methods are serialized.
 */
public final class Manifest implements AutoCloseable {

    private final Oplog log;
    private final ManifestOptions options;
    private ManifestState state;
    private int recordsSinceSnapshot;
    private boolean opened;
    private boolean cleanlyClosed;
    private boolean closed;
    private StorageException failure;

    private Manifest(Oplog log, ManifestOptions options, ManifestState state, int recordsSinceSnapshot) {
        this.log = log;
        this.options = options;
        this.state = state;
        this.recordsSinceSnapshot = recordsSinceSnapshot;
    }

    /**
     * @param storeDir a store directory
     * @return the manifest directory inside it
     */
    public static Path directory(Path storeDir) {
        return storeDir.resolve(StoreFiles.MANIFEST_DIR);
    }

    /**
     * Whether {@code storeDir} has a manifest directory. A manifest is created whole and renamed into place, so a
     * manifest directory that exists is a manifest: if it is damaged, {@link #open} says so.
     *
     * @param storeDir a store directory
     * @return whether the manifest directory exists
     */
    public static boolean exists(Path storeDir) {
        return Files.exists(directory(storeDir), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Creates the manifest of a new store with default options.
     *
     * @param storeDir the store directory; created if missing
     * @param storeId  the new store's id
     * @return the open manifest, holding {@link ManifestState#empty}; call {@link #recordOpened()} next
     * @throws StorageException    if a manifest exists already or the directory cannot be written
     * @throws CorruptionException if the directory holds segment files, which means a manifest was lost
     */
    public static Manifest create(Path storeDir, UUID storeId) {
        return create(storeDir, storeId, ManifestOptions.defaults());
    }

    /**
     * Creates the manifest of a new store: the manifest oplog is written in {@value StoreFiles#MANIFEST_TMP_DIR}
     * with a first SNAPSHOT, closed, and renamed to {@value StoreFiles#MANIFEST_DIR}; the store directory is then
     * synced. A crash leaves either no manifest (and perhaps a temporary directory, which the next create deletes)
     * or a complete one.
     *
     * @param storeDir the store directory; created if missing
     * @param storeId  the new store's id
     * @param options  how to write the manifest
     * @return the open manifest, holding {@link ManifestState#empty}; call {@link #recordOpened()} next
     * @throws StorageException    if a manifest exists already or the directory cannot be written
     * @throws CorruptionException if the directory holds segment files, which means a manifest was lost
     */
    public static Manifest create(Path storeDir, UUID storeId, ManifestOptions options) {
        Objects.requireNonNull(storeDir, "storeDir");
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(options, "options");
        Path dir = directory(storeDir);
        if (exists(storeDir)) {
            throw new StorageException("cannot create a manifest in " + storeDir + ": " + dir + " exists already");
        }
        try {
            if (!Files.isDirectory(storeDir)) {
                Files.createDirectories(storeDir);
                Path parent = storeDir.toAbsolutePath().getParent();
                if (parent != null) {
                    DirectorySync.sync(parent);
                }
            }
            ManifestChecks.refuseSegmentFilesWithoutManifest(storeDir);
            Path tmp = storeDir.resolve(StoreFiles.MANIFEST_TMP_DIR);
            DirectorySync.deleteRecursively(tmp);
            try (Oplog fresh = Oplog.open(tmp, oplogOptions(options).logId(
                    ManifestRecordFormat.manifestLogId(storeId)).build())) {
                fresh.append(ManifestRecordFormat.TERM, ManifestRecordFormat.TYPE_SNAPSHOT,
                        ManifestRecordFormat.encodeSnapshot(ManifestState.empty(storeId)));
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            DirectorySync.sync(storeDir);
        } catch (IOException e) {
            throw new StorageException("could not create the manifest in " + storeDir + ": " + e, e);
        }
        return open(storeDir, options);
    }

    /**
     * Opens the manifest of an existing store with default options.
     *
     * @param storeDir the store directory
     * @return the open manifest; check its state against the files and the oplog, then call {@link #recordOpened()}
     * @throws ManifestNotFoundException  if the store directory has no manifest directory
     * @throws CorruptionException        if the manifest is damaged or partly missing
     * @throws io.kintsugi.oplog.UnsupportedFormatException if it was written in a format this build cannot read
     * @throws StorageException           if it cannot be read or is open elsewhere
     */
    public static Manifest open(Path storeDir) {
        return open(storeDir, ManifestOptions.defaults());
    }

    /**
     * Opens the manifest of an existing store: opens its oplog (which truncates a torn tail and reports it in
     * {@link #recoveryReport()}), replays the retained records from the first snapshot and checks every record
     * against the rules of {@link ManifestState#apply}.
     *
     * @param storeDir the store directory
     * @param options  how to write the manifest from now on
     * @return the open manifest; check its state against the files and the oplog, then call {@link #recordOpened()}
     * @throws ManifestNotFoundException  if the store directory has no manifest directory
     * @throws CorruptionException        if the manifest is damaged or partly missing
     * @throws io.kintsugi.oplog.UnsupportedFormatException if it was written in a format this build cannot read
     * @throws StorageException           if it cannot be read or is open elsewhere
     */
    public static Manifest open(Path storeDir, ManifestOptions options) {
        Objects.requireNonNull(storeDir, "storeDir");
        Objects.requireNonNull(options, "options");
        Path dir = directory(storeDir);
        if (!exists(storeDir)) {
            throw new ManifestNotFoundException("the store directory " + storeDir + " has no manifest (" + dir
                    + " does not exist)");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new StorageException("the manifest " + dir + " is not a directory");
        }
        Path meta = dir.resolve(LogMetadataFormat.FILE_NAME);
        if (!Files.exists(meta, LinkOption.NOFOLLOW_LINKS)) {
            // Without its metadata file, the oplog would create a new, empty log here: an empty store.
            throw new CorruptionException(CorruptionReport.of(meta, -1, -1, CorruptionKind.MISSING_FILE,
                    "the manifest directory exists but its oplog metadata file is gone; a manifest is created"
                            + " whole, so this is damage, not a new store"));
        }
        Oplog log = Oplog.open(dir, oplogOptions(options).build());
        try {
            if (log.recoveryReport().created()) {
                throw new CorruptionException(CorruptionReport.of(meta, -1, -1, CorruptionKind.MISSING_FILE,
                        "the manifest oplog had to be created anew"));
            }
            ManifestReplay.Result r = ManifestReplay.replay(log);
            return new Manifest(log, options, r.state(), r.recordsSinceSnapshot());
        } catch (RuntimeException e) {
            try {
                log.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static OplogOptions.Builder oplogOptions(ManifestOptions options) {
        return OplogOptions.builder().durability(Durability.SYNC).segmentSize(options.segmentSize())
                .maxPayloadSize(RecordFormat.MAX_PAYLOAD_LENGTH);
    }

    /**
     * @return the current state; after {@link #open}, its clean-close mark tells whether the store was closed
     *         cleanly and where its oplog ended
     * @throws StorageException if the manifest is closed or failed
     */
    public synchronized ManifestState state() {
        checkUsable();
        return state;
    }

    /**
     * Writes the OPENED mark durably. Call it after the open-time checks and before the store accepts any write,
     * so that a clean close recorded earlier is no longer taken to describe the oplog.
     *
     * @throws StorageException if the manifest is closed or failed, or the write fails
     */
    public synchronized void recordOpened() {
        checkUsable();
        ManifestState next = state.withOpened();
        write(ManifestRecordFormat.TYPE_OPENED, ManifestRecordFormat.encodeOpened());
        state = next;
        opened = true;
    }

    /**
     * Whether the store was ever opened for writing ({@link #recordOpened()} was called durably before). A store
     * that was can have written to its data oplog, so a missing data oplog is lost data; one that was not (a
     * creation interrupted before its first open) may create its oplog.
     *
     * @return whether an OPENED record was ever written
     * @throws StorageException if the manifest is closed or failed
     */
    public synchronized boolean everOpened() {
        return state().everOpened();
    }

    /**
     * Gives up every allocated, unused file number with one edit. Call it at open, after
     * {@link #recordOpened()}, once the orphans {@link ManifestChecks#checkFiles} returned are deleted, and before
     * any flush or compaction allocates a number: the numbers left allocated then belong to flushes and compactions
     * that a crash interrupted.
     *
     * @return the numbers given up; empty if there were none (then nothing is written)
     * @throws IllegalStateException if {@link #recordOpened()} was not called, or a clean close was recorded
     * @throws StorageException      if the manifest is closed or failed, or the write fails
     */
    public synchronized SortedSet<Long> abandonAllocatedFileNumbers() {
        checkWritable();
        SortedSet<Long> pending = state.allocatedFileNumbers();
        if (!pending.isEmpty()) {
            ManifestEdit.Builder b = ManifestEdit.builder();
            pending.forEach(b::abandonFileNumber);
            apply(b.build());
        }
        return pending;
    }

    /**
     * Checks an edit against the rules of {@link ManifestState#apply}, writes it durably as one record, and makes
     * it the current state.
     *
     * @param edit the edit
     * @return the new state
     * @throws IllegalStateException    if the edit violates a rule (an engine bug; nothing is written), or
     *                                  {@link #recordOpened()} was not called, or a clean close was recorded
     * @throws IllegalArgumentException if the edit allocates too many numbers
     * @throws StorageException         if the manifest is closed or failed, or the write fails
     */
    public synchronized ManifestState apply(ManifestEdit edit) {
        checkWritable();
        ManifestState next = state.apply(edit);
        write(ManifestRecordFormat.TYPE_EDIT, ManifestRecordFormat.encodeEdit(edit));
        state = next;
        return next;
    }

    /**
     * Allocates one file number durably. Numbers are allocated before their file is written, so that a file with a
     * number the manifest never handed out can only mean the manifest is an older copy of itself
     * ({@link ManifestChecks#checkFiles}). An allocated number is used by the edit that adds its file, or given up
     * with {@link ManifestEdit.Builder#abandonFileNumber}; it is never handed out twice.
     *
     * @return the number
     * @throws IllegalStateException if {@link #recordOpened()} was not called, or a clean close was recorded
     * @throws StorageException      if the manifest is closed or failed, the numbers are exhausted, or the write
     *                               fails
     */
    public synchronized long allocateFileNumber() {
        return allocateFileNumbers(1);
    }

    /**
     * Allocates {@code count} consecutive file numbers durably, as {@link #allocateFileNumber()} does one.
     *
     * @param count how many, 1 to {@value ManifestState#MAX_ALLOCATION_PER_EDIT}
     * @return the first of them
     * @throws IllegalArgumentException if {@code count} is out of range
     * @throws IllegalStateException    if {@link #recordOpened()} was not called, or a clean close was recorded
     * @throws StorageException         if the manifest is closed or failed, the numbers are exhausted, or the
     *                                  write fails
     */
    public synchronized long allocateFileNumbers(int count) {
        if (count < 1 || count > ManifestState.MAX_ALLOCATION_PER_EDIT) {
            throw new IllegalArgumentException("can allocate 1 to " + ManifestState.MAX_ALLOCATION_PER_EDIT
                    + " file numbers at once, asked for " + count);
        }
        checkWritable();
        long first = state.nextFileNumber();
        if (first + count > StoreFiles.MAX_FILE_NUMBER + 1) {
            throw new StorageException("file numbers are exhausted: the next is " + first + ", the last is "
                    + StoreFiles.MAX_FILE_NUMBER);
        }
        apply(ManifestEdit.builder().nextFileNumber(first + count).build());
        return first;
    }

    /**
     * Writes the CLEAN_CLOSE mark durably. Call it at a clean close, after the data oplog is synced and closed,
     * then {@link #close()}; the manifest accepts no edit afterwards.
     *
     * @param oplogLastSequence the data oplog's last sequence
     * @throws IllegalArgumentException if it is below the flushed sequence
     * @throws IllegalStateException    if {@link #recordOpened()} was not called
     * @throws StorageException         if the manifest is closed or failed, or the write fails
     */
    public synchronized void recordCleanClose(long oplogLastSequence) {
        checkUsable();
        if (!opened) {
            throw new IllegalStateException("recordOpened() must be called before recordCleanClose()");
        }
        ManifestState next = state.withCleanClose(oplogLastSequence);
        write(ManifestRecordFormat.TYPE_CLEAN_CLOSE, ManifestRecordFormat.encodeCleanClose(oplogLastSequence));
        state = next;
        cleanlyClosed = true;
    }

    /** @return what opening the manifest oplog found (for example a torn tail it truncated) */
    public RecoveryReport recoveryReport() {
        return log.recoveryReport();
    }

    /** @return the manifest directory */
    public Path directory() {
        return log.directory();
    }

    /** @return the options the manifest is written with */
    public ManifestOptions options() {
        return options;
    }

    /**
     * Closes the manifest oplog. Later calls do nothing; other methods then throw {@link StorageException}.
     *
     * @throws StorageException if the final sync fails
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.close();
    }

    private void checkUsable() {
        if (closed) {
            throw new StorageException("manifest " + log.directory() + " is closed");
        }
        if (failure != null) {
            throw new StorageException("manifest " + log.directory() + " failed earlier and must be reopened: "
                    + failure.getMessage(), failure);
        }
    }

    private void checkWritable() {
        checkUsable();
        if (!opened) {
            throw new IllegalStateException("recordOpened() must be called before the manifest is changed");
        }
        if (cleanlyClosed) {
            throw new IllegalStateException("a clean close was recorded; the manifest accepts no more edits");
        }
    }

    /** Appends one record durably, preceded by a snapshot and retention when the interval has passed. */
    private void write(int type, byte[] payload) {
        if (recordsSinceSnapshot >= options.snapshotInterval()) {
            long seq = append(ManifestRecordFormat.TYPE_SNAPSHOT,
                    ManifestRecordFormat.encodeSnapshot(state.withoutCleanClose()));
            recordsSinceSnapshot = 0;
            log.releaseThrough(seq - 1);
        }
        append(type, payload);
        recordsSinceSnapshot++;
    }

    private long append(int type, byte[] payload) {
        try {
            return log.append(ManifestRecordFormat.TERM, type, payload);
        } catch (StorageException e) {
            failure = e;
            throw new StorageException("could not write to manifest " + log.directory() + "; it must be reopened: "
                    + e.getMessage(), e);
        }
    }
}
