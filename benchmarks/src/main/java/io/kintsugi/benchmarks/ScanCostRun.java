package io.kintsugi.benchmarks;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.WriteBatch;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.ScanOptions;
import io.kintsugi.validation.scan.ScanProgress;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * What a background scan at the default rate costs while writers run: the store and load of
 * {@link ScanBenchmark#writeWhileScanning} (200 000 keys of 16 bytes with 400-byte values, compacted, then 4
 * threads putting random keys, durability NONE), with scan passes one after another for {@code -Dscancost.seconds}
 * (20 by default). It prints the writes per second, the passes, marked batches, refused and shortened markers, the
 * live bytes the passes covered per second, and the CPU the scan threads used, in cores and in nanoseconds per
 * live byte covered. Where {@code writeWhileScanning} asks whether the writers lose throughput, this says what the
 * scanner spends; run it with {@code -Dscancost.scan=false} for the writers alone.
 *
 * <pre>
 * java --add-opens=... -cp benchmarks/target/benchmarks.jar [-Dscancost.seconds=20] [-Dscancost.scan=true]
 *      io.kintsugi.benchmarks.ScanCostRun
 * </pre>
 */
public final class ScanCostRun {

    private static final int WRITERS = 4;
    private static final long WARM_UP_MILLIS = 5_000;
    private static final long POLL_MILLIS = 20;

    private ScanCostRun() {
    }

    /**
     * @param args none
     * @throws Exception if the store cannot be built or the run is interrupted
     */
    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("scancost.seconds", 20);
        boolean scan = Boolean.parseBoolean(System.getProperty("scancost.scan", "true"));
        Path parent = Path.of(System.getProperty("kintsugi.bench.dir", System.getProperty("java.io.tmpdir")));
        Path dir = Files.createTempDirectory(parent, "scan-cost");
        try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build())) {
            Namespace ns = store.namespace("bench");
            load(store, ns);
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder writes = new LongAdder();
            List<Thread> writers = startWriters(ns, stop, writes);
            try {
                Thread.sleep(WARM_UP_MILLIS);
                measure(store, scan, seconds, writes);
            } finally {
                stop.set(true);
                for (Thread w : writers) {
                    w.join();
                }
            }
            System.out.println(store.stats());
        } finally {
            delete(dir);
        }
    }

    private static void load(Store store, Namespace ns) {
        Random r = new Random(7);
        byte[] value = new byte[ScanBenchmark.VALUE_SIZE];
        for (int i = 0; i < ScanBenchmark.KEYS; i += 500) {
            WriteBatch b = store.newBatch();
            for (int j = i; j < i + 500; j++) {
                r.nextBytes(value);
                b.put(ns, ScanBenchmark.key(j), value.clone());
            }
            store.write(b);
        }
        store.compact();
    }

    private static List<Thread> startWriters(Namespace ns, AtomicBoolean stop, LongAdder writes) {
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < WRITERS; t++) {
            SplittableRandom r = new SplittableRandom(11 + t);
            Thread w = new Thread(() -> {
                byte[] v = new byte[ScanBenchmark.VALUE_SIZE];
                while (!stop.get()) {
                    r.nextBytes(v);
                    ns.put(ScanBenchmark.key(r.nextInt(ScanBenchmark.KEYS)), v);
                    writes.increment();
                }
            }, "scan-cost-writer-" + t);
            w.start();
            writers.add(w);
        }
        return writers;
    }

    private static void measure(Store store, boolean scan, int seconds, LongAdder writes) throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // A scan thread's CPU time can only be read while it lives: keep the last reading of each.
        Map<Long, Long> scanCpu = new HashMap<>();
        long passes = 0;
        long batches = 0;
        long refused = 0;
        long shortened = 0;
        long liveBytes = 0;
        long writesBefore = writes.sum();
        long processBefore = os.getProcessCpuTime();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            RangeScan s = scan ? RangeScan.start(store, e -> { }, ScanOptions.builder().resume(false).build()) : null;
            while (System.nanoTime() < end && (s == null || !s.await(Duration.ofMillis(POLL_MILLIS)))) {
                if (s == null) {
                    Thread.sleep(POLL_MILLIS);
                }
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().startsWith("kintsugi-scan-")) {
                        long cpu = threads.getThreadCpuTime(t.getId());
                        if (cpu > 0) {
                            scanCpu.put(t.getId(), cpu);
                        }
                    }
                }
            }
            if (s != null) {
                s.stop();
                s.await(Duration.ofSeconds(10));
                ScanProgress p = s.progress();
                passes++;
                batches += p.batches();
                refused += p.refusedMarkers();
                shortened += p.shortenedMarkers();
                liveBytes += p.bytesDone();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long cpu = scanCpu.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("writes: %.0f/s; process CPU %.2f cores%n", (writes.sum() - writesBefore) / elapsed,
                (os.getProcessCpuTime() - processBefore) / 1e9 / elapsed);
        if (scan) {
            System.out.printf("scan: %d passes, %d batches, %d refused, %d shortened; %.1f MiB/s of live bytes "
                            + "covered; scan threads %.3f cores, %.1f ns per live byte%n", passes, batches, refused,
                    shortened, liveBytes / elapsed / (1 << 20), cpu / 1e9 / elapsed,
                    cpu / (double) Math.max(1, liveBytes));
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
