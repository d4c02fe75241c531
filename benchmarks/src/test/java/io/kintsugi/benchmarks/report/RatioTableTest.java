package io.kintsugi.benchmarks.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RatioTableTest {

    private final List<RatioRow> rows = RatioTable.compute(SampleResults.parse().scores());

    @Test
    void pairsKintsugiWithEachPeerInWorkloadThreadAndPeerOrder() {
        List<String> order = rows.stream()
                .map(r -> r.workload().shortName() + " " + r.kintsugi().threads() + " " + r.peer()).toList();
        assertEquals(List.of(
                "durable 1 rocksdb", "durable 1 lmdb", "durable 4 rocksdb", "durable 4 lmdb",
                "durable 16 rocksdb", "durable 16 lmdb",
                "buffered 1 rocksdb", "buffered 4 rocksdb",
                "get 1 rocksdb", "get 1 lmdb", "get 2 rocksdb", "get 2 lmdb",
                "scan 1 rocksdb", "scan 1 lmdb"), order);
    }

    @Test
    void ratioIsKintsugiOverPeerWithRelativeErrorsInQuadrature() {
        RatioRow r = row(Workload.DURABLE_WRITES, 1, "rocksdb");
        assertEquals(0.5, r.ratio(), 1e-12);
        assertEquals(0.5 * Math.hypot(50.0 / 1000, 100.0 / 2000), r.error(), 1e-12);
        assertEquals("1 thread", r.label());
    }

    @Test
    void reportsEachRatioAgainstTheIssuesTargets() {
        assertEquals(Verdict.BELOW, row(Workload.DURABLE_WRITES, 1, "rocksdb").verdict());
        assertEquals(1.5, row(Workload.DURABLE_WRITES, 1, "rocksdb").target());
        assertEquals(Verdict.MEETS, row(Workload.DURABLE_WRITES, 4, "rocksdb").verdict());
        assertEquals("meets target (within error)", row(Workload.DURABLE_WRITES, 16, "rocksdb").verdictText());
        assertEquals(Verdict.NO_TARGET, row(Workload.DURABLE_WRITES, 4, "lmdb").verdict());
        assertEquals(Verdict.BELOW, row(Workload.BUFFERED_WRITES, 1, "rocksdb").verdict());
        assertEquals(0.5, row(Workload.POINT_READS, 1, "lmdb").target());
        assertEquals(Verdict.MEETS, row(Workload.POINT_READS, 1, "lmdb").verdict());
        assertNull(row(Workload.RANGE_SCANS, 1, "rocksdb").target());
        assertEquals(List.of(row(Workload.DURABLE_WRITES, 1, "rocksdb"), row(Workload.BUFFERED_WRITES, 1, "rocksdb")),
                RatioTable.belowTarget(rows));
    }

    @Test
    void anUnknownErrorMakesTheRatiosErrorUnknown() {
        RatioRow r = row(Workload.BUFFERED_WRITES, 4, "rocksdb");
        assertEquals(1.2, r.ratio(), 1e-12);
        assertTrue(Double.isNaN(r.error()));
        assertEquals("meets target", r.verdictText());
    }

    @Test
    void aBenchmarkWithoutKintsugiGivesNoRow() {
        BenchmarkScore rocks = new BenchmarkScore("PointReadBenchmark", "get1Thread",
                Map.of("store", "rocksdb"), 1, "thrpt", 10, 1, "ops/s", Map.of());
        assertTrue(RatioTable.compute(List.of(rocks)).isEmpty());
    }

    @Test
    void otherParametersThanTheStoreAndTheUsualKeyCountShowInTheLabel() {
        BenchmarkScore k = new BenchmarkScore("PointReadBenchmark", "get1Thread",
                Map.of("store", "kintsugi", "keys", "10000"), 1, "thrpt", 20, 1, "ops/s", Map.of());
        BenchmarkScore r = new BenchmarkScore("PointReadBenchmark", "get1Thread",
                Map.of("store", "rocksdb", "keys", "10000"), 1, "thrpt", 10, 1, "ops/s", Map.of());
        RatioRow row = RatioTable.compute(List.of(k, r)).get(0);
        assertEquals("1 thread, keys=10000", row.label());
        assertEquals(2.0, row.ratio(), 1e-12);
    }

    private RatioRow row(Workload w, int threads, String peer) {
        return rows.stream()
                .filter(r -> r.workload() == w && r.kintsugi().threads() == threads && r.peer().equals(peer))
                .findFirst().orElseThrow();
    }
}
