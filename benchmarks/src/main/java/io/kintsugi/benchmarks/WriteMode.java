package io.kintsugi.benchmarks;

/** When a compared store's write may return. */
public enum WriteMode {
    /**
     * Only once the write is on disk: Kintsugi {@code Durability.SYNC}; RocksDB with its WAL and
     * {@code WriteOptions.setSync(true)}; LMDB one transaction per write, committed with its default sync.
     */
    DURABLE,
    /**
     * Once the write is logged but not yet synced: Kintsugi {@code Durability.NONE}; RocksDB with its WAL and
     * {@code setSync(false)}. LMDB has no equivalent that keeps the database safe from a crash, so it takes no part.
     */
    BUFFERED
}
