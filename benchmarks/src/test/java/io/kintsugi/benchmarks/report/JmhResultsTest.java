package io.kintsugi.benchmarks.report;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmhResultsTest {

    private final JmhResults results = SampleResults.parse();

    @Test
    void readsEveryResultWithItsClassMethodParamsAndScore() {
        assertEquals(27, results.scores().size());
        BenchmarkScore first = results.scores().get(0);
        assertEquals("DurableWriteBenchmark", first.benchmarkClass());
        assertEquals("put1Thread", first.method());
        assertEquals(Map.of("store", "kintsugi"), first.params());
        assertEquals(1, first.threads());
        assertEquals("thrpt", first.mode());
        assertEquals(1000.0, first.score());
        assertEquals(50.0, first.error());
        assertEquals("ops/s", first.unit());
        assertEquals("kintsugi", first.store());
    }

    @Test
    void readsJmhNaNErrorAsNaN() {
        BenchmarkScore rocks = results.scores().stream()
                .filter(s -> s.benchmarkClass().equals("BufferedWriteBenchmark") && "rocksdb".equals(s.store()))
                .findFirst().orElseThrow();
        assertTrue(Double.isNaN(rocks.error()));
    }

    @Test
    void readsSecondaryCountersAndBenchmarksWithoutParams() {
        BenchmarkScore get = find("getUncached");
        assertEquals(Map.of("blocksRead", 500000.0, "gets", 500000.0), get.secondary());
        BenchmarkScore verify = find("verifyBlock");
        assertTrue(verify.params().isEmpty());
        assertEquals(null, verify.store());
        assertEquals("ns/op", verify.unit());
    }

    @Test
    void describesTheJvmAndTheSettings() {
        assertEquals("OpenJDK 64-Bit Server VM 17.0.15 (17.0.15+6-Debian-1deb12u1)", results.jvm());
        assertEquals("forks 2, warmup 3 × 5 s, measurement 5 × 5 s", results.settings());
    }

    @Test
    void rejectsWhatIsNotAJmhResultArray() {
        IllegalArgumentException notArray = assertThrows(IllegalArgumentException.class,
                () -> JmhResults.parse(new StringReader("{\"benchmark\": \"x\"}")));
        assertEquals("a JMH result file holds a JSON array, found an object", notArray.getMessage());
        IllegalArgumentException noScore = assertThrows(IllegalArgumentException.class,
                () -> JmhResults.parse(new StringReader("[{\"benchmark\": \"a.B.c\", \"threads\": 1}]")));
        assertEquals("result 0 has no 'primaryMetric'", noScore.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JmhResults.parse(new StringReader("[1, 2")));
    }

    private BenchmarkScore find(String method) {
        return results.scores().stream().filter(s -> s.method().equals(method)).findFirst().orElseThrow();
    }
}
