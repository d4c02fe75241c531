package io.kintsugi.benchmarks;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.InProcessNetwork;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.ReplicationTransport;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.engine.replication.WriteConcern;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Replication: a primary and two followers in one JVM, each store in its own fresh directory under
 * {@code -Dkintsugi.bench.dir}, connected over {@code transport} ({@code inprocess}: {@link InProcessNetwork}'s
 * in-memory pipes; {@code tcp}: {@link TcpTransport} on 127.0.0.1 with an HMAC secret), every store with default
 * {@link StoreOptions} and {@link ReplicationOptions} except {@code durability}. Every write is one put of a
 * 16-byte key scattered over the key space and a 100-byte value from {@link KeyValueGenerator}, so one oplog record.
 * The three stores share the machine's cores, so the followers' work competes with the primary's.
 *
 * <ul>
 *   <li>Replicated throughput, 4 threads, writes per second. {@link #put4Threads}: every put with
 *   {@link WriteConcern#LOCAL}, which does not wait for followers, so it measures the primary's rate while the
 *   followers copy the log in the background, and the primary may run ahead of them. {@link #put4ThreadsReplicated}:
 *   the same puts, except that every {@value #WINDOW}th put of each thread then waits until both followers hold it,
 *   so the followers stay within about 4 x {@value #WINDOW} records and the score is the rate at which writes reach
 *   both (the waits cost a round trip per {@value #WINDOW} puts of a thread, while the other threads write). After
 *   every iteration of every method the benchmark stops writing, waits until both followers have applied the
 *   primary's last sequence (so each iteration starts with them caught up), and prints a {@code [replication]} line:
 *   the iteration's writes, the primary's rate, how long the followers took to catch up after the last write (the
 *   drain), and writes over writing time plus drain. Why a second method rather than JMH {@code @AuxCounters} for
 *   the drain: JMH sums {@code EVENTS} counters over the iterations instead of averaging them, and divides
 *   {@code OPERATIONS} counters by the measured time, which the drain comes after, so neither reports a drain or a
 *   replicated rate with a meaningful error; a method whose measured operations include the waiting for followers
 *   gets JMH's own statistics. When the followers keep up, the drain is a few milliseconds and the two methods
 *   agree.</li>
 *   <li>Replication lag as one writer sees it, {@link #putLocal} and {@link #putTwoFollowers}: one thread, JMH
 *   sample mode (so p50, p90, p99... in microseconds), one put per operation, {@code putLocal} with
 *   {@link WriteConcern#LOCAL} and {@code putTwoFollowers} with {@code WriteConcern.followers(2, 10 s)}, which
 *   returns once both followers hold the write durably (under {@code durability}) and have applied it. The
 *   difference of the two is the lag a write concern adds: shipping, the followers' appends (and fsyncs under
 *   {@code SYNC}) and the acknowledgements' way back.</li>
 * </ul>
 *
 * <p>{@code durability} is every store's: {@code NONE} measures replication without fsync in the way (the
 * throughput case), {@code SYNC} (fdatasync, group commit) adds the primary's and the followers' fsyncs, as a
 * deployment that needs durable writes has them. Under {@code SYNC} the numbers only mean something for the disk
 * under the bench directory, and not on tmpfs, where a sync costs nothing.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ReplicationBenchmark}, e.g. with
 * {@code -p transport=tcp -p durability=NONE}, or with the other benchmarks from {@code benchmarks/run.sh}, which
 * writes {@code replication.json} and {@code replication.log} next to the comparison's results.
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class ReplicationBenchmark {

    /** How the stores talk: {@code inprocess} ({@link InProcessNetwork}) or {@code tcp} ({@link TcpTransport}). */
    @Param({"inprocess", "tcp"})
    public String transport;

    /** Every store's durability: {@code NONE} or {@code SYNC}. */
    @Param({"NONE", "SYNC"})
    public String durability;

    private static final int FOLLOWERS = 2;
    /** Every how many of its puts a thread of {@link #put4ThreadsReplicated} waits for the followers. */
    private static final int WINDOW = 256;
    private static final WriteConcern BOTH_FOLLOWERS = WriteConcern.followers(FOLLOWERS, Duration.ofSeconds(10));
    /** How long the followers get to connect, and to catch up after an iteration, before the benchmark fails. */
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final byte[] SECRET = "kintsugi replication benchmark secret".getBytes(StandardCharsets.UTF_8);

    private final AtomicLong writes = new AtomicLong();
    private Path dir;
    private Store primary;
    private Store[] followers;
    private Namespace ns;

    private long iterationStart;
    private long sequenceAtStart;

    /**
     * Opens the primary and the followers in fresh directories, promotes the primary, makes the others follow it,
     * and returns once both followers acknowledged a first write.
     *
     * @throws IOException if the directory cannot be made
     */
    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchmarkDirs.create("replication-" + transport + "-" + durability);
        InProcessNetwork network = new InProcessNetwork();
        Durability d = switch (durability) {
            case "NONE" -> Durability.NONE;
            case "SYNC" -> Durability.SYNC;
            default -> throw new IllegalArgumentException("durability is NONE or SYNC, not " + durability);
        };
        Store[] stores = new Store[1 + FOLLOWERS];
        try {
            for (int i = 0; i < stores.length; i++) {
                ReplicationTransport t = switch (transport) {
                    case "inprocess" -> network.transport("r" + i);
                    case "tcp" -> TcpTransport.bind("127.0.0.1", 0);
                    default -> throw new IllegalArgumentException("transport is inprocess or tcp, not " + transport);
                };
                ReplicationOptions replication = ReplicationOptions.builder(t).secret(SECRET).build();
                stores[i] = Store.open(dir.resolve("r" + i),
                        StoreOptions.builder().durability(d).replication(replication).build());
            }
            primary = stores[0];
            followers = Arrays.copyOfRange(stores, 1, stores.length);
            primary.promote(1);
            String endpoint = primary.replicationStatus().endpoint();
            for (Store f : followers) {
                f.follow(endpoint, 1);
            }
            ns = primary.namespace("bench");
            primary.write(primary.newBatch().put(ns, "ready".getBytes(StandardCharsets.UTF_8), new byte[1]),
                    WriteConcern.followers(FOLLOWERS, PATIENCE));
        } catch (RuntimeException e) {
            // JMH does not tear down a trial whose setup failed.
            for (Store s : stores) {
                RuntimeException c = closeQuietly(s, null);
                if (c != null) {
                    e.addSuppressed(c);
                }
            }
            throw e;
        }
    }

    /** Notes the time and the primary's sequence at the start of an iteration. */
    @Setup(Level.Iteration)
    public void startIteration() {
        iterationStart = System.nanoTime();
        sequenceAtStart = primary.lastSequence();
    }

    /**
     * Waits until both followers have applied the primary's last sequence, so that every iteration starts with
     * them caught up, and prints the iteration's {@code [replication]} line.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    @TearDown(Level.Iteration)
    public void endIteration() throws InterruptedException {
        drain();
    }

    /**
     * Closes the followers, then the primary, and deletes their files.
     *
     * @throws IOException if deleting fails
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        RuntimeException failure = null;
        for (Store s : followers) {
            failure = closeQuietly(s, failure);
        }
        failure = closeQuietly(primary, failure);
        if (failure != null) {
            throw failure;
        }
        BenchmarkDirs.delete(dir);
    }

    private static RuntimeException closeQuietly(Store s, RuntimeException failure) {
        if (s == null) {
            return failure;
        }
        try {
            s.close();
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
        }
        return failure;
    }

    /**
     * Waits for both followers to apply the primary's last sequence and prints the iteration's {@code [replication]}
     * line: writes, the primary's rate, how long the followers took to catch up after the last write, and the rate
     * at which writes reached both followers, counting that catch-up.
     */
    private void drain() throws InterruptedException {
        long stop = System.nanoTime();
        long target = primary.lastSequence();
        long deadline = stop + PATIENCE.toNanos();
        for (Store f : followers) {
            while (f.lastSequence() < target) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("a follower did not reach sequence " + target + " within "
                            + PATIENCE + " of the iteration's end: " + f.replicationStatus());
                }
                LockSupport.parkNanos(100_000);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }
        double drainSeconds = (System.nanoTime() - stop) / 1e9;
        double writingSeconds = (stop - iterationStart) / 1e9;
        long written = target - sequenceAtStart;
        System.out.printf("%n  [replication] %,d writes: primary %,.0f writes/s; followers caught up %,.1f ms after "
                        + "the last one: %,.0f writes/s replicated%n",
                written, written / writingSeconds, drainSeconds * 1e3, written / (writingSeconds + drainSeconds));
    }

    /** Counts one writing thread's puts, so that every {@value #WINDOW}th waits for the followers. */
    @State(Scope.Thread)
    public static class Window {
        long puts;
    }

    /**
     * One put with {@link WriteConcern#LOCAL}, 4 threads writing, followers copying in the background: the primary's
     * rate. How far the followers fell behind is in the {@code [replication]} line.
     *
     * @return the write's sequence
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public long put4Threads() {
        return put(WriteConcern.LOCAL);
    }

    /**
     * One put with {@link WriteConcern#LOCAL}, 4 threads writing, where every {@value #WINDOW}th put of a thread
     * then waits until both followers hold it: the rate at which writes reach both followers.
     *
     * @param window the thread's count of puts
     * @return the write's sequence
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public long put4ThreadsReplicated(Window window) {
        long seq = put(WriteConcern.LOCAL);
        if (++window.puts % WINDOW == 0) {
            primary.awaitReplication(seq, BOTH_FOLLOWERS);
        }
        return seq;
    }

    /**
     * One put with {@link WriteConcern#LOCAL} from one thread: the baseline of {@link #putTwoFollowers}.
     *
     * @return the write's sequence
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public long putLocal() {
        return put(WriteConcern.LOCAL);
    }

    /**
     * One put that returns once both followers hold it ({@code WriteConcern.followers(2, 10 s)}), from one thread.
     *
     * @return the write's sequence
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public long putTwoFollowers() {
        return put(BOTH_FOLLOWERS);
    }

    private long put(WriteConcern concern) {
        long i = writes.getAndIncrement();
        return primary.write(primary.newBatch().put(ns, KeyValueGenerator.writeKey(i), KeyValueGenerator.value(i)),
                concern);
    }
}
