package io.kintsugi.benchmarks.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntegrityCostTest {

    @Test
    void shareIsVerifyTimesBlocksPerGetOverTheWholeRead() {
        IntegrityCost c = IntegrityCost.from(SampleResults.parse().scores()).orElseThrow();
        assertEquals(1.0, c.blocksPerGet(), 1e-12);
        assertEquals(800.0 / 20000.0, c.share(), 1e-12);
        assertEquals(0.04 * Math.hypot(8.0 / 800, 400.0 / 20000), c.shareError(), 1e-12);
        assertEquals(0.96, c.onOffRatio(), 1e-12);
        assertEquals(Verdict.BELOW, c.verdict());
        assertEquals("1,000,000", c.keys());
        assertEquals(600.0, c.crc32c().nanos());
        assertEquals(3000.0, c.readBlock().nanos());
        assertEquals(9000.0, c.decodeBlock().nanos());
    }

    @Test
    void countsBlocksPerGetAndConvertsUnits() {
        BenchmarkScore get = new BenchmarkScore(IntegrityCost.BENCHMARK_CLASS, "getUncached", Map.of(), 1, "avgt",
                10.0, 0.1, "us/op", Map.of("gets", 1000.0, "blocksRead", 1500.0));
        BenchmarkScore verify = new BenchmarkScore(IntegrityCost.BENCHMARK_CLASS, "verifyBlock", Map.of(), 1, "avgt",
                100.0, 1.0, "ns/op", Map.of());
        IntegrityCost c = IntegrityCost.from(List.of(get, verify)).orElseThrow();
        assertEquals(10_000.0, c.getUncached().nanos(), 1e-9);
        assertEquals(1.5, c.blocksPerGet(), 1e-12);
        assertEquals(0.015, c.share(), 1e-12);
        assertEquals("meets target", c.verdictText());
        assertEquals(null, c.crc32c());
    }

    @Test
    void needsBothTheReadAndTheVerification() {
        BenchmarkScore verify = new BenchmarkScore(IntegrityCost.BENCHMARK_CLASS, "verifyBlock", Map.of(), 1, "avgt",
                100.0, 1.0, "ns/op", Map.of());
        assertTrue(IntegrityCost.from(List.of(verify)).isEmpty());
    }
}
