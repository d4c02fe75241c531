package io.kintsugi.benchmarks;

import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.OplogStats;
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

/**
 * Throughput of {@link Oplog#append} with 100-byte payloads, for durability {@code NONE} and {@code SYNC} and for
 * 1, 4 and 16 appending threads sharing one log.
 *
 * <p>Under {@code SYNC} every append waits for fdatasync; group commit lets one fdatasync serve every append that
 * arrived while the previous one ran, so throughput should grow with the number of threads. After each iteration
 * the benchmark prints the fdatasyncs per second and the appends per fdatasync (the group-commit factor) that the
 * log counted.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar OplogAppendBenchmark}. The log lives under
 * {@code -Dkintsugi.bench.dir} (default: the system temporary directory), which should be on the disk to measure.
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
public class OplogAppendBenchmark {

    @Param({"NONE", "SYNC"})
    public String durability;

    @Param({"100"})
    public int payloadSize;

    private Path dir;
    private Oplog log;
    private byte[] payload;
    private long iterationStart;
    private OplogStats statsAtStart;

    /** Opens a fresh log on the benchmark's disk. */
    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchmarkDirs.create("kintsugi-oplog-bench");
        Durability d = "SYNC".equals(durability) ? Durability.SYNC : Durability.NONE;
        log = Oplog.open(dir, OplogOptions.builder().durability(d).build());
        payload = new byte[payloadSize];
        ThreadLocalRandom.current().nextBytes(payload);
    }

    /** Notes the counters at the start of an iteration. */
    @Setup(Level.Iteration)
    public void startIteration() {
        iterationStart = System.nanoTime();
        statsAtStart = log.stats();
    }

    /** Prints fdatasyncs per second and appends per fdatasync for the iteration. */
    @TearDown(Level.Iteration)
    public void reportIteration() {
        double seconds = (System.nanoTime() - iterationStart) / 1e9;
        OplogStats now = log.stats();
        long appends = now.appends() - statsAtStart.appends();
        long fsyncs = now.fsyncs() - statsAtStart.fsyncs();
        System.out.printf("%n  [oplog] %,.0f appends/s, %,.0f fsyncs/s, %.1f appends per fsync, %.1f per batch%n",
                appends / seconds, fsyncs / seconds, fsyncs == 0 ? 0.0 : (double) appends / fsyncs,
                (double) appends / Math.max(1, now.writeBatches() - statsAtStart.writeBatches()));
    }

    /** Closes the log and deletes its files. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        log.close();
        BenchmarkDirs.delete(dir);
    }

    /** @return the sequence, so the call cannot be optimised away */
    @Benchmark
    @Threads(1)
    public long append1Thread() {
        return log.append(1, 1, payload);
    }

    /** @return the sequence */
    @Benchmark
    @Threads(4)
    public long append4Threads() {
        return log.append(1, 1, payload);
    }

    /** @return the sequence */
    @Benchmark
    @Threads(16)
    public long append16Threads() {
        return log.append(1, 1, payload);
    }
}
