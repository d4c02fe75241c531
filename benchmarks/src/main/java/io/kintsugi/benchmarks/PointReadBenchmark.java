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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Random point reads, side by side: {@code keys} keys (16 bytes, 100-byte values, {@link KeyValueGenerator})
 * loaded, flushed and compacted (LMDB: committed and synced), then gets of uniformly random existing keys with 1
 * and 2 threads. Kintsugi verifies every block it reads from disk; RocksDB reads with {@code verifyChecksums(true)};
 * both keep a 64 MiB block cache, smaller than the data, so many gets read a block from the file (from the page
 * cache: the machine's memory holds the files). LMDB reads its memory map. Every get returns a copy of the value.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PointReadBenchmark}, or all comparisons with
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
public class PointReadBenchmark {

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
     * @return the value of a random existing key
     * @throws Exception if the store fails the read
     */
    @Benchmark
    @Threads(1)
    public byte[] get1Thread() throws Exception {
        return db.get(KeyValueGenerator.key(ThreadLocalRandom.current().nextInt(keys)));
    }

    /**
     * @return the value of a random existing key
     * @throws Exception if the store fails the read
     */
    @Benchmark
    @Threads(2)
    public byte[] get2Threads() throws Exception {
        return db.get(KeyValueGenerator.key(ThreadLocalRandom.current().nextInt(keys)));
    }
}
