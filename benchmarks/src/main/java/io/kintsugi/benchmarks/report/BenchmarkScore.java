package io.kintsugi.benchmarks.report;

import java.util.Map;

/**
 * One result of a JMH run: a benchmark method with one set of parameters.
 *
 * @param benchmarkClass the benchmark class's simple name, e.g. {@code DurableWriteBenchmark}
 * @param method         the benchmark method, e.g. {@code put4Threads}
 * @param params         the {@code @Param} values, e.g. {@code store=rocksdb}; empty if none
 * @param threads        the number of threads that ran it
 * @param mode           JMH's mode: {@code thrpt} or {@code avgt}
 * @param score          the primary score
 * @param error          the half-width of the 99.9% confidence interval, NaN when JMH could not compute it
 * @param unit           the score's unit, e.g. {@code ops/s}
 * @param secondary      secondary scores (JMH auxiliary counters) by name
 */
public record BenchmarkScore(String benchmarkClass, String method, Map<String, String> params, int threads,
                             String mode, double score, double error, String unit, Map<String, Double> secondary) {

    /**
     * @param benchmarkClass the benchmark class's simple name
     * @param method         the benchmark method
     * @param params         the {@code @Param} values; copied
     * @param threads        the number of threads
     * @param mode           JMH's mode
     * @param score          the primary score
     * @param error          the score's error, NaN if unknown
     * @param unit           the score's unit
     * @param secondary      secondary scores by name; copied
     */
    public BenchmarkScore {
        // Immutable copies: a result read once is shared by the table, the chart and the README.
        params = Map.copyOf(params);
        secondary = Map.copyOf(secondary);
    }

    /** @return the {@code store} parameter, or null if the benchmark has none */
    public String store() {
        return params.get("store");
    }

    /** @return the error relative to the score, NaN if unknown */
    public double relativeError() {
        return error / score;
    }
}
