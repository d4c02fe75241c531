package io.kintsugi.benchmarks;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.WriteBatch;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.ScanOptions;
import io.kintsugi.validation.scan.ScanProgress;
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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The range-hash scanner's cost, in two benchmarks on a store preloaded with {@value #KEYS} keys (16-byte keys,
 * {@value #VALUE_SIZE}-byte values, flushed and compacted into segment files).
 *
 * <ul>
 *   <li>{@link #fullPass}: one unthrottled scan pass over the whole store on one scanning thread, the writer idle:
 *       the score is seconds per pass; logical bytes per second per core is {@value #KEYS} × (16 +
 *       {@value #VALUE_SIZE}) divided by it. The pass hashes, appends its markers to the oplog and saves its state
 *       after every batch, as in production.</li>
 *   <li>{@link #writeWhileScanning}: 4 threads putting random keys, with {@code scanner} {@code off} or
 *       {@code default} (passes one after another at {@link ScanOptions#DEFAULT_BYTES_PER_SECOND}): the ratio of
 *       the two throughputs is the foreground cost of scanning.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ScanBenchmark}.
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class ScanBenchmark {

    static final int KEYS = 200_000;
    static final int VALUE_SIZE = 400;

    /** Whether a scanner runs beside the writers ({@code off} or {@code default}). */
    @Param({"off", "default"})
    public String scanner;

    /** Durability of the foreground writes. */
    @Param({"NONE", "SYNC"})
    public String durability;

    private Path dir;
    private Store store;
    private Namespace ns;
    private volatile boolean stopScanning;
    private Thread scanLoop;

    /**
     * Creates and fills the store, and starts the background scanner if asked.
     *
     * @throws IOException if the directory cannot be made
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path parent = Path.of(System.getProperty("kintsugi.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(parent);
        dir = Files.createTempDirectory(parent, "scan-bench");
        store = Store.open(dir, StoreOptions.builder().durability(Durability.Mode.valueOf(durability)
                == Durability.Mode.SYNC ? Durability.SYNC : Durability.NONE).build());
        ns = store.namespace("bench");
        Random r = new Random(7);
        byte[] value = new byte[VALUE_SIZE];
        for (int i = 0; i < KEYS; i += 500) {
            WriteBatch b = store.newBatch();
            for (int j = i; j < i + 500; j++) {
                r.nextBytes(value);
                b.put(ns, key(j), value.clone());
            }
            store.write(b);
        }
        store.compact();
        if (scanner.equals("default")) {
            scanLoop = new Thread(() -> {
                while (!stopScanning) {
                    RangeScan scan = RangeScan.start(store, e -> { }, ScanOptions.builder().resume(false).build());
                    try {
                        while (!scan.await(Duration.ofMillis(100))) {
                            if (stopScanning) {
                                scan.stop();
                            }
                        }
                    } catch (InterruptedException e) {
                        scan.stop();
                        return;
                    }
                }
            }, "bench-scan-loop");
            scanLoop.start();
        }
    }

    static byte[] key(long i) {
        return ByteBuffer.allocate(16).putLong(i * 0x9E3779B97F4A7C15L).putLong(i).array();
    }

    /** @return the pass's progress, so its work counts */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Threads(1)
    public ScanProgress fullPass() throws InterruptedException {
        RangeScan scan = RangeScan.start(store, e -> { }, ScanOptions.builder().resume(false)
                .bytesPerSecond(1L << 50).build());
        scan.await(Duration.ofMinutes(10));
        ScanProgress p = scan.progress();
        if (p.state() != ScanProgress.State.FINISHED || p.keys() < KEYS) {
            throw new IllegalStateException("the pass did not finish: " + p);
        }
        return p;
    }

    /**
     * Long iterations, because flushes and compactions come and go under this load and make 3-second iterations
     * differ by up to a factor of two; compare {@code off} and {@code default} run one after the other, in rounds.
     *
     * @return the write's sequence
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    @Warmup(iterations = 2, time = 10)
    @Measurement(iterations = 5, time = 10)
    public long writeWhileScanning() {
        byte[] value = new byte[VALUE_SIZE];
        ThreadLocalRandom.current().nextBytes(value);
        return ns.put(key(ThreadLocalRandom.current().nextInt(KEYS)), value);
    }

    /**
     * Stops the scanner, closes the store and deletes its files.
     *
     * @throws Exception if cleaning up fails
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        stopScanning = true;
        if (scanLoop != null) {
            scanLoop.join();
        }
        store.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
