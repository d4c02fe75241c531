package io.kintsugi.engine;

import io.kintsugi.oplog.StorageException;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A consistent, read-only view of the whole store as of one sequence number. It keeps the memtables and files it
 * needs until it is closed, so close it promptly.
 *
 * <p>Thread-safe.
 */
public final class Snapshot implements AutoCloseable {

    private final Store store;
    private final long sequence;
    private final Version version;
    private final AtomicBoolean closed = new AtomicBoolean();

    Snapshot(Store store, long sequence, Version version) {
        this.store = store;
        this.sequence = sequence;
        this.version = version;
    }

    /** @return the sequence number the snapshot sees: every write at or below it, none above */
    public long sequence() {
        return sequence;
    }

    /**
     * @param ns  a namespace of the snapshot's store
     * @param key at most {@link Limits#MAX_KEY_LENGTH} bytes
     * @return the value as of the snapshot, or null
     * @throws IllegalArgumentException if an argument is invalid
     * @throws io.kintsugi.oplog.CorruptionException if the key lies in a damaged block
     * @throws StorageException if the snapshot or store is closed
     */
    public byte[] get(Namespace ns, byte[] key) {
        ensureOpen();
        Limits.checkKey(key);
        checkStore(ns);
        return store.get(ns, key, sequence, version);
    }

    /**
     * @param ns            a namespace of the snapshot's store
     * @param fromInclusive first key, or null for the start of the namespace
     * @param toExclusive   end key, or null for the end of the namespace
     * @return a cursor over the range as of the snapshot; close it
     * @throws IllegalArgumentException if an argument is invalid
     * @throws StorageException if the snapshot or store is closed
     */
    public Cursor scan(Namespace ns, byte[] fromInclusive, byte[] toExclusive) {
        ensureOpen();
        checkStore(ns);
        return store.scan(ns, fromInclusive, toExclusive, sequence, version);
    }

    private void checkStore(Namespace ns) {
        if (ns == null) {
            throw new IllegalArgumentException("namespace must not be null");
        }
        if (ns.store() != store) {
            throw new IllegalArgumentException("namespace " + ns.name() + " belongs to another store");
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new StorageException("snapshot is closed");
        }
    }

    /** Releases what the snapshot holds. Cursors opened from it must be closed first. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            version.release();
        }
    }
}
