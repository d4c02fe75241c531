package io.kintsugi.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The side-by-side workloads, each measured by one benchmark class with a {@code store} parameter, and the
 * targets that Kintsugi ÷ peer throughput is reported against (reported, never asserted).
 */
public enum Workload {
    /** Writes that return once on disk: Kintsugi SYNC, RocksDB sync WAL, LMDB a transaction per write. */
    DURABLE_WRITES("DurableWriteBenchmark", "Durable writes", "durable", Map.of("rocksdb", 1.5)),
    /** Writes that return once logged: Kintsugi NONE, RocksDB WAL without sync. */
    BUFFERED_WRITES("BufferedWriteBenchmark", "Buffered writes", "buffered", Map.of("rocksdb", 1.0)),
    /** Random gets on 1 M loaded, flushed, compacted keys. */
    POINT_READS("PointReadBenchmark", "Random point reads", "get", orderedTargets()),
    /** Scans of 1 000 consecutive keys from a random start. */
    RANGE_SCANS("RangeScanBenchmark", "Range scans of 1 000 keys", "scan", Map.of());

    /** The store whose ratios to the others are reported. */
    public static final String KINTSUGI = "kintsugi";

    private final String benchmarkClass;
    private final String title;
    private final String shortName;
    private final Map<String, Double> targets;

    Workload(String benchmarkClass, String title, String shortName, Map<String, Double> targets) {
        this.benchmarkClass = benchmarkClass;
        this.title = title;
        this.shortName = shortName;
        this.targets = targets;
    }

    private static Map<String, Double> orderedTargets() {
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("rocksdb", 1.0);
        t.put("lmdb", 0.5);
        return t;
    }

    /** @return the simple name of the benchmark class that measures it */
    public String benchmarkClass() {
        return benchmarkClass;
    }

    /** @return its name in the report */
    public String title() {
        return title;
    }

    /** @return a short name for the chart's axis */
    public String shortName() {
        return shortName;
    }

    /**
     * @param peer a peer store's name
     * @return the least Kintsugi ÷ peer throughput ratio the issue asks for, if it sets one
     */
    public Optional<Double> target(String peer) {
        return Optional.ofNullable(targets.get(peer));
    }

    /**
     * @param benchmarkClass a benchmark class's simple name
     * @return the workload it measures, if it is one of these
     */
    public static Optional<Workload> of(String benchmarkClass) {
        for (Workload w : values()) {
            if (w.benchmarkClass.equals(benchmarkClass)) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }

    /**
     * @param store a store parameter value
     * @return how the report names it
     */
    public static String displayName(String store) {
        switch (store) {
            case "kintsugi":
                return "Kintsugi";
            case "rocksdb":
                return "RocksDB";
            case "lmdb":
                return "lmdbjava";
            default:
                return store;
        }
    }
}
