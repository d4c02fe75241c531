package io.kintsugi.benchmarks.report;

import org.knowm.xchart.CategoryChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Turns the JMH JSON of a side-by-side run into {@code README.md} (machine, command, ratio table against the
 * targets, cost of integrity, every score, store configuration) and {@code ratios.png} (the ratios as a chart),
 * next to the JSON. {@code benchmarks/run.sh} runs it after the benchmarks:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.kintsugi.benchmarks.report.ResultsReport \
 *     --json benchmarks/results/2026-11-22/jmh.json --command "benchmarks/run.sh full" [--bench-dir /mnt/ssd]
 * </pre>
 *
 * <p>It reports and never judges: missing a target prints as "below target" and the exit status stays 0. It
 * fails (status 2) only when its input cannot be read or its output written.
 */
public final class ResultsReport {

    /** The README's name, next to the JSON. */
    public static final String README = "README.md";
    /** The chart's name, next to the JSON. */
    public static final String CHART = "ratios.png";

    private ResultsReport() {
    }

    /**
     * Command-line entry point.
     *
     * @param args {@code --json FILE [--command TEXT] [--bench-dir DIR] [--date YYYY-MM-DD]}
     */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        try {
            Options o = Options.parse(args);
            List<Path> written = write(o.json(), o.command(), o.date(), MachineDescription.collect(o.benchDir()));
            written.forEach(p -> System.out.println("wrote " + p));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("ResultsReport: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Writes the README and the chart next to {@code json}.
     *
     * @param json    the JMH JSON result file
     * @param command the command that produced it
     * @param date    the run's date
     * @param machine the machine it ran on
     * @return the files written
     * @throws IOException              if the JSON cannot be read or the files written
     * @throws IllegalArgumentException if the file is not JMH JSON
     */
    public static List<Path> write(Path json, String command, String date, MachineDescription machine)
            throws IOException {
        JmhResults results = JmhResults.read(json);
        Path dir = json.toAbsolutePath().getParent();
        Path readme = dir.resolve(README);
        Files.writeString(readme, ResultsMarkdown.render(
                new ResultsMarkdown.Input(results, machine, command, date, CHART)), StandardCharsets.UTF_8);
        List<RatioRow> ratios = RatioTable.compute(results.scores());
        Optional<IntegrityCost> integrity = IntegrityCost.from(results.scores());
        if (ratios.isEmpty() && integrity.isEmpty()) {
            return List.of(readme);
        }
        Path chart = dir.resolve(CHART);
        CategoryChart c = RatioChart.build(ratios, integrity, "Kintsugi ÷ peer throughput, " + date);
        RatioChart.writePng(c, chart);
        return List.of(readme, chart);
    }

    private record Options(Path json, String command, String date, Path benchDir) {

        static Options parse(String[] args) {
            Path json = null;
            String command = "(not given)";
            String date = LocalDate.now().toString();
            Path benchDir = Path.of(System.getProperty("kintsugi.bench.dir", System.getProperty("java.io.tmpdir")));
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--json" -> json = Path.of(required(args[i], value));
                    case "--command" -> command = required(args[i], value);
                    case "--date" -> date = required(args[i], value);
                    case "--bench-dir" -> benchDir = Path.of(required(args[i], value));
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: "
                            + "--json FILE [--command TEXT] [--bench-dir DIR] [--date YYYY-MM-DD]");
                }
                i++;
            }
            if (json == null) {
                throw new IllegalArgumentException("--json FILE is required");
            }
            return new Options(json, command, date, benchDir);
        }

        private static String required(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }
    }
}
