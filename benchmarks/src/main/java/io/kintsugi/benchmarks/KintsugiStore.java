package io.kintsugi.benchmarks;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.WriteBatch;
import io.kintsugi.oplog.Durability;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;

/**
 * Kintsugi as the comparison benchmarks drive it: default {@link StoreOptions} (64 MiB block cache, 16 KiB blocks,
 * zstd where it saves an eighth, 10-bit bloom filters, 64 MiB memtable), one namespace, durability {@code SYNC}
 * for {@link WriteMode#DURABLE} and {@code NONE} for {@link WriteMode#BUFFERED}.
 */
final class KintsugiStore implements ComparedStore {

    /** How this store is configured, for the results report. */
    static final String CONFIGURATION = "default `StoreOptions` (64 MiB block cache, 16 KiB blocks, zstd where it "
            + "saves 1/8, 10-bit bloom filters, 64 MiB memtable); durable = `Durability.SYNC` (fdatasync, group "
            + "commit), buffered = `Durability.NONE`; every block read from disk is verified (CRC32C with context)";

    private static final int LOAD_BATCH = 1000;

    private final Store store;
    private final Namespace ns;

    KintsugiStore(Path dir, WriteMode mode) {
        this(dir, StoreOptions.builder()
                .durability(mode == WriteMode.DURABLE ? Durability.SYNC : Durability.NONE)
                .build());
    }

    /**
     * @param dir     an empty directory
     * @param options the options, for benchmarks that need other than the defaults
     */
    KintsugiStore(Path dir, StoreOptions options) {
        store = Store.open(dir, options);
        ns = store.namespace("bench");
    }

    /** @return the open store */
    Store store() {
        return store;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        ns.put(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
        return ns.get(key);
    }

    @Override
    public int scan(byte[] fromInclusive, byte[] toExclusive, Blackhole sink) {
        int n = 0;
        try (Cursor c = ns.scan(fromInclusive, toExclusive)) {
            while (c.next()) {
                sink.consume(c.key());
                sink.consume(c.value());
                n++;
            }
        }
        return n;
    }

    @Override
    public void load(int count) {
        for (int i = 0; i < count; i += LOAD_BATCH) {
            WriteBatch b = store.newBatch();
            for (int j = i; j < Math.min(count, i + LOAD_BATCH); j++) {
                b.put(ns, KeyValueGenerator.key(j), KeyValueGenerator.value(j));
            }
            store.write(b);
        }
        store.flush();
        store.compact();
    }

    @Override
    public void close() {
        store.close();
    }
}
