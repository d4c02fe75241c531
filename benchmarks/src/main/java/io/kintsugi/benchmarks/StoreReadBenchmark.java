package io.kintsugi.benchmarks;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.WriteBatch;
import io.kintsugi.oplog.Durability;
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
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Reads from a store of {@code keys} entries (16-byte keys, 100-byte values) that was loaded, flushed and
 * compacted: random point reads with 1 and 2 threads, and scans of 1 000 consecutive keys. Every block read from
 * disk is verified before use; the block cache (64 MiB by default) holds verified blocks.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar StoreReadBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 5)
public class StoreReadBenchmark {

    @Param({"1000000"})
    public int keys;

    private Path dir;
    private Store store;
    private Namespace ns;

    /** Loads, flushes and compacts the store. */
    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = BenchmarkDirs.create("kintsugi-read-bench");
        store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build());
        ns = store.namespace("bench");
        byte[] value = new byte[100];
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < keys; i += 1000) {
            WriteBatch b = store.newBatch();
            for (int j = i; j < Math.min(keys, i + 1000); j++) {
                rnd.nextBytes(value);
                b.put(ns, BenchmarkDirs.key(j), value.clone());
            }
            store.write(b);
        }
        store.flush();
        store.compact();
    }

    /** Closes the store and deletes its files. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        BenchmarkDirs.delete(dir);
    }

    /** @return the value of a random existing key */
    @Benchmark
    @Threads(1)
    public byte[] get1Thread() {
        return ns.get(BenchmarkDirs.key(ThreadLocalRandom.current().nextInt(keys)));
    }

    /** @return the value of a random existing key */
    @Benchmark
    @Threads(2)
    public byte[] get2Threads() {
        return ns.get(BenchmarkDirs.key(ThreadLocalRandom.current().nextInt(keys)));
    }

    /**
     * Scans 1 000 consecutive keys from a random start.
     *
     * @param bh consumes every key and value
     */
    @Benchmark
    @Threads(1)
    public void scan1000(Blackhole bh) {
        int from = ThreadLocalRandom.current().nextInt(keys - 1000);
        try (Cursor c = ns.scan(BenchmarkDirs.key(from), BenchmarkDirs.key(from + 1000))) {
            while (c.next()) {
                bh.consume(c.key());
                bh.consume(c.value());
            }
        }
    }
}
