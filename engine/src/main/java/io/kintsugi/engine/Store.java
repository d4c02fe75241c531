package io.kintsugi.engine;

import io.kintsugi.engine.format.WriteBatchFormat;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.engine.replication.NotPrimaryException;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.ReplicationStatus;
import io.kintsugi.engine.replication.Role;
import io.kintsugi.engine.replication.WriteConcern;
import io.kintsugi.engine.replication.WriteConcernException;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.StaleTermException;
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
    private final Replication replication;
    private final RangeWatches watches;
    private final List<StoreExtension> extensions;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Object namespaceCreation = new Object();
    /** Set once {@link #rebaseDiverged} committed: the store must close without a clean-close mark. */
    private volatile boolean rebaseCommitted;
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
        this.replication = new Replication(storeId, oplog, applier, namespaces, o.terms(), maintenance,
                options.replication());
        this.watches = o.watches();
        this.extensions = options.extensions();
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
        Store store = new Store(StoreRecovery.open(dir, options));
        try {
            store.startExtensions();
            store.replication.start();
        } catch (RuntimeException e) {
            try {
                store.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return store;
    }

    /** Tells extensions the store is open, then hands them markers: first those replayed on open, then live ones. */
    private void startExtensions() {
        if (extensions.isEmpty()) {
            return;
        }
        for (StoreExtension e : extensions) {
            e.onOpen(this);
        }
        applier.deliverMarkersTo(this::deliverMarker);
    }

    /** Gives every extension its own snapshot of the marker's version; {@code pinned} counts as the first one. */
    private void deliverMarker(long sequence, byte[] payload, Version pinned, boolean replayed) {
        for (int i = 0; i < extensions.size(); i++) {
            if (i > 0 && !pinned.tryAcquire()) {
                throw new IllegalStateException("a marker's pinned version was released before delivery");
            }
        }
        for (StoreExtension e : extensions) {
            e.onMarker(new LogMarker(sequence, payload, new Snapshot(this, sequence, pinned), replayed));
        }
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
     * the durability option says), visible to reads, and acknowledged by as many followers as the store's default
     * write concern asks ({@link ReplicationOptions#writeConcern()}; none without replication).
     *
     * @param batch a non-empty batch of this store
     * @return the sequence number of the write
     * @throws IllegalArgumentException if the batch is empty or belongs to another store
     * @throws NotPrimaryException      if this store is not the primary; nothing was written
     * @throws WriteConcernException    if the write is durable here but too few followers acknowledged it in time
     * @throws StorageException         if the store is closed or the write fails
     */
    public long write(WriteBatch batch) {
        return write(batch, replication.defaultConcern());
    }

    /**
     * Like {@link #write(WriteBatch)}, with the write concern given.
     *
     * @param batch   a non-empty batch of this store
     * @param concern how many followers must hold the write durably before this returns
     * @return the sequence number of the write
     * @throws IllegalArgumentException if the batch is empty or belongs to another store, or the concern needs
     *                                  followers and the store has no replication options
     * @throws NotPrimaryException      if this store is not the primary; nothing was written
     * @throws WriteConcernException    if the write is durable here but too few followers acknowledged it in time
     * @throws StorageException         if the store is closed or the write fails
     */
    public long write(WriteBatch batch, WriteConcern concern) {
        if (batch == null || batch.store() != this) {
            throw new IllegalArgumentException("the batch must be one from this store's newBatch()");
        }
        if (batch.size() == 0) {
            throw new IllegalArgumentException("a write batch must hold at least one operation");
        }
        replication.checkConcern(concern); // before writing: a write must not fail after it was made
        long seq;
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            maintenance.awaitFlushCapacity();
            long term = replication.beginWrite();
            try {
                List<WriteBatchFormat.Operation> ops = new ArrayList<>(batch.size());
                for (WriteBatch.Op op : batch.ops()) {
                    int id = namespaceIdForWrite(op.namespace().name(), term);
                    ops.add(new WriteBatchFormat.Operation(op.kind(), id, op.key(), op.value()));
                }
                seq = oplog.append(term, WriteBatchFormat.TYPE_WRITE_BATCH, WriteBatchFormat.encode(ops));
            } catch (StaleTermException e) {
                throw replication.fenced(e);
            } finally {
                replication.endWrite();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        replication.awaitConcern(seq, concern);
        return seq;
    }

    /**
     * Waits until {@code concern.followers()} followers hold the write at {@code sequence} (and everything before it)
     * durably: for a host that wrote with a weaker concern and needs a stronger one for some writes.
     *
     * @param sequence a sequence this primary returned from a write
     * @param concern  how many followers, and how long to wait
     * @throws WriteConcernException if too few followers acknowledge in time
     * @throws NotPrimaryException   if this store stops being primary meanwhile
     * @throws StorageException      if the store is closed
     */
    public void awaitReplication(long sequence, WriteConcern concern) {
        ensureOpen();
        replication.checkConcern(concern);
        replication.awaitConcern(sequence, concern);
    }

    private int namespaceIdForWrite(String name, long term) {
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
            oplog.append(term, WriteBatchFormat.TYPE_NAMESPACE,
                    WriteBatchFormat.encodeNamespace(next, name));
            return next;
        }
    }

    /**
     * @return the names of the namespaces that exist (have had a write), in no particular order
     * @throws StorageException if the store is closed
     */
    public List<String> namespaceNames() {
        ensureOpen();
        return List.copyOf(namespaces.snapshot().values());
    }

    /**
     * Starts watching the writes to {@code ns} at keys from {@code fromInclusive} on, for the range-hash scanner:
     * see {@link RangeWatch}.
     *
     * @param ns            a namespace of this store that exists
     * @param fromInclusive first key of the watched range; empty for the start of the namespace
     * @return the watch; close it
     * @throws IllegalArgumentException if the namespace belongs to another store or has no writes yet, or the key
     *                                  is over its limit
     * @throws StorageException         if the store is closed
     */
    public RangeWatch watchRange(Namespace ns, byte[] fromInclusive) {
        ensureOpen();
        if (ns == null || ns.store() != this) {
            throw new IllegalArgumentException("the namespace must be one of this store's");
        }
        Objects.requireNonNull(fromInclusive, "fromInclusive");
        Limits.checkKey(fromInclusive);
        OptionalInt id = namespaces.idOf(ns.name());
        if (id.isEmpty()) {
            throw new IllegalArgumentException("namespace " + ns.name() + " has no writes yet, so there is nothing "
                    + "to watch");
        }
        RangeWatch w = new RangeWatch(this, ns, id.getAsInt(), fromInclusive, watches);
        w.register();
        return w;
    }

    /** Waits until {@code sequence} is visible to reads (it was sequenced already, so it is on its way). */
    void awaitVisible(long sequence) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (applier.visibleSequence() < sequence) {
            ensureOpen();
            if (System.nanoTime() > deadline) {
                throw new StorageException("sequence " + sequence + " was written to the oplog but did not become "
                        + "visible within 30 s (visible: " + applier.visibleSequence() + "); the oplog may have failed");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
    }

    /** Appends a log marker if {@code condition} holds at its place in the log; see {@link RangeWatch}. */
    java.util.OptionalLong appendMarkerIf(byte[] payload, java.util.function.BooleanSupplier condition) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > Limits.MAX_BATCH_BYTES) {
            throw new IllegalArgumentException("a log marker's payload is " + payload.length + " bytes, over the "
                    + "limit of " + Limits.MAX_BATCH_BYTES);
        }
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            long term = replication.beginWrite();
            try {
                return oplog.appendIf(term, WriteBatchFormat.TYPE_LOG_MARKER, payload, condition);
            } catch (StaleTermException e) {
                throw replication.fenced(e);
            } finally {
                replication.endWrite();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Puts a value into the live memtable without an oplog record; see {@link FaultHooks}. */
    void injectWithoutOplog(Namespace ns, byte[] key, byte[] value) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            OptionalInt id = namespaces.idOf(ns.name());
            if (id.isEmpty()) {
                throw new IllegalArgumentException("namespace " + ns.name() + " has no writes yet");
            }
            applier.injectWithoutLog(NamespaceTable.internalKey(id.getAsInt(), key), value, reads);
        } finally {
            lifecycle.readLock().unlock();
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

    /**
     * Pins the live segment files, so that they stay on disk until the pin is closed even if compaction replaces
     * them, for a verifier that reads them while the store keeps taking writes. Nothing is blocked: flushes and
     * compactions go on, and only the deletion of a replaced file waits for the pin.
     *
     * @return the pinned files; close it
     * @throws StorageException if the store is closed
     */
    public PinnedFiles pinFiles() {
        ensureOpen();
        return new PinnedFiles(versions.acquire(), storeId, dir);
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

    /**
     * Replaces the contents of {@code [fromInclusive, toExclusive)} of {@code ns} as of sequence {@code atSequence}
     * with {@code image}: the true contents of the range at that sequence, from a healthy replica whose hash the
     * caller already checked. Afterwards every read of a key of the range returns the newest write with a sequence
     * above {@code atSequence} if there is one, otherwise the image's value (absent if the image lacks the key).
     * Every other key, of this namespace or another, reads as before. Damaged ranges of the namespace lying inside
     * the range are forgotten once their blocks are gone, so reads there succeed without reopening the store.
     *
     * <p>Writes and reads go on during the call; snapshots taken before it keep seeing the old data. The image is
     * installed at {@code atSequence} itself: it must be the range's contents including the write at that sequence
     * (a range-hash marker's sequence is the usual choice). The change is atomic, also across a crash.
     *
     * <p>A delete after {@code atSequence} must still be in the store to hide the image's value of its key; a
     * compaction that includes the oldest file drops tombstones, so the image's sequence must not be below any
     * tombstone of the namespace that a compaction dropped: take the image at a recent sequence and install it
     * promptly.
     *
     * <p>A data block lying wholly inside the range, in a file that holds nothing newer than {@code atSequence}, is
     * dropped without being read, damaged or not. A damaged block that must be read (it holds keys outside the
     * range, or its file holds newer writes) fails the call: widen the range, or install at a later sequence.
     *
     * @param ns            a namespace of this store that has had a write
     * @param fromInclusive first key of the range, or null for the start of the namespace
     * @param toExclusive   end of the range (exclusive), or null for the end of the namespace
     * @param atSequence    the image's sequence, at most {@link #lastSequence()}
     * @param image         the range's pairs in strictly ascending key order, each inside the range; read once
     * @return what was rewritten, dropped and installed
     * @throws IllegalArgumentException if the namespace is not this store's or has no writes, a bound is over the
     *                                  key limit, the range is empty, the sequence is negative or above
     *                                  {@link #lastSequence()}, or a pair is null, over a limit, out of order or
     *                                  outside the range (the store is then unchanged)
     * @throws IllegalStateException    if a compaction since {@code atSequence} dropped deletes of the namespace (or
     *                                  {@code atSequence} is below the sequence flushed when the store was opened,
     *                                  before which that is not known): the image would bring deleted values back;
     *                                  the message names the lowest sequence that is accepted
     * @throws CorruptionException      if a block that must be read is damaged (the store is then unchanged)
     * @throws StorageException         if the store is closed or writing fails
     */
    public RangeInstallResult installRange(Namespace ns, byte[] fromInclusive, byte[] toExclusive, long atSequence,
                                           java.util.Iterator<RangeEntry> image) {
        if (ns == null || ns.store() != this) {
            throw new IllegalArgumentException("the namespace must be one of this store's");
        }
        if (image == null) {
            throw new IllegalArgumentException("the range image must not be null (pass an empty iterator to leave "
                    + "the range empty)");
        }
        if (fromInclusive != null) {
            Limits.checkKey(fromInclusive);
        }
        if (toExclusive != null) {
            Limits.checkKey(toExclusive);
        }
        if (fromInclusive != null && toExclusive != null
                && java.util.Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0) {
            throw new IllegalArgumentException("the range is empty: its first key does not sort below its end");
        }
        if (atSequence < 0) {
            throw new IllegalArgumentException("the image's sequence must not be negative, was " + atSequence);
        }
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            OptionalInt id = namespaces.idOf(ns.name());
            if (id.isEmpty()) {
                throw new IllegalArgumentException("namespace " + ns.name() + " has no writes yet, so it has no range"
                        + " to install into");
            }
            long visible = applier.visibleSequence();
            if (atSequence > visible) {
                throw new IllegalArgumentException("the image is at sequence " + atSequence + " but this store has "
                        + "only reached sequence " + visible + ": bring the store to the image's sequence first");
            }
            // Sealed after the check: the memtable holds every write up to the image's sequence, and the install
            // flushes it before it looks at the files.
            applier.sealActive();
            return maintenance.installRange(new RangeInstall(ns.name(), id.getAsInt(),
                    fromInclusive == null ? null : fromInclusive.clone(),
                    toExclusive == null ? null : toExclusive.clone(), atSequence, image, manifest, versions,
                    namespaces, damage, oplog));
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Brings this follower, stopped because its log diverged from its primary's ({@code FollowerState.DIVERGED}),
     * back to the primary's history at sequence {@code atSequence} = S: {@code images} (the primary's contents of
     * every key range the diverged records touched and every range the primary wrote after the logs forked, as of
     * S, hash-checked by the caller) replace what this store holds there, the oplog starts over at S + 1, and the
     * term history becomes the primary's up to S. This store is closed when the call returns: open it again (the
     * open finishes the rebase; extensions such as a validator serve one store, so give it fresh ones) and tell it
     * to follow the primary.
     *
     * <p>The diverged records are not lost: the replaced oplog, diverged records included, is kept in
     * {@code diverged/oplog-rebased-at-<S>} in the store directory. The divergence is logged with metadata only.
     * The change is atomic across a crash: an open after a crash finds the diverged store (run the repair again)
     * or the rebased one. Keys outside the images must be the same on both replicas at S: the images must cover
     * every write either log made after the last sequence they agree on.
     *
     * @param atSequence the images' sequence S: at least the last diverged sequence, in the primary's term of the
     *                   divergence
     * @param images     disjoint ranges, each the primary's contents at S; each range the divergence report lists
     *                   must lie inside one; read once
     * @throws IllegalStateException    if this store is not stopped at a divergence, if the divergence cannot be
     *                                  rebased by ranges (some diverged records were released, or they created
     *                                  namespaces: resync the whole replica instead), or the store moved since
     * @throws IllegalArgumentException if S or the images do not fit the divergence (the store is then unchanged
     *                                  and stopped following; follow the primary again to find the divergence)
     * @throws CorruptionException      if a block the installs must read is damaged (the store is unchanged)
     * @throws StorageException         if the store is closed or writing fails
     */
    public void rebaseDiverged(long atSequence, List<RangeImage> images) {
        Objects.requireNonNull(images, "images");
        FollowingSession.Diverged diverged;
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            diverged = replication.diverged();
            if (diverged == null) {
                throw new IllegalStateException("this store is not stopped at a divergence from its primary (its "
                        + "follower state is " + replication.status().followerState() + ")");
            }
            DivergenceRebase.check(diverged.report(), diverged.primaryHistory(), applier.visibleSequence(),
                    atSequence, images, namespaces);
        } finally {
            lifecycle.readLock().unlock();
        }
        List<RangeInstall> installs = new java.util.ArrayList<>(images.size());
        for (RangeImage im : images) {
            if (im.fromInclusive() != null) {
                Limits.checkKey(im.fromInclusive());
            }
            if (im.toExclusive() != null) {
                Limits.checkKey(im.toExclusive());
            }
            if (im.fromInclusive() != null && im.toExclusive() != null
                    && java.util.Arrays.compareUnsigned(im.fromInclusive(), im.toExclusive()) >= 0) {
                throw new IllegalArgumentException("an image's range is empty: its first key does not sort below "
                        + "its end");
            }
            installs.add(new RangeInstall(im.namespace(), namespaces.idOf(im.namespace()).getAsInt(),
                    im.fromInclusive() == null ? null : im.fromInclusive().clone(),
                    im.toExclusive() == null ? null : im.toExclusive().clone(), atSequence, im.pairs(), manifest,
                    versions, namespaces, damage, oplog));
        }
        stepDown(); // the session is stopped already; this makes sure nothing appends meanwhile
        System.getLogger(Store.class.getName()).log(System.Logger.Level.WARNING, "store " + storeId
                + " rebases its diverged log onto the primary's at sequence " + atSequence + ": "
                + diverged.report() + "; installing " + DivergenceRebase.describe(images));
        DivergenceRebase.writeIntent(dir, storeId, diverged.primaryHistory().truncatedAfter(atSequence));
        RangeInstallResult result;
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            applier.sealActive();
            result = maintenance.rebase(new DivergenceRebase(atSequence, installs, manifest, versions, namespaces,
                    oplog));
        } catch (RuntimeException e) {
            if (manifest.state().flushedSequence() < atSequence) {
                DivergenceRebase.abandonIntent(dir); // not committed: the store is still the diverged one
            } else {
                rebaseCommitted = true; // committed, then failed: the next open finishes it
            }
            throw e;
        } finally {
            lifecycle.readLock().unlock();
        }
        rebaseCommitted = true;
        System.getLogger(Store.class.getName()).log(System.Logger.Level.INFO, "store " + storeId
                + " committed the rebase at sequence " + atSequence + ": " + result + "; closing, the next open "
                + "finishes it");
        close();
    }

    /**
     * Says which key ranges the records of this store's log in {@code (afterSequence, throughSequence]} wrote, per
     * namespace: what a primary tells a repair of a diverged follower about its own writes since the logs forked.
     *
     * @param afterSequence   the last sequence not looked at, 0 or more
     * @param throughSequence the last sequence looked at, at least {@code afterSequence}, at most
     *                        {@link #lastSequence()}
     * @return the ranges, as a report whose diverged sequences are the ones read; {@code complete} is false if some
     *         of them were already released from the oplog
     * @throws IllegalArgumentException if the sequences are out of order or beyond the last one
     * @throws StorageException         if the store is closed
     */
    public DivergenceReport writtenRanges(long afterSequence, long throughSequence) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            long last = applier.visibleSequence();
            if (afterSequence < 0 || throughSequence < afterSequence || throughSequence > last) {
                throw new IllegalArgumentException("need 0 <= after <= through <= the last sequence " + last
                        + ", was after " + afterSequence + ", through " + throughSequence);
            }
            return DivergenceFinder.find(oplog, namespaces, afterSequence, throughSequence, storeId,
                    oplog.currentTerm());
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

    /** @return whether this store takes client writes ({@link Role#PRIMARY}) or copies a primary's */
    public Role role() {
        return replication.role();
    }

    /** @return the highest term this store has seen; terms never go down, also across restarts */
    public long term() {
        return oplog.currentTerm();
    }

    /**
     * Makes this store the primary of {@code term}, as the host's coordinator (ZooKeeper, etcd, a Raft group)
     * decided. Stops following first, and records that {@code term} starts at the next sequence. Terms only grow:
     * each promotion needs a term above every term this store has seen, so two stores can never be primary of the
     * same term.
     *
     * @param term the new term, above {@link #term()}; promoting the current primary to its own term does nothing
     * @throws StaleTermException       if {@code term} is not above every term this store has seen
     * @throws IllegalArgumentException if {@code term} is below 1
     * @throws StorageException         if the store is closed
     */
    public void promote(long term) {
        replication.promote(term);
    }

    /**
     * Makes this store a follower of the primary at {@code primaryEndpoint}: it stops taking writes at once (writes
     * in flight finish first; later ones get {@link NotPrimaryException}), raises its term to {@code term} durably,
     * and from then on copies the primary's oplog, refusing any primary and any record of a lower term.
     *
     * @param primaryEndpoint what the primary's {@link #replicationStatus()} reports as its endpoint
     * @param term            the primary's term as the coordinator knows it
     * @throws StaleTermException    if {@code term} is below a term this store has seen
     * @throws IllegalStateException if the store was opened without replication options
     * @throws StorageException      if the store is closed
     */
    public void follow(String primaryEndpoint, long term) {
        Objects.requireNonNull(primaryEndpoint, "primaryEndpoint");
        replication.follow(primaryEndpoint, term);
    }

    /**
     * Stops taking writes and stops following, for example when the host loses its lease. Writes in flight finish
     * first; later ones get {@link NotPrimaryException}.
     *
     * @throws StorageException if the store is closed
     */
    public void stepDown() {
        replication.stepDown();
    }

    /**
     * @return role, term, follower state and lag, and on a primary every follower's acknowledged sequence and lag
     * @throws StorageException if the store is closed
     */
    public ReplicationStatus replicationStatus() {
        ensureOpen();
        return replication.status();
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
            for (StoreExtension e : extensions) {
                try {
                    e.onClose();
                } catch (RuntimeException ex) {
                    System.getLogger(Store.class.getName()).log(System.Logger.Level.WARNING,
                            "a store extension failed while the store closed: " + ex);
                }
            }
            replication.close();
            maintenance.close();
            oplog.close();
            if (!rebaseCommitted) {
                // After a committed rebase the oplog is the old one, ending below the flushed sequence; the next
                // open replaces it, so no clean close may describe it.
                manifest.recordCleanClose(oplog.lastSequence());
            }
        } finally {
            applier.releasePendingMarkers();
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
