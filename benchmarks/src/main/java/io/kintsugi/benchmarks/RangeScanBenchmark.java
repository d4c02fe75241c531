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
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Range scans, side by side: on the same loaded store as {@link PointReadBenchmark}, each operation reads the
 * {@value #SCAN_LENGTH} consecutive keys from a random start, copying out every key and value. Scans per second,
 * one thread.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RangeScanBenchmark}, or all comparisons with
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
public class RangeScanBenchmark {

    /** Keys read by one scan. */
    public static final int SCAN_LENGTH = 1000;

    /** The store under test, one of {@link ComparedStore#NAMES}. */
    @Param({"kintsugi", "rocksdb", "lmdb"})
    public String store;

    /** Number of keys loaded. */
    @Param({"1000000"})
    public int keys;

    private LoadedStore loaded;
    private ComparedStore db;

    /**
     * Loads the store.
     *
     * @throws Exception if loading fails or reads back wrong values
     */
    @Setup(Level.Trial)
    public void load() throws Exception {
        if (keys <= SCAN_LENGTH) {
            throw new IllegalArgumentException("keys must exceed the scan length " + SCAN_LENGTH + ", was " + keys);
        }
        loaded = LoadedStore.create(store, keys);
        db = loaded.store();
    }

    /**
     * Closes the store and deletes its files.
     *
     * @throws IOException if deleting fails
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        loaded.close();
    }

    /**
     * Scans {@value #SCAN_LENGTH} consecutive keys from a random start.
     *
     * @param sink consumes every key and value
     * @return the number of entries read, {@value #SCAN_LENGTH}
     * @throws Exception if the store fails the read
     */
    @Benchmark
    @Threads(1)
    public int scan1000(Blackhole sink) throws Exception {
        int from = ThreadLocalRandom.current().nextInt(keys - SCAN_LENGTH);
        return db.scan(KeyValueGenerator.key(from), KeyValueGenerator.key(from + SCAN_LENGTH), sink);
    }
}
