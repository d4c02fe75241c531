package io.kintsugi.engine;

import io.kintsugi.engine.format.WriteBatchFormat;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.StorageException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An embedded key-value store that notices corruption: every write goes through a checksummed oplog, every block
 * read from disk is verified before use, and damage is reported (file, offset, kind) instead of being read around.
 *
 * <pre>{@code
 * try (Store store = Store.open(Path.of("data"))) {
 *     Namespace orders = store.namespace("orders");
 *     long seq = orders.put(key, value);           // durable and visible when it returns
 *     byte[] v = orders.get(key);                   // null when absent
 *     try (Cursor c = orders.scan(null, null)) {    // ascending unsigned byte order
 *         while (c.next()) { use(c.key(), c.value()); }
 *     }
 *     WriteBatch b = store.newBatch();
 *     b.put(orders, k1, v1).delete(orders, k2);
 *     store.write(b);                               // atomic
 *     try (Snapshot s = store.snapshot()) { s.get(orders, key); }
 * }
 * }</pre>
 *
 * <p>Writes go through an LMAX Disruptor ring to the oplog's writer thread, which appends them, makes each batch
 * durable with one fdatasync (group commit) and applies it to the memtable in sequence order before releasing the
 * writers. Memtables are flushed to sorted, immutable segment files of checksummed blocks, which a background
 * compaction merges. A manifest records the live files and is cross-checked against them and against the oplog on
 * every open.
 *
 * <p>Thread-safe. A closed store throws {@link StorageException} ("store is closed").
 */
public final class Store implements AutoCloseable {

    private final Path dir;
    private final UUID storeId;
    private final StoreOptions options;
    private final Oplog oplog;
    private final Manifest manifest;
    private final VersionSet versions;
    private final NamespaceTable namespaces;
    private final WriteApplier applier;
    private final Maintenance maintenance;
    private final ReadPath reads;
    private final DamageLog damage;
    private final BlockCache cache;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Object namespaceCreation = new Object();
    private volatile boolean closed;

    Store(StoreRecovery.Opened o) {
        this.dir = o.dir();
        this.storeId = o.storeId();
        this.options = o.options();
        this.oplog = o.oplog();
        this.manifest = o.manifest();
        this.versions = o.versions();
        this.namespaces = o.namespaces();
        this.applier = o.applier();
        this.maintenance = o.maintenance();
        this.damage = o.damage();
        this.cache = o.cache();
        this.reads = new ReadPath(damage);
    }

    /**
     * Opens the store in {@code dir} with default options, creating it if the directory is empty or missing.
     *
     * @param dir the store directory
     * @return the open store
     * @throws CorruptionException if the store's files are damaged, missing or inconsistent
     * @throws StorageException    if the JVM lacks the required flags, or the directory cannot be used
     */
    public static Store open(Path dir) {
        return open(dir, StoreOptions.defaults());
    }

    /**
     * Opens the store in {@code dir}, creating it if the directory is empty or missing. Opening replays the oplog
     * after the last flush, after checking every listed segment file's header and footer and the manifest against
     * the files and the oplog.
     *
     * @param dir     the store directory
     * @param options how to open it
     * @return the open store
     * @throws CorruptionException if the store's files are damaged, missing or inconsistent
     * @throws StorageException    if the JVM lacks the required flags, or the directory cannot be used
     */
    public static Store open(Path dir, StoreOptions options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        JvmFlags.check();
        return new Store(StoreRecovery.open(dir, options));
    }

    /**
     * Returns the namespace called {@code name}. It is created durably by its first write; until then reads of it
     * return nothing and nothing is written.
     *
     * @param name 1 to 64 characters from a-z, 0-9, '_', '.', '-'
     * @return the namespace
     * @throws IllegalArgumentException if the name is invalid
     * @throws StorageException         if the store is closed
     */
    public Namespace namespace(String name) {
        ensureOpen();
        Limits.checkNamespaceName(name);
        return new Namespace(this, name);
    }

    /** @return a new, empty batch for {@link #write} */
    public WriteBatch newBatch() {
        ensureOpen();
        return new WriteBatch(this);
    }

    /**
     * Writes every operation of {@code batch} atomically, as one oplog record, and returns once it is durable (as
     * the durability option says) and visible to reads.
     *
     * @param batch a non-empty batch of this store
     * @return the sequence number of the write
     * @throws IllegalArgumentException if the batch is empty or belongs to another store
     * @throws StorageException         if the store is closed or the write fails
     */
    public long write(WriteBatch batch) {
        if (batch == null || batch.store() != this) {
            throw new IllegalArgumentException("the batch must be one from this store's newBatch()");
        }
        if (batch.size() == 0) {
            throw new IllegalArgumentException("a write batch must hold at least one operation");
        }
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            maintenance.awaitFlushCapacity();
            List<WriteBatchFormat.Operation> ops = new ArrayList<>(batch.size());
            for (WriteBatch.Op op : batch.ops()) {
                int id = namespaceIdForWrite(op.namespace().name());
                ops.add(new WriteBatchFormat.Operation(op.kind(), id, op.key(), op.value()));
            }
            return oplog.append(oplog.currentTerm(), WriteBatchFormat.TYPE_WRITE_BATCH, WriteBatchFormat.encode(ops));
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private int namespaceIdForWrite(String name) {
        OptionalInt id = namespaces.idOf(name);
        if (id.isPresent()) {
            return id.getAsInt();
        }
        // Not the table's own monitor: the oplog's writer thread takes that one to register the namespace.
        synchronized (namespaceCreation) {
            id = namespaces.idOf(name);
            if (id.isPresent()) {
                return id.getAsInt();
            }
            int next = namespaces.nextId();
            // The record is applied (and the name registered) before append returns.
            oplog.append(oplog.currentTerm(), WriteBatchFormat.TYPE_NAMESPACE,
                    WriteBatchFormat.encodeNamespace(next, name));
            return next;
        }
    }

    /**
     * Takes a consistent, read-only view of the whole store as of {@link #lastSequence()}.
     *
     * @return the snapshot; close it
     * @throws StorageException if the store is closed
     */
    public Snapshot snapshot() {
        ensureOpen();
        ReadView view = acquireView();
        return new Snapshot(this, view.sequence(), view.version());
    }

    /** A version and a read sequence whose every write it holds, and whose files drop nothing visible at it. */
    private record ReadView(Version version, long sequence) {
    }

    /**
     * Acquires the current version, then reads the visible sequence, and retries if a seal installed a newer
     * version meanwhile: files in the version were flushed from memtables sealed at or below the sequence, and
     * no write at or below it went to a memtable the version lacks.
     */
    private ReadView acquireView() {
        while (true) {
            Version v = versions.acquire();
            long seq = applier.visibleSequence();
            if (versions.current() == v) {
                return new ReadView(v, seq);
            }
            v.release();
        }
    }

    /** A snapshot's version, acquired for one read so that closing the snapshot meanwhile cannot free it. */
    private static ReadView pinnedView(Version pinned, long sequence) {
        if (!pinned.tryAcquire()) {
            throw new StorageException("snapshot is closed");
        }
        return new ReadView(pinned, sequence);
    }

    byte[] get(Namespace ns, byte[] key, long sequence, Version pinned) {
        ensureOpen();
        OptionalInt id = namespaces.idOf(ns.name());
        if (id.isEmpty()) {
            return null;
        }
        ReadView view = pinned == null ? acquireView() : pinnedView(pinned, sequence);
        try {
            Entry e = reads.get(view.version(), NamespaceTable.internalKey(id.getAsInt(), key), view.sequence());
            return e == null || e.isDelete() ? null : e.value().clone();
        } finally {
            view.version().release();
        }
    }

    Cursor scan(Namespace ns, byte[] from, byte[] to, long sequence, Version pinned) {
        ensureOpen();
        if (from != null) {
            Limits.checkKey(from);
        }
        if (to != null) {
            Limits.checkKey(to);
        }
        OptionalInt id = namespaces.idOf(ns.name());
        if (id.isEmpty() || (from != null && to != null && java.util.Arrays.compareUnsigned(from, to) >= 0)) {
            return EmptyCursor.INSTANCE;
        }
        int nsId = id.getAsInt();
        ReadView view = pinned == null ? acquireView() : pinnedView(pinned, sequence);
        byte[] fromKey = NamespaceTable.internalKey(nsId, from == null ? new byte[0] : from);
        byte[] toKey = to == null ? NamespaceTable.namespaceEnd(nsId) : NamespaceTable.internalKey(nsId, to);
        return reads.scan(view.version(), view.sequence(), fromKey, toKey);
    }

    /**
     * Writes the current memtable to a segment file and waits until it and every earlier one are recorded in the
     * manifest.
     *
     * @throws StorageException if the store is closed or the flush fails
     */
    public void flush() {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            applier.sealActive();
            maintenance.flush();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Flushes, then merges every segment file into one, dropping deleted keys and old versions that no snapshot
     * needs. Every block read is verified: a damaged input makes the compaction fail with
     * {@link CorruptionException} and leaves the files as they were.
     *
     * @throws CorruptionException if an input file is damaged
     * @throws StorageException    if the store is closed or the compaction fails
     */
    public void compact() {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            applier.sealActive();
            maintenance.compactAll();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** @return the sequence number of the last write visible to reads */
    public long lastSequence() {
        ensureOpen();
        return applier.visibleSequence();
    }

    /** @return the store's id, which is also its oplog's id */
    public UUID id() {
        return storeId;
    }

    /** @return the store directory */
    public Path directory() {
        return dir;
    }

    /**
     * @return the key ranges found damaged since the store was opened; reads in them throw
     *         {@link CorruptionException}
     */
    public List<DamagedRange> damage() {
        return damage.ranges();
    }

    /** @return current counters */
    public StoreStats stats() {
        ensureOpen();
        Version v = versions.current();
        long segmentBytes = 0;
        for (SegmentFileHandle f : v.files) {
            segmentBytes += f.size();
        }
        long memtableBytes = v.active.approximateBytes();
        for (Memtable m : v.immutables) {
            memtableBytes += m.approximateBytes();
        }
        return new StoreStats(v.files.size(), segmentBytes, memtableBytes, applier.visibleSequence(),
                manifest.state().flushedSequence(), cache.hits(), cache.misses(), damage.eventCount(),
                maintenance.flushes.get(), maintenance.compactions.get());
    }

    /**
     * Waits for writes in flight and background work, records a clean close in the manifest and closes every file.
     * Later calls do nothing.
     *
     * @throws StorageException if closing a file fails
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lifecycle.writeLock().unlock();
        }
        try {
            maintenance.close();
            oplog.close();
            manifest.recordCleanClose(oplog.lastSequence());
        } finally {
            versions.closeAll();
            manifest.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("store is closed");
        }
    }
}
