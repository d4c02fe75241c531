package io.kintsugi.benchmarks.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsReportTest {

    private static final MachineDescription MACHINE = new MachineDescription("Test CPU @ 2.0GHz", 2, "23.5 GiB",
            "Debian GNU/Linux 12 (bookworm), kernel 6.1, amd64", "`/data` on /dev/nvme0n1p1 (ext4, mounted at /data)");

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void writesTheReadmeAndTheChartNextToTheJson(@TempDir Path dir) throws IOException {
        Path json = SampleResults.copyTo(dir);
        List<Path> written = ResultsReport.write(json, "benchmarks/run.sh full", "2026-11-22", MACHINE);
        assertEquals(List.of(dir.resolve("README.md"), dir.resolve("ratios.png")), written);
        String readme = Files.readString(dir.resolve("README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.startsWith("# Kintsugi side by side with RocksDB and lmdbjava, 2026-11-22\n"));
        for (String expected : List.of(
                "| CPU | Test CPU @ 2.0GHz |",
                "| Cores | 2 |",
                "| Memory | 23.5 GiB |",
                "| JVM | OpenJDK 64-Bit Server VM 17.0.15 (17.0.15+6-Debian-1deb12u1) |",
                "| Stores' directory | `/data` on /dev/nvme0n1p1 (ext4, mounted at /data) |",
                "| JMH settings | forks 2, warmup 3 × 5 s, measurement 5 × 5 s |",
                "```\nbenchmarks/run.sh full\n```",
                "![Kintsugi ÷ peer throughput ratios](ratios.png)",
                "| Durable writes | 1 thread | RocksDB | 1,000 ± 50.0 | 2,000 ± 100 | ops/s | 0.50 ± 0.04 "
                        + "| ≥ 1.50 | below target |",
                "| Durable writes | 16 threads | RocksDB | 18,000 ± 1,500 | 12,000 ± 900 | ops/s | 1.50 ± 0.17 "
                        + "| ≥ 1.50 | meets target (within error) |",
                "| Buffered writes | 4 threads | RocksDB | 120,000 ± 2,000 | 100,000 | ops/s | 1.20 "
                        + "| ≥ 1.00 | meets target |",
                "| Random point reads | 2 threads | lmdbjava | 280,000 ± 5,600 | 480,000 ± 9,600 | ops/s "
                        + "| 0.58 ± 0.02 | ≥ 0.50 | meets target |",
                "| Range scans of 1 000 keys | 1 thread | lmdbjava | 1,200 ± 36.0 | 2,400 ± 72.0 | ops/s "
                        + "| 0.50 ± 0.02 | – | no target |",
                "| Verify one block (`verifyBlock`) | 800 ± 8.00 |",
                "Blocks read per get: 1.00. Verification share: 4.0% ± 0.1%. Reads with verification on ÷ off: "
                        + "**0.960 ± 0.001** (target ≥ 0.97: below target).",
                "- Durable writes, 1 thread: Kintsugi ÷ RocksDB = 0.50 ± 0.04 (target ≥ 1.50)",
                "- Verification on ÷ off = 0.960 ± 0.001 (target ≥ 0.97)",
                "| IntegrityCostBenchmark.getUncached:blocksRead | keys=1000000 | 1 | 500,000 | | count |",
                "- **RocksDB**: RocksDB defaults")) {
            assertTrue(readme.contains(expected), () -> "README lacks: " + expected + "\n---\n" + readme);
        }
        assertFalse(readme.contains("NaN"), readme);

        byte[] png = Files.readAllBytes(dir.resolve("ratios.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        BufferedImage image = ImageIO.read(dir.resolve("ratios.png").toFile());
        assertNotNull(image);
        assertEquals(1400, image.getWidth());
        assertEquals(800, image.getHeight());
    }

    @Test
    void aRunWithoutComparisonsGetsAReadmeButNoChart(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("jmh.json");
        Files.writeString(json, "[]");
        List<Path> written = ResultsReport.write(json, "x", "2026-11-22", MACHINE);
        assertEquals(List.of(dir.resolve("README.md")), written);
        assertTrue(Files.readString(written.get(0)).contains("No workload was measured for Kintsugi and a peer."));
    }

    @Test
    void aReplicationResultIsListedButNotCompared(@TempDir Path dir) throws IOException {
        // ReplicationBenchmark's shape: no store parameter, sample mode with percentiles as secondary metrics.
        Path json = dir.resolve("jmh.json");
        Files.writeString(json, """
                [{"jmhVersion": "1.37", "benchmark": "io.kintsugi.benchmarks.ReplicationBenchmark.putTwoFollowers",
                  "mode": "sample", "threads": 1, "forks": 1, "warmupIterations": 1, "warmupTime": "1 s",
                  "measurementIterations": 2, "measurementTime": "2 s",
                  "params": {"durability": "NONE", "transport": "tcp"},
                  "primaryMetric": {"score": 103.6, "scoreError": 9.9, "scoreUnit": "us/op",
                                    "scorePercentiles": {"50.0": 64.7, "99.0": 435.7},
                                    "rawDataHistogram": [[[[44.352, 1], [64.704, 3]]]]},
                  "secondaryMetrics": {"p0.50": {"score": 64.7, "scoreError": "NaN", "scoreUnit": "us/op"},
                                       "p0.99": {"score": 435.7, "scoreError": "NaN", "scoreUnit": "us/op"}}},
                 {"jmhVersion": "1.37", "benchmark": "io.kintsugi.benchmarks.ReplicationBenchmark.put4Threads",
                  "mode": "thrpt", "threads": 4, "forks": 1, "warmupIterations": 1, "warmupTime": "1 s",
                  "measurementIterations": 2, "measurementTime": "2 s",
                  "params": {"durability": "NONE", "transport": "tcp"},
                  "primaryMetric": {"score": 30194.9, "scoreError": "NaN", "scoreUnit": "ops/s"},
                  "secondaryMetrics": {}}]
                """);
        List<Path> written = ResultsReport.write(json, "x", "2026-11-22", MACHINE);
        assertEquals(List.of(dir.resolve("README.md")), written);
        String readme = Files.readString(written.get(0), StandardCharsets.UTF_8);
        assertTrue(readme.contains("No workload was measured for Kintsugi and a peer."), readme);
        // The parameters come in no particular order.
        assertTrue(readme.lines().anyMatch(l -> l.startsWith("| ReplicationBenchmark.putTwoFollowers | ")
                && l.contains("durability=NONE") && l.contains("transport=tcp")
                && l.endsWith(" | 1 | 104 | ± 9.90 | us/op |")), readme);
        assertTrue(readme.lines().anyMatch(l -> l.startsWith("| ReplicationBenchmark.put4Threads | ")
                && l.endsWith(" | 4 | 30,195 | n/a | ops/s |")), readme);
    }

    @Test
    void refusesAFileThatIsNotJmhJson(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("jmh.json");
        Files.writeString(json, "{}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResultsReport.write(json, "x", "2026-11-22", MACHINE));
        assertTrue(e.getMessage().endsWith("a JMH result file holds a JSON array, found an object"), e.getMessage());
    }
}
