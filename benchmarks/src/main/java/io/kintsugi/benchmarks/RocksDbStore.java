package io.kintsugi.benchmarks;

import org.openjdk.jmh.infra.Blackhole;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * RocksDB (rocksdbjni) as the comparison benchmarks drive it: RocksDB's default options except a 64 MiB LRU block
 * cache, the size of Kintsugi's default (RocksDB's own default is 32 MiB); the WAL always on, with
 * {@code WriteOptions.setSync(true)} for {@link WriteMode#DURABLE} (an fdatasync per write group, RocksDB's own
 * group commit) and {@code setSync(false)} for {@link WriteMode#BUFFERED}. Reads use {@code ReadOptions} with
 * {@code verifyChecksums(true)}, the default, stated so that it is plain that every block read from disk is
 * checked against its block checksum, as Kintsugi checks its blocks.
 */
final class RocksDbStore implements ComparedStore {

    /** How this store is configured, for the results report. */
    static final String CONFIGURATION = "RocksDB defaults (leveled compaction, 4 KiB blocks, default compression "
            + "and block checksum, no bloom filter, 64 MiB write buffer) except a 64 MiB LRU block cache like "
            + "Kintsugi's; WAL on; durable = `WriteOptions.setSync(true)`, buffered = `setSync(false)`; reads with "
            + "`ReadOptions.setVerifyChecksums(true)` (the default): every block read from disk is checksummed";

    /** Bytes of block cache: Kintsugi's default. */
    static final long BLOCK_CACHE_BYTES = 64L << 20;

    private static final int LOAD_BATCH = 1000;

    static {
        RocksDB.loadLibrary();
    }

    private final LRUCache cache;
    private final Options options;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final RocksDB db;

    RocksDbStore(Path dir, WriteMode mode) throws RocksDBException {
        cache = new LRUCache(BLOCK_CACHE_BYTES);
        options = new Options()
                .setCreateIfMissing(true)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
        writeOptions = new WriteOptions().setDisableWAL(false).setSync(mode == WriteMode.DURABLE);
        readOptions = new ReadOptions().setVerifyChecksums(true);
        db = RocksDB.open(options, dir.toString());
    }

    @Override
    public void put(byte[] key, byte[] value) throws RocksDBException {
        db.put(writeOptions, key, value);
    }

    @Override
    public byte[] get(byte[] key) throws RocksDBException {
        return db.get(readOptions, key);
    }

    @Override
    public int scan(byte[] fromInclusive, byte[] toExclusive, Blackhole sink) {
        int n = 0;
        try (RocksIterator it = db.newIterator(readOptions)) {
            for (it.seek(fromInclusive); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (Arrays.compareUnsigned(key, toExclusive) >= 0) {
                    break;
                }
                sink.consume(key);
                sink.consume(it.value());
                n++;
            }
        }
        return n;
    }

    @Override
    public void load(int count) throws RocksDBException {
        try (WriteOptions unsynced = new WriteOptions().setSync(false)) {
            for (int i = 0; i < count; i += LOAD_BATCH) {
                try (WriteBatch b = new WriteBatch()) {
                    for (int j = i; j < Math.min(count, i + LOAD_BATCH); j++) {
                        b.put(KeyValueGenerator.key(j), KeyValueGenerator.value(j));
                    }
                    db.write(unsynced, b);
                }
            }
        }
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush);
        }
        db.compactRange();
    }

    @Override
    public void close() {
        db.close();
        readOptions.close();
        writeOptions.close();
        options.close();
        cache.close();
    }
}
