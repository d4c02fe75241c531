package io.kintsugi.engine;

import java.util.Objects;

/**
 * Doors into a store that exist only to imitate faults in tests; the validation module's fault-injection API wraps
 * them. Never call these in production: they make a store hold data that its own oplog does not explain.
 */
public final class FaultHooks {

    private FaultHooks() {
    }

    /**
     * Puts {@code value} for {@code key} into the store's live memtable at its last visible sequence, without an
     * oplog record and without replication: what a memory error before checksumming would do. Reads on this store
     * return the value; its replicas never see it. A flush writes it to a segment file with valid checksums; if the
     * store restarts before a flush, replaying the oplog undoes it.
     *
     * @param ns    an existing namespace of an open store
     * @param key   the key, within the store's key limit
     * @param value the wrong value, within the value limit
     * @throws IllegalArgumentException if the namespace has no writes yet or an argument is over its limit
     * @throws IllegalStateException    if the key's newest version is already flushed at the store's last sequence
     *                                  (write another key first)
     * @throws io.kintsugi.oplog.StorageException if the store is closed
     */
    public static void writeWithoutOplog(Namespace ns, byte[] key, byte[] value) {
        Objects.requireNonNull(ns, "ns");
        Limits.checkKey(key);
        Limits.checkValue(value);
        ns.store().injectWithoutOplog(ns, key, value);
    }
}
