package io.kintsugi.engine;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.manifest.ManifestEdit;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.SegmentFileInfo;
import io.kintsugi.engine.table.SegmentFileOptions;
import io.kintsugi.engine.table.SegmentFileReader;
import io.kintsugi.engine.table.SegmentFileWriter;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's background work, on one thread so that flushes and compactions never race each other: writing
 * sealed memtables to segment files (oldest first, so the flushed sequence only grows), and merging segment files.
 *
 * <p>Each step first writes and syncs the new file, then records it in the manifest in one edit, and only then
 * makes it visible and lets old files and oplog segments go. A crash at any point leaves either the old state or the
 * new one; files written but not yet recorded are removed on the next open.
 */
final class Maintenance implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Maintenance.class.getName());
    /** Sealed memtables waiting for a flush at which writers wait for the flusher. */
    static final int MAX_SEALED_MEMTABLES = 4;

    private final Path dir;
    private final UUID storeId;
    private final Manifest manifest;
    private final VersionSet versions;
    private final NamespaceTable namespaces;
    private final StoreOptions options;
    private final SegmentFileOptions fileOptions;
    private final BlockCache cache;
    private final DamageLog damage;
    private final Oplog oplog;
    private final FlushBacklog backlog;
    private final ExecutorService executor;
    /** Whether a task queued by {@link #scheduleFlush()} has not started yet. */
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private volatile Thread thread;
    final AtomicLong flushes = new AtomicLong();
    final AtomicLong compactions = new AtomicLong();
    /**
     * Per namespace id, the highest sequence of a tombstone a compaction dropped since the store was opened: a range
     * image at a lower sequence would bring back what that delete removed, so {@link RangeInstall} refuses it.
     */
    private final Map<Integer, Long> droppedDeletes = new java.util.concurrent.ConcurrentHashMap<>();
    /** Compactions before this open may have dropped any tombstone up to the sequence flushed then. */
    private final long droppedDeletesBeforeOpen;
    /** The highest sequence followers no longer need; flushes release the oplog no further than this. */
    private volatile java.util.function.LongSupplier retentionFloor = () -> Long.MAX_VALUE;

    /** Holds oplog retention back for followers that still need records. */
    void retentionFloor(java.util.function.LongSupplier floor) {
        this.retentionFloor = floor;
    }

    Maintenance(Path dir, UUID storeId, Manifest manifest, VersionSet versions, NamespaceTable namespaces,
                StoreOptions options, SegmentFileOptions fileOptions, BlockCache cache, DamageLog damage,
                Oplog oplog) {
        this.backlog = new FlushBacklog(MAX_SEALED_MEMTABLES);
        this.dir = dir;
        this.storeId = storeId;
        this.manifest = manifest;
        this.versions = versions;
        this.namespaces = namespaces;
        this.options = options;
        this.fileOptions = fileOptions;
        this.cache = cache;
        this.damage = damage;
        this.oplog = oplog;
        this.droppedDeletesBeforeOpen = manifest.state().flushedSequence();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kintsugi-maintenance-" + dir.getFileName());
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /**
     * Called by writers before they append: waits while too many sealed memtables are queued. Never on the oplog's
     * writer thread (a flush syncs the oplog) nor on this one (a listener's write would wait for itself).
     */
    void awaitFlushCapacity() {
        if (Thread.currentThread() != thread) {
            backlog.awaitCapacity(versions);
        }
    }

    /**
     * Called when a memtable was sealed: queues a flush of every sealed memtable, followed by a compaction if one is
     * due, unless such a task is queued and has not started yet (it will find this memtable). So at most one of
     * these tasks waits in the queue, however fast writers seal memtables: one task per seal would pile up behind
     * the flusher without bound under sustained writes, and {@link #flush()} and {@link #compactAll()}, queued
     * behind them, would wait longer and longer.
     */
    void scheduleFlush() {
        if (flushQueued.compareAndSet(false, true)) {
            try {
                executor.submit(() -> {
                    flushQueued.set(false); // before looking at the sealed memtables: a later seal queues again
                    flushSealed();
                    compactIfDue();
                    return null;
                });
            } catch (RejectedExecutionException e) {
                flushQueued.set(false); // closed: the oplog keeps the memtable's writes for the next open
            }
        }
    }

    /**
     * Flushes every memtable sealed so far (then compacts if due) on the maintenance thread, and waits for it.
     *
     * @throws StorageException if a flush fails
     */
    void flush() {
        await(executor.submit(() -> {
            flushSealed();
            compactIfDue();
            return null;
        }));
    }

    /** Runs a full compaction of every segment file on the maintenance thread and waits for it. */
    void compactAll() {
        await(executor.submit(() -> {
            flushSealed();
            List<SegmentFileHandle> files = versions.current().files;
            if (!files.isEmpty()) {
                compact(files, true); // even one file: rewriting it drops its tombstones and old versions
            }
            return null;
        }));
    }

    /**
     * Flushes every memtable sealed so far, then installs a range image on the maintenance thread (so that no flush
     * or compaction changes the files meanwhile), and waits for it.
     *
     * @throws IllegalArgumentException if the image is refused while it is read
     * @throws io.kintsugi.oplog.CorruptionException if a block the install must read is damaged
     * @throws StorageException if a flush or the install fails
     */
    RangeInstallResult rebase(DivergenceRebase rebase) {
        return await(executor.submit(() -> {
            flushSealed();
            return rebase.run(this);
        }));
    }

    /** Flushes the sealed memtables, then installs a range image; see {@link #rebase} for many at once. */
    RangeInstallResult installRange(RangeInstall install) {
        return await(executor.submit(() -> {
            flushSealed();
            return install.run(this);
        }));
    }

    /**
     * @return the highest sequence at or below which a compaction may have dropped a tombstone of namespace
     *         {@code namespaceId}: since the open exactly, before it the sequence flushed at the open
     */
    long deletesDroppedThrough(int namespaceId) {
        return Math.max(droppedDeletesBeforeOpen, droppedDeletes.getOrDefault(namespaceId, 0L));
    }

    /** Waits for {@code f}, rethrowing its failure as the store's exception. */
    static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for background work", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new StorageException("background work failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Flushes the memtables that are sealed when it starts, oldest first. Memtables sealed later are left to the
     * tasks their seals queue: draining until none is left never ends while writers keep sealing new ones (the
     * backlog lets a writer go on as soon as one flush finishes), and would starve the compaction that follows and
     * every {@link Store#flush()} and {@link Store#compact()} caller.
     */
    private void flushSealed() {
        List<Memtable> sealed = versions.current().immutables; // newest first
        for (int i = sealed.size() - 1; i >= 0; i--) {
            try {
                flush(sealed.get(i));
                backlog.flushed(false);
            } catch (RuntimeException e) {
                backlog.flushed(true);
                report("flush", e);
                throw e;
            }
        }
    }

    private void flush(Memtable m) {
        long number = manifest.allocateFileNumber();
        SegmentFileHandle file;
        try {
            file = write(number, m.all(), false);
        } catch (RuntimeException e) {
            abandon(number, e);
            throw e;
        }
        // Under BATCHED or NONE the records up to sealedAt may not be durable in the oplog yet; the manifest must
        // never say more is flushed than the oplog holds after a power loss.
        oplog.sync();
        ManifestEdit.Builder edit = ManifestEdit.builder().flushedSequence(m.sealedAt());
        if (file == null) {
            edit.abandonFileNumber(number);
        } else {
            edit.addFile(file.metadata());
        }
        Map<Integer, String> known = manifest.state().namespaceNames();
        namespaces.snapshot().forEach((id, name) -> {
            if (!known.containsKey(id)) {
                edit.addNamespace(id, name);
            }
        });
        manifest.apply(edit.build());
        versions.install(cur -> {
            List<Memtable> immutables = new ArrayList<>(cur.immutables);
            immutables.removeIf(x -> x == m);
            List<SegmentFileHandle> files = new ArrayList<>(cur.files.size() + 1);
            if (file != null) {
                files.add(file);
            }
            files.addAll(cur.files);
            return versions.version(cur.active, immutables, files);
        });
        flushes.incrementAndGet();
        try {
            oplog.releaseThrough(Math.min(m.sealedAt(), retentionFloor.getAsLong()));
        } catch (StorageException e) {
            // The flush itself succeeded; the segments stay until the next flush releases them.
            LOG.log(Level.WARNING, "could not release oplog segments after a flush of store " + dir + ": " + e);
        }
        for (StoreListener l : options.listeners()) {
            try {
                l.onFlush(number, m.sealedAt());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a store listener failed on a flush event: " + e);
            }
        }
    }

    private void compactIfDue() {
        List<SegmentFileHandle> pick = CompactionPicker.pick(versions.current().files, options.compactionTrigger(),
                options.compactionMaxFiles());
        if (!pick.isEmpty()) {
            List<SegmentFileHandle> all = versions.current().files;
            boolean includesOldest = pick.get(pick.size() - 1) == all.get(all.size() - 1);
            try {
                compact(pick, includesOldest);
            } catch (RuntimeException e) {
                report("compaction", e);
            }
        }
    }

    /**
     * Merges {@code inputs} (adjacent, newest first) into one file holding the newest version of each key.
     * Tombstones are dropped only when the inputs include the oldest file, so nothing older can reappear.
     */
    private void compact(List<SegmentFileHandle> inputs, boolean dropTombstones) {
        long number = manifest.allocateFileNumber();
        List<EntrySource> sources = new ArrayList<>();
        for (SegmentFileHandle f : inputs) {
            sources.add(new FileSource(f, null, null, damage, "compaction"));
        }
        SegmentFileHandle output;
        try (MergingIterator merge = new MergingIterator(sources)) {
            output = write(number, () -> new NewestVersions(merge, dropTombstones,
                    e -> droppedDeletes.merge(NamespaceTable.namespaceOf(e.key()), e.sequence(), Math::max)), true);
        } catch (RuntimeException e) {
            abandon(number, e);
            throw e;
        }
        ManifestEdit.Builder edit = ManifestEdit.builder();
        if (output == null) {
            edit.abandonFileNumber(number);
        } else {
            edit.addFile(output.metadata());
        }
        for (SegmentFileHandle f : inputs) {
            edit.removeFile(f.number());
        }
        manifest.apply(edit.build());
        Set<SegmentFileHandle> replaced = Collections.newSetFromMap(new IdentityHashMap<>());
        replaced.addAll(inputs);
        versions.install(cur -> {
            List<SegmentFileHandle> files = new ArrayList<>();
            boolean placed = false;
            for (SegmentFileHandle f : cur.files) {
                if (replaced.contains(f)) {
                    if (!placed && output != null) {
                        files.add(output);
                    }
                    placed = true;
                } else {
                    files.add(f);
                }
            }
            return versions.version(cur.active, cur.immutables, files);
        });
        compactions.incrementAndGet();
        List<Long> numbers = inputs.stream().map(SegmentFileHandle::number).toList();
        for (StoreListener l : options.listeners()) {
            try {
                l.onCompaction(numbers, output == null ? -1 : number);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a store listener failed on a compaction event: " + e);
            }
        }
    }

    /**
     * Writes {@code entries} (internal order) to segment file {@code number}, keeping only the first (newest)
     * version of each key; syncs it and the directory, and opens it.
     *
     * @return the new file, or null if there was nothing to write
     */
    SegmentFileHandle write(long number, Iterable<Entry> entries, boolean alreadyNewest) {
        Path path = dir.resolve(StoreFiles.segmentFileName(number));
        SegmentFileWriter writer = SegmentFileWriter.create(path, number, storeId, fileOptions);
        SegmentFileInfo info;
        try {
            byte[] lastKey = null;
            long written = 0;
            for (Entry e : entries) {
                if (!alreadyNewest && lastKey != null && Arrays.equals(lastKey, e.key())) {
                    continue; // an older version: every reader that could need it holds the memtable itself
                }
                lastKey = e.key();
                writer.add(e);
                written++;
            }
            if (written == 0) {
                writer.abort();
                return null;
            }
            info = writer.finish();
            syncDirectory();
        } catch (RuntimeException e) {
            writer.abort();
            throw e;
        }
        FileMetadata metadata = new FileMetadata(info.fileNumber(), info.size(), info.smallestKey(),
                info.largestKey(), info.minSequence(), info.maxSequence(), info.entryCount(), info.wholeFileCrc());
        SegmentFileReader reader = SegmentFileReader.open(path, number, storeId, info.size(), cache);
        return new SegmentFileHandle(metadata, reader, path);
    }

    /** Gives up an allocated file number after a failed write; a failure here must not hide the first one. */
    void abandon(long number, RuntimeException cause) {
        try {
            manifest.apply(ManifestEdit.builder().abandonFileNumber(number).build());
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new StorageException("could not sync store directory " + dir + ": " + e, e);
        }
    }

    private void report(String operation, RuntimeException e) {
        StorageException se = e instanceof StorageException ? (StorageException) e
                : new StorageException(operation + " failed: " + e, e);
        LOG.log(Level.ERROR, operation + " failed in store " + dir + "; the store keeps serving", se);
        for (StoreListener l : options.listeners()) {
            try {
                l.onBackgroundFailure(operation, se);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "a store listener failed on a background failure event: " + ex);
            }
        }
    }

    /** Waits for queued work to finish and stops the thread. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.MINUTES)) {
                LOG.log(Level.WARNING, "background work of store " + dir + " did not finish within 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The newest version of each key from a merge, tombstones dropped when asked. */
    private static final class NewestVersions implements java.util.Iterator<Entry> {
        private final MergingIterator merge;
        private final boolean dropTombstones;
        private final java.util.function.Consumer<Entry> dropped;
        private byte[] lastKey;
        private Entry next;

        NewestVersions(MergingIterator merge, boolean dropTombstones, java.util.function.Consumer<Entry> dropped) {
            this.merge = merge;
            this.dropTombstones = dropTombstones;
            this.dropped = dropped;
            advance();
        }

        private void advance() {
            next = null;
            while (merge.next()) {
                Entry e = merge.entry();
                if (lastKey != null && Arrays.equals(lastKey, e.key())) {
                    continue;
                }
                lastKey = e.key();
                if (dropTombstones && e.isDelete()) {
                    dropped.accept(e);
                    continue;
                }
                next = e;
                return;
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Entry next() {
            Entry e = next;
            advance();
            return e;
        }
    }
}
