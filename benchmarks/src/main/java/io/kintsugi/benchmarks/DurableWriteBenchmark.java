package io.kintsugi.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Durable writes, side by side: each write returns only once it is on disk. Kintsugi {@code Durability.SYNC}
 * (fdatasync, group commit); RocksDB with its WAL and {@code setSync(true)}; LMDB one transaction per write with
 * its default sync. 16-byte keys scattered over the key space and 100-byte values from {@link KeyValueGenerator},
 * with 1, 4 and 16 writing threads; each store in a fresh directory under {@code -Dkintsugi.bench.dir}. Throughput
 * in writes per second; the store's background work (flushes, compactions) is included.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DurableWriteBenchmark}, or all comparisons with
 * {@code benchmarks/run.sh}. The numbers only mean something for the disk under the bench directory, and not on
 * tmpfs, where a sync costs nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        // lmdbjava reads direct buffers' addresses; every store runs with the same flags.
        "--add-opens=java.base/java.nio=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class DurableWriteBenchmark {

    /** The store under test, one of {@link ComparedStore#NAMES}. */
    @Param({"kintsugi", "rocksdb", "lmdb"})
    public String store;

    private final AtomicLong writes = new AtomicLong();
    private Path dir;
    private ComparedStore db;

    /**
     * Opens the store in a fresh directory.
     *
     * @throws Exception if it cannot be opened
     */
    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = BenchmarkDirs.create("compare-durable-" + store);
        db = ComparedStore.open(store, WriteMode.DURABLE, dir);
    }

    /**
     * Closes the store and deletes its files.
     *
     * @throws IOException if deleting fails
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        db.close();
        BenchmarkDirs.delete(dir);
    }

    /**
     * One durable write from one thread.
     *
     * @throws Exception if the store fails the write
     */
    @Benchmark
    @Threads(1)
    public void put1Thread() throws Exception {
        put();
    }

    /**
     * One durable write, 4 threads writing.
     *
     * @throws Exception if the store fails the write
     */
    @Benchmark
    @Threads(4)
    public void put4Threads() throws Exception {
        put();
    }

    /**
     * One durable write, 16 threads writing.
     *
     * @throws Exception if the store fails the write
     */
    @Benchmark
    @Threads(16)
    public void put16Threads() throws Exception {
        put();
    }

    private void put() throws Exception {
        long i = writes.getAndIncrement();
        db.put(KeyValueGenerator.writeKey(i), KeyValueGenerator.value(i));
    }
}
