package io.kintsugi.engine;

import java.util.Objects;

/**
 * A named key space of a {@link Store}. Keys of different namespaces never collide; within a namespace keys are
 * ordered as unsigned bytes. A namespace is created durably by its first write; reading one that was never written
 * returns nothing and creates nothing.
 *
 * <p>Thread-safe.
 */
public final class Namespace {

    private final Store store;
    private final String name;

    Namespace(Store store, String name) {
        this.store = store;
        this.name = name;
    }

    /** @return the namespace's name */
    public String name() {
        return name;
    }

    Store store() {
        return store;
    }

    /**
     * Sets {@code key} to {@code value}; returns once the write is durable (as the store's durability says) and
     * visible to reads.
     *
     * @param key   at most {@link Limits#MAX_KEY_LENGTH} bytes
     * @param value at most {@link Limits#MAX_VALUE_LENGTH} bytes
     * @return the write's sequence number
     * @throws IllegalArgumentException if the key or value is null or too long
     * @throws io.kintsugi.oplog.StorageException if the store is closed or the write fails
     */
    public long put(byte[] key, byte[] value) {
        Limits.checkKey(key);
        Limits.checkValue(value);
        WriteBatch b = store.newBatch();
        b.put(this, key, value);
        return store.write(b);
    }

    /**
     * Deletes {@code key}; deleting an absent key is a write like any other.
     *
     * @param key at most {@link Limits#MAX_KEY_LENGTH} bytes
     * @return the write's sequence number
     * @throws IllegalArgumentException if the key is null or too long
     * @throws io.kintsugi.oplog.StorageException if the store is closed or the write fails
     */
    public long delete(byte[] key) {
        Limits.checkKey(key);
        WriteBatch b = store.newBatch();
        b.delete(this, key);
        return store.write(b);
    }

    /**
     * @param key at most {@link Limits#MAX_KEY_LENGTH} bytes
     * @return the value, or null when the key is absent
     * @throws IllegalArgumentException if the key is null or too long
     * @throws io.kintsugi.oplog.CorruptionException if the key lies in a damaged block
     * @throws io.kintsugi.oplog.StorageException if the store is closed
     */
    public byte[] get(byte[] key) {
        Limits.checkKey(key);
        return store.get(this, key, -1, null);
    }

    /**
     * Iterates the keys in {@code [fromInclusive, toExclusive)} as of now.
     *
     * @param fromInclusive first key, or null for the start of the namespace
     * @param toExclusive   end key, or null for the end of the namespace
     * @return a cursor; close it
     * @throws IllegalArgumentException if a bound is too long
     * @throws io.kintsugi.oplog.StorageException if the store is closed
     */
    public Cursor scan(byte[] fromInclusive, byte[] toExclusive) {
        return store.scan(this, fromInclusive, toExclusive, -1, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Namespace n && n.store == store && n.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(store), name);
    }

    @Override
    public String toString() {
        return "Namespace{" + name + '}';
    }
}
