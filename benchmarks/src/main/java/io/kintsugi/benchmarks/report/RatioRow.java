package io.kintsugi.benchmarks.report;

/**
 * Kintsugi's throughput divided by a peer's, for one workload, benchmark method and parameter set.
 *
 * @param workload the workload
 * @param label    what distinguishes this row within the workload, e.g. {@code 4 threads}
 * @param peer     the peer store's name, e.g. {@code rocksdb}
 * @param kintsugi Kintsugi's score
 * @param peerScore the peer's score
 * @param ratio    Kintsugi ÷ peer
 * @param error    the ratio's error, from the scores' relative errors combined in quadrature; NaN if unknown
 * @param target   the least ratio the issue asks for, or null if it sets none
 */
public record RatioRow(Workload workload, String label, String peer, BenchmarkScore kintsugi, BenchmarkScore peerScore,
                       double ratio, double error, Double target) {

    /** @return how the ratio stands against its target */
    public Verdict verdict() {
        return Verdict.of(ratio, error, target);
    }

    /** @return the verdict in words, noting when the target lies within the error */
    public String verdictText() {
        return Verdict.describe(ratio, error, target);
    }
}
