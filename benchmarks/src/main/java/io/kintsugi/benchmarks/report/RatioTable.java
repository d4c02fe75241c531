package io.kintsugi.benchmarks.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes Kintsugi ÷ peer throughput ratios from the side-by-side benchmarks' scores.
 */
public final class RatioTable {

    private RatioTable() {
    }

    /**
     * Pairs each Kintsugi score with the same benchmark's score for every peer store. Rows come in workload
     * order, then by threads, then peer in {@code rocksdb}, {@code lmdb} order. A benchmark that lacks Kintsugi's
     * or a peer's score gives no row for that pair.
     *
     * @param scores the scores of a run
     * @return the ratios
     */
    public static List<RatioRow> compute(List<BenchmarkScore> scores) {
        Map<String, Map<String, BenchmarkScore>> byCase = new LinkedHashMap<>();
        for (BenchmarkScore s : scores) {
            if (s.store() != null && Workload.of(s.benchmarkClass()).isPresent()) {
                byCase.computeIfAbsent(caseKey(s), k -> new LinkedHashMap<>()).put(s.store(), s);
            }
        }
        List<RatioRow> rows = new ArrayList<>();
        for (Map<String, BenchmarkScore> stores : byCase.values()) {
            BenchmarkScore k = stores.get(Workload.KINTSUGI);
            if (k == null) {
                continue;
            }
            Workload w = Workload.of(k.benchmarkClass()).orElseThrow();
            for (String peer : List.of("rocksdb", "lmdb")) {
                BenchmarkScore p = stores.get(peer);
                if (p == null) {
                    continue;
                }
                double ratio = k.score() / p.score();
                double error = ratio * Math.hypot(k.relativeError(), p.relativeError());
                rows.add(new RatioRow(w, label(k), peer, k, p, ratio, error, w.target(peer).orElse(null)));
            }
        }
        rows.sort(Comparator.comparing((RatioRow r) -> r.workload().ordinal())
                .thenComparingInt(r -> r.kintsugi().threads())
                .thenComparing(RatioRow::label)
                .thenComparingInt(r -> r.peer().equals("rocksdb") ? 0 : 1));
        return rows;
    }

    /** The benchmark, method and parameters other than the store: the scores to compare. */
    private static String caseKey(BenchmarkScore s) {
        return s.benchmarkClass() + "." + s.method() + otherParams(s);
    }

    private static String otherParams(BenchmarkScore s) {
        Map<String, String> others = new TreeMap<>(s.params());
        others.remove("store");
        return others.isEmpty() ? "" : " " + others;
    }

    /**
     * @return "N thread(s)", plus any parameter other than the store and the usual key count
     */
    static String label(BenchmarkScore s) {
        Map<String, String> others = new TreeMap<>(s.params());
        others.remove("store");
        if ("1000000".equals(others.get("keys"))) {
            others.remove("keys");
        }
        String threads = s.threads() + (s.threads() == 1 ? " thread" : " threads");
        if (others.isEmpty()) {
            return threads;
        }
        StringBuilder b = new StringBuilder(threads);
        others.forEach((name, value) -> b.append(", ").append(name).append('=').append(value));
        return b.toString();
    }

    /**
     * @param rows the ratios
     * @return the rows below their target
     */
    public static List<RatioRow> belowTarget(List<RatioRow> rows) {
        return rows.stream().filter(r -> r.verdict() == Verdict.BELOW).toList();
    }
}
