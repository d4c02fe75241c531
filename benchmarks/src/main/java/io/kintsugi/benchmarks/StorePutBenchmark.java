package io.kintsugi.benchmarks;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
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

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of {@link Namespace#put} with 16-byte keys and 100-byte values, durability {@code SYNC} (each put
 * returns once fdatasync'd, group-committed) and {@code NONE}, with 1 and 4 writing threads. Flushes and
 * compactions run in the background as the store fills, so their cost is included.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar StorePutBenchmark}.
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
public class StorePutBenchmark {

    @Param({"SYNC", "NONE"})
    public String durability;

    private Path dir;
    private Store store;
    private Namespace ns;
    private final AtomicLong counter = new AtomicLong();
    private byte[] value;

    /** Opens a fresh store. */
    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchmarkDirs.create("kintsugi-put-bench");
        store = Store.open(dir, StoreOptions.builder()
                .durability("SYNC".equals(durability) ? Durability.SYNC : Durability.NONE)
                .build());
        ns = store.namespace("bench");
        value = new byte[100];
        ThreadLocalRandom.current().nextBytes(value);
    }

    /** Closes the store and deletes its files. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        BenchmarkDirs.delete(dir);
    }

    /** @return the write's sequence */
    @Benchmark
    @Threads(1)
    public long put1Thread() {
        return ns.put(BenchmarkDirs.key(counter.getAndIncrement() * 2654435761L), value);
    }

    /** @return the write's sequence */
    @Benchmark
    @Threads(4)
    public long put4Threads() {
        return ns.put(BenchmarkDirs.key(counter.getAndIncrement() * 2654435761L), value);
    }
}
