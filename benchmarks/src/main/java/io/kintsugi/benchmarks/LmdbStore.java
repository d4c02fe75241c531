package io.kintsugi.benchmarks;

import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * LMDB (lmdbjava) as the comparison benchmarks drive it: one named database in an environment with a
 * {@value #MAP_SIZE_GIB} GiB map (address space only: the file grows as pages are written), LMDB's default sync on
 * every commit, and {@code MDB_NOTLS}, which lmdbjava advises for Java threads and which changes nothing on disk.
 * A durable write is one write transaction, committed. LMDB has no buffered mode that keeps the database safe
 * from a crash ({@code MDB_NOSYNC} may corrupt it), so it only takes part in {@link WriteMode#DURABLE} writes
 * and in reads.
 *
 * <p>Reads use one read-only transaction per thread, reset after each read and renewed before the next: LMDB's
 * recommended way to read often, cheaper than a transaction per read. Values are copied out of the map before
 * the transaction is reset, as an application must.
 */
final class LmdbStore implements ComparedStore {

    /** How this store is configured, for the results report. */
    static final String CONFIGURATION = "one database, 16 GiB map, default flags plus `MDB_NOTLS` (sync on every "
            + "commit); durable = one write transaction per write; reads through a per-thread read transaction "
            + "renewed per read; values copied out of the map";

    static final int MAP_SIZE_GIB = 16;

    private static final int LOAD_BATCH = 1000;

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> db;
    private final List<Txn<ByteBuffer>> readTxns = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Txn<ByteBuffer>> readTxn;
    private final ThreadLocal<ByteBuffer> keyBuffer =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(KeyValueGenerator.KEY_LENGTH));
    private final ThreadLocal<ByteBuffer> valueBuffer =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(KeyValueGenerator.VALUE_LENGTH));

    LmdbStore(Path dir, WriteMode mode) {
        if (mode != WriteMode.DURABLE) {
            throw new IllegalArgumentException("LMDB has no crash-safe " + mode + " write mode");
        }
        env = Env.create()
                .setMapSize((long) MAP_SIZE_GIB << 30)
                .setMaxDbs(1)
                .open(dir.toFile(), EnvFlags.MDB_NOTLS);
        db = env.openDbi("bench", DbiFlags.MDB_CREATE);
        readTxn = ThreadLocal.withInitial(() -> {
            Txn<ByteBuffer> txn = env.txnRead();
            txn.reset();
            readTxns.add(txn);
            return txn;
        });
    }

    @Override
    public void put(byte[] key, byte[] value) {
        ByteBuffer k = fill(keyBuffer.get(), key);
        ByteBuffer v = fill(valueBuffer.get(), value);
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            db.put(txn, k, v);
            txn.commit();
        }
    }

    @Override
    public byte[] get(byte[] key) {
        ByteBuffer k = fill(keyBuffer.get(), key);
        Txn<ByteBuffer> txn = readTxn.get();
        txn.renew();
        try {
            ByteBuffer v = db.get(txn, k);
            return v == null ? null : copy(v);
        } finally {
            txn.reset();
        }
    }

    @Override
    public int scan(byte[] fromInclusive, byte[] toExclusive, Blackhole sink) {
        ByteBuffer from = fill(keyBuffer.get(), fromInclusive);
        Txn<ByteBuffer> txn = readTxn.get();
        txn.renew();
        int n = 0;
        try (Cursor<ByteBuffer> c = db.openCursor(txn)) {
            for (boolean found = c.get(from, GetOp.MDB_SET_RANGE); found; found = c.next()) {
                byte[] key = copy(c.key());
                if (Arrays.compareUnsigned(key, toExclusive) >= 0) {
                    break;
                }
                sink.consume(key);
                sink.consume(copy(c.val()));
                n++;
            }
        } finally {
            txn.reset();
        }
        return n;
    }

    @Override
    public void load(int count) {
        ByteBuffer k = ByteBuffer.allocateDirect(KeyValueGenerator.KEY_LENGTH);
        ByteBuffer v = ByteBuffer.allocateDirect(KeyValueGenerator.VALUE_LENGTH);
        for (int i = 0; i < count; i += LOAD_BATCH) {
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                for (int j = i; j < Math.min(count, i + LOAD_BATCH); j++) {
                    db.put(txn, fill(k, KeyValueGenerator.key(j)), fill(v, KeyValueGenerator.value(j)));
                }
                txn.commit();
            }
        }
        env.sync(true);
    }

    @Override
    public void close() {
        for (Txn<ByteBuffer> txn : readTxns) {
            txn.close();
        }
        db.close();
        env.close();
    }

    private static ByteBuffer fill(ByteBuffer buffer, byte[] bytes) {
        buffer.clear();
        buffer.put(bytes).flip();
        return buffer;
    }

    private static byte[] copy(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(buffer.position(), b);
        return b;
    }
}
