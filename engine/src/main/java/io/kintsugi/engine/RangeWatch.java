package io.kintsugi.engine;

import io.kintsugi.engine.replication.NotPrimaryException;
import io.kintsugi.oplog.StorageException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Watches the writes to one namespace from a key on, so that a range hashed at a snapshot can be marked in the oplog
 * at a later point only if nothing in it changed in between. The range-hash scanner uses it:
 *
 * <pre>{@code
 * try (RangeWatch w = store.watchRange(ns, from); Snapshot s = w.snapshot()) {
 *     byte[] to = ...;                         // hash [from, to) at s
 *     OptionalLong seq = w.appendMarker(to, payload);
 *     // present: the marker is in the log, and [from, to) at seq equals [from, to) at s
 *     // empty: a write touched [from, to) after s; nothing was appended, hash again
 * }
 * }</pre>
 *
 * <p>Writes are never held up: the check runs on the oplog's writer thread as the marker is sequenced, against the
 * writes it has sequenced since the snapshot. The cost while a watch is open is one key comparison per written key
 * of the namespace.
 *
 * <p>Thread-safe; close it when done.
 */
public final class RangeWatch implements AutoCloseable {

    /** Writes seen between registration and snapshot are kept to be sorted out at the snapshot; beyond this many,
     *  the whole watched range counts as changed. */
    private static final int MAX_EARLY_WRITES = 4096;

    private final Store store;
    private final Namespace namespace;
    private final int namespaceId;
    private final byte[] from;
    private final RangeWatches registry;
    private long registeredAfter;

    // Guarded by this.
    private long baseline = -1;
    private List<EarlyWrite> early = new ArrayList<>();
    private boolean earlyOverflow;
    private byte[] minChangedKey;
    private boolean closed;

    private record EarlyWrite(long sequence, byte[] key) {
    }

    RangeWatch(Store store, Namespace namespace, int namespaceId, byte[] from, RangeWatches registry) {
        this.store = store;
        this.namespace = namespace;
        this.namespaceId = namespaceId;
        this.from = from.clone();
        this.registry = registry;
    }

    void register() {
        registeredAfter = registry.register(this);
    }

    int namespaceId() {
        return namespaceId;
    }

    /** @return the watched namespace */
    public Namespace namespace() {
        return namespace;
    }

    /** @return a copy of the first watched key (inclusive) */
    public byte[] from() {
        return from.clone();
    }

    /**
     * A write of {@code buf[off .. off + len)} at {@code sequence}; the key is copied only if it is kept.
     */
    synchronized void observe(long sequence, byte[] buf, int off, int len) {
        if (Arrays.compareUnsigned(buf, off, off + len, from, 0, from.length) < 0) {
            return;
        }
        if (baseline < 0) {
            if (early.size() < MAX_EARLY_WRITES) {
                early.add(new EarlyWrite(sequence, Arrays.copyOfRange(buf, off, off + len)));
            } else {
                earlyOverflow = true;
            }
        } else if (sequence > baseline && (minChangedKey == null
                || Arrays.compareUnsigned(buf, off, off + len, minChangedKey, 0, minChangedKey.length) < 0)) {
            minChangedKey = Arrays.copyOfRange(buf, off, off + len);
        }
    }

    synchronized void observeUnknownWrite(long sequence) {
        if (baseline < 0 || sequence > baseline) {
            minChangedKey = from.clone();
        }
    }

    private void lowerMinChanged(byte[] key) {
        if (minChangedKey == null || Arrays.compareUnsigned(key, minChangedKey) < 0) {
            minChangedKey = key;
        }
    }

    /**
     * Takes the snapshot to hash from. It sees every write sequenced before the watch was opened; writes after it
     * that touch the watched range are tracked. Call once.
     *
     * @return the snapshot; close it
     * @throws IllegalStateException if called twice
     * @throws StorageException      if the store is closed, or its log stopped before the writes became visible
     */
    public Snapshot snapshot() {
        synchronized (this) {
            if (baseline >= 0 || closed) {
                throw new IllegalStateException("a range watch takes one snapshot, and only while open");
            }
        }
        store.awaitVisible(registeredAfter);
        Snapshot s = store.snapshot();
        synchronized (this) {
            baseline = s.sequence();
            if (earlyOverflow) {
                minChangedKey = from.clone();
            }
            for (EarlyWrite w : early) {
                if (w.sequence() > baseline) {
                    lowerMinChanged(w.key());
                }
            }
            early = null;
        }
        return s;
    }

    /**
     * @param to end of the range (exclusive), or null for the end of the namespace
     * @return whether no write sequenced after the snapshot touched {@code [from, to)}
     */
    synchronized boolean unchangedBefore(byte[] to) {
        if (baseline < 0) {
            return false;
        }
        return minChangedKey == null || (to != null && Arrays.compareUnsigned(minChangedKey, to) >= 0);
    }

    /**
     * The smallest watched key a write sequenced after {@link #snapshot()} touched, as far as the writes sequenced
     * so far go: after {@link #appendMarker} refused a range, a shorter range ending at or before this key may still
     * be marked (it is checked again when that marker is sequenced).
     *
     * @return a copy of that key; empty if no write touched the watched keys since the snapshot (or none was taken)
     */
    public synchronized Optional<byte[]> firstChangedKey() {
        return baseline < 0 || minChangedKey == null ? Optional.empty() : Optional.of(minChangedKey.clone());
    }

    /**
     * Appends a log marker with {@code payload} if no write sequenced after {@link #snapshot()} touched
     * {@code [from, to)}; the check and the append happen at the same point of the log, on its writer thread.
     *
     * @param to      end of the range (exclusive), or null for the end of the namespace
     * @param payload the marker's payload (see {@link StoreExtension}); at most the store's batch limit
     * @return the marker's sequence, or empty if the range changed and nothing was appended
     * @throws IllegalStateException if no snapshot was taken yet, or the watch is closed
     * @throws IllegalArgumentException if {@code to} is not above the watch's first key
     * @throws NotPrimaryException   if the store is not the primary; nothing was appended
     * @throws StorageException      if the store is closed or the append fails
     */
    public OptionalLong appendMarker(byte[] to, byte[] payload) {
        synchronized (this) {
            if (baseline < 0 || closed) {
                throw new IllegalStateException("take the watch's snapshot first, and append while it is open");
            }
        }
        if (to != null && Arrays.compareUnsigned(to, from) <= 0) {
            throw new IllegalArgumentException("the range's end must sort after its first key");
        }
        byte[] end = to == null ? null : to.clone();
        return store.appendMarkerIf(payload, () -> unchangedBefore(end));
    }

    /** Stops watching. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        registry.unregister(this);
    }
}
