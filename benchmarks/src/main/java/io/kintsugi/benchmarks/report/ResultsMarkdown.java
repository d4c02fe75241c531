package io.kintsugi.benchmarks.report;

import io.kintsugi.benchmarks.ComparedStore;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Writes the results README of one run: the machine, the command, the Kintsugi ÷ peer ratios against the issue's
 * targets with the chart, the cost of integrity, every score, and how each store was configured. It reports; it
 * never fails a run for missing a target.
 */
public final class ResultsMarkdown {

    private ResultsMarkdown() {
    }

    /**
     * What one results README is made from.
     *
     * @param results  the run's scores
     * @param machine  the machine it ran on
     * @param command  the command that ran it
     * @param date     the run's date, e.g. {@code 2026-11-22}
     * @param chart    the chart's file name, relative to the README
     */
    public record Input(JmhResults results, MachineDescription machine, String command, String date, String chart) {
    }

    /**
     * @param in what to report
     * @return the README, Markdown
     */
    public static String render(Input in) {
        List<BenchmarkScore> scores = in.results().scores();
        List<RatioRow> ratios = RatioTable.compute(scores);
        Optional<IntegrityCost> integrity = IntegrityCost.from(scores);
        StringBuilder md = new StringBuilder();
        md.append("# Kintsugi side by side with RocksDB and lmdbjava, ").append(in.date()).append("\n\n");
        md.append("Each workload runs the same operations on each store, with the same 16-byte keys and 100-byte ")
                .append("values, the same threads and a fresh directory per store. A ratio is Kintsugi's ")
                .append("throughput divided by the peer's: above 1, Kintsugi is faster. Errors are JMH's 99.9% ")
                .append("confidence half-widths; a ratio's error combines its two scores' relative errors. ")
                .append("Targets come from the benchmark issue and are reported here, not enforced.\n\n");
        machine(md, in);
        ratios(md, ratios, in.chart());
        integrity.ifPresent(cost -> integrity(md, cost));
        behind(md, ratios, integrity);
        scores(md, scores);
        configuration(md);
        return md.toString();
    }

    private static void machine(StringBuilder md, Input in) {
        MachineDescription m = in.machine();
        md.append("## Machine and command\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "CPU", m.cpu());
        row(md, "Cores", Integer.toString(m.cores()));
        row(md, "Memory", m.memory());
        row(md, "OS", m.os());
        row(md, "JVM", in.results().jvm());
        row(md, "Stores' directory", m.disk());
        row(md, "JMH settings", in.results().settings());
        md.append("\n```\n").append(in.command()).append("\n```\n\n");
    }

    private static void ratios(StringBuilder md, List<RatioRow> rows, String chart) {
        md.append("## Kintsugi ÷ peer\n\n");
        if (rows.isEmpty()) {
            md.append("No workload was measured for Kintsugi and a peer.\n\n");
            return;
        }
        md.append("![Kintsugi ÷ peer throughput ratios](").append(chart).append(")\n\n");
        md.append("| Workload | Threads | Peer | Kintsugi | Peer | Unit | Kintsugi ÷ peer | Target | Result |\n");
        md.append("|---|---|---|--:|--:|---|--:|--:|---|\n");
        for (RatioRow r : rows) {
            md.append("| ").append(r.workload().title())
                    .append(" | ").append(r.label())
                    .append(" | ").append(Workload.displayName(r.peer()))
                    .append(" | ").append(withError(r.kintsugi().score(), r.kintsugi().error()))
                    .append(" | ").append(withError(r.peerScore().score(), r.peerScore().error()))
                    .append(" | ").append(r.kintsugi().unit())
                    .append(" | ").append(ratio(r.ratio(), r.error()))
                    .append(" | ").append(r.target() == null ? "–" : "≥ " + fixed(r.target()))
                    .append(" | ").append(r.verdictText())
                    .append(" |\n");
        }
        md.append('\n');
    }

    private static void integrity(StringBuilder md, IntegrityCost c) {
        md.append("## Cost of integrity\n\n");
        md.append("Kintsugi has no switch that turns block verification off, on purpose: a store that can be told ")
                .append("to skip its checks is a hazard. So this is a measured split, not an on/off run. ")
                .append("`getUncached` is a random point read on ")
                .append(c.keys()).append(" keys with the block cache disabled, so each ")
                .append("get reads its data block from the segment file (from the page cache) and verifies it; ")
                .append("`verifyBlock` is that verification alone (`BlockTrailerFormat.verify`: CRC32C over the ")
                .append("block and its context, then the trailer) on a real data block the store wrote. ")
                .append("Verification share = verifyBlock × blocks per get ÷ getUncached; reads with ")
                .append("verification on ÷ off = 1 − share.\n\n");
        md.append("| Step | ns/op |\n|---|--:|\n");
        row(md, "Point read, block cache off (`getUncached`)", withError(c.getUncached()));
        if (c.readBlock() != null) {
            row(md, "Read one block from the file (`readBlock`)", withError(c.readBlock()));
        }
        row(md, "Verify one block (`verifyBlock`)", withError(c.verifyBlock()));
        if (c.crc32c() != null) {
            row(md, "CRC32C alone over the same bytes (`crc32cBlock`)", withError(c.crc32c()));
        }
        if (c.decodeBlock() != null) {
            row(md, "Parse one block (`decodeBlock`)", withError(c.decodeBlock()));
        }
        md.append('\n');
        md.append(String.format(Locale.ROOT, "Blocks read per get: %.2f. Verification share: %s. ", c.blocksPerGet(),
                percent(c.share(), c.shareError())));
        md.append("Reads with verification on ÷ off: **").append(onOff(c))
                .append("** (target ≥ ").append(fixed(IntegrityCost.TARGET_ON_OFF)).append(": ")
                .append(c.verdictText()).append(").\n\n");
    }

    private static void behind(StringBuilder md, List<RatioRow> ratios, Optional<IntegrityCost> integrity) {
        List<RatioRow> below = RatioTable.belowTarget(ratios);
        boolean integrityBelow = integrity.map(c -> c.verdict() == Verdict.BELOW).orElse(false);
        if (below.isEmpty() && !integrityBelow) {
            return;
        }
        md.append("## Below target\n\n");
        for (RatioRow r : below) {
            md.append("- ").append(r.workload().title()).append(", ").append(r.label()).append(": Kintsugi ÷ ")
                    .append(Workload.displayName(r.peer())).append(" = ").append(ratio(r.ratio(), r.error()))
                    .append(" (target ≥ ").append(fixed(r.target())).append(")\n");
        }
        integrity.filter(c -> c.verdict() == Verdict.BELOW).ifPresent(c -> md.append("- Verification on ÷ off = ")
                .append(onOff(c)).append(" (target ≥ ")
                .append(fixed(IntegrityCost.TARGET_ON_OFF)).append(")\n"));
        md.append("\nWhere the time goes: `benchmarks/run.sh profile <benchmark regex>` records a JFR profile of a ")
                .append("workload and prints its hottest methods; the note on each gap belongs here.\n\n");
    }

    private static void scores(StringBuilder md, List<BenchmarkScore> scores) {
        md.append("## Every score\n\n");
        md.append("| Benchmark | Parameters | Threads | Score | Error | Unit |\n|---|---|--:|--:|--:|---|\n");
        List<String> stores = List.of(ComparedStore.NAMES);
        List<BenchmarkScore> sorted = scores.stream().sorted(Comparator
                .comparingInt((BenchmarkScore s) -> Workload.of(s.benchmarkClass()).map(Enum::ordinal)
                        .orElse(IntegrityCost.BENCHMARK_CLASS.equals(s.benchmarkClass()) ? 100 : 200))
                .thenComparing(BenchmarkScore::benchmarkClass)
                .thenComparingInt(BenchmarkScore::threads)
                .thenComparing(BenchmarkScore::method)
                .thenComparingInt(s -> s.store() == null ? -1 : stores.indexOf(s.store())))
                .toList();
        for (BenchmarkScore s : sorted) {
            md.append("| ").append(s.benchmarkClass()).append('.').append(s.method())
                    .append(" | ").append(s.params().isEmpty() ? "–" : params(s))
                    .append(" | ").append(s.threads())
                    .append(" | ").append(number(s.score()))
                    .append(" | ").append(Double.isNaN(s.error()) ? "n/a" : "± " + number(s.error()))
                    .append(" | ").append(s.unit())
                    .append(" |\n");
            s.secondary().forEach((name, value) -> md.append("| ").append(s.benchmarkClass()).append('.')
                    .append(s.method()).append(':').append(name).append(" | ").append(s.params().isEmpty() ? "–"
                            : params(s)).append(" | ").append(s.threads()).append(" | ").append(number(value))
                    .append(" | | count |\n"));
        }
        md.append('\n');
    }

    private static void configuration(StringBuilder md) {
        md.append("## How each store was configured\n\n");
        for (String store : ComparedStore.NAMES) {
            md.append("- **").append(Workload.displayName(store)).append("**: ")
                    .append(ComparedStore.configuration(store)).append(".\n");
        }
        md.append('\n');
    }

    private static String params(BenchmarkScore s) {
        StringBuilder b = new StringBuilder();
        s.params().forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return b.toString();
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
    }

    private static String withError(IntegrityCost.Timing t) {
        return withError(t.nanos(), t.error());
    }

    private static String withError(double value, double error) {
        return Double.isNaN(error) ? number(value) : number(value) + " ± " + number(error);
    }

    /** Thousands separated, no decimals from 100 up; three significant digits below. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v == 0) {
            return "0";
        }
        int decimals = Math.max(0, 2 - (int) Math.floor(Math.log10(Math.abs(v))));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String ratio(double ratio, double error) {
        return Double.isNaN(error) ? fixed(ratio) : fixed(ratio) + " ± " + fixed(error);
    }

    private static String onOff(IntegrityCost c) {
        String r = String.format(Locale.ROOT, "%.3f", c.onOffRatio());
        return Double.isNaN(c.shareError()) ? r : r + String.format(Locale.ROOT, " ± %.3f", c.shareError());
    }

    private static String percent(double share, double error) {
        String s = String.format(Locale.ROOT, "%.1f%%", share * 100);
        return Double.isNaN(error) ? s : s + String.format(Locale.ROOT, " ± %.1f%%", error * 100);
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
