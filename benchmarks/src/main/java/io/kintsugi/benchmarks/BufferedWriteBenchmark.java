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
 * Buffered writes, side by side: each write returns once logged, without waiting for a sync. Kintsugi
 * {@code Durability.NONE}; RocksDB with its WAL and {@code setSync(false)}. LMDB takes no part: it has no buffered
 * mode that keeps the database safe from a crash. Same keys, values and directories as
 * {@link DurableWriteBenchmark}, with 1 and 4 writing threads. Throughput in writes per second; flushes and
 * compactions that the writes cause run in the background and are included.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BufferedWriteBenchmark}, or all comparisons with
 * {@code benchmarks/run.sh}.
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
public class BufferedWriteBenchmark {

    /** The store under test, {@code kintsugi} or {@code rocksdb}. */
    @Param({"kintsugi", "rocksdb"})
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
        dir = BenchmarkDirs.create("compare-buffered-" + store);
        db = ComparedStore.open(store, WriteMode.BUFFERED, dir);
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
     * One buffered write from one thread.
     *
     * @throws Exception if the store fails the write
     */
    @Benchmark
    @Threads(1)
    public void put1Thread() throws Exception {
        put();
    }

    /**
     * One buffered write, 4 threads writing.
     *
     * @throws Exception if the store fails the write
     */
    @Benchmark
    @Threads(4)
    public void put4Threads() throws Exception {
        put();
    }

    private void put() throws Exception {
        long i = writes.getAndIncrement();
        db.put(KeyValueGenerator.writeKey(i), KeyValueGenerator.value(i));
    }
}
