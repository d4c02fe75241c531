package io.kintsugi.engine;

import io.kintsugi.engine.table.EntryKind;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts and deletes, in any namespaces of one store, written atomically by {@link Store#write}: after a crash they
 * are all there or none is, and readers see all or none. Within a batch a later operation on the same key wins.
 *
 * <p>Not thread-safe. Arrays are not copied: do not change them until the batch is written.
 */
public final class WriteBatch {

    /** One operation, before its namespace has an id. */
    record Op(EntryKind kind, Namespace namespace, byte[] key, byte[] value) {
    }

    private final Store store;
    private final List<Op> ops = new ArrayList<>();
    private long bytes;

    WriteBatch(Store store) {
        this.store = store;
    }

    /**
     * @param ns    a namespace of the same store
     * @param key   at most {@link Limits#MAX_KEY_LENGTH} bytes
     * @param value at most {@link Limits#MAX_VALUE_LENGTH} bytes
     * @return this batch
     * @throws IllegalArgumentException if an argument is null, too long, of another store, or the batch is full
     */
    public WriteBatch put(Namespace ns, byte[] key, byte[] value) {
        checkNamespace(ns);
        Limits.checkKey(key);
        Limits.checkValue(value);
        add(new Op(EntryKind.PUT, ns, key, value));
        return this;
    }

    /**
     * @param ns  a namespace of the same store
     * @param key at most {@link Limits#MAX_KEY_LENGTH} bytes
     * @return this batch
     * @throws IllegalArgumentException if an argument is null, too long, of another store, or the batch is full
     */
    public WriteBatch delete(Namespace ns, byte[] key) {
        checkNamespace(ns);
        Limits.checkKey(key);
        add(new Op(EntryKind.DELETE, ns, key, new byte[0]));
        return this;
    }

    /** @return the number of operations */
    public int size() {
        return ops.size();
    }

    /** Removes every operation, so the batch can be reused. */
    public void clear() {
        ops.clear();
        bytes = 0;
    }

    Store store() {
        return store;
    }

    List<Op> ops() {
        return ops;
    }

    private void add(Op op) {
        if (ops.size() >= Limits.MAX_BATCH_OPERATIONS) {
            throw new IllegalArgumentException("a write batch holds at most " + Limits.MAX_BATCH_OPERATIONS
                    + " operations (Limits.MAX_BATCH_OPERATIONS)");
        }
        long size = bytes + 13 + op.key().length + op.value().length;
        if (size > Limits.MAX_BATCH_BYTES) {
            throw new IllegalArgumentException("a write batch holds at most " + Limits.MAX_BATCH_BYTES
                    + " bytes of operations (Limits.MAX_BATCH_BYTES); this operation would make it " + size);
        }
        ops.add(op);
        bytes = size;
    }

    private void checkNamespace(Namespace ns) {
        if (ns == null) {
            throw new IllegalArgumentException("namespace must not be null");
        }
        if (ns.store() != store) {
            throw new IllegalArgumentException("namespace " + ns.name() + " belongs to another store");
        }
    }
}
