package io.kintsugi.benchmarks.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The cost of block verification on reads, from {@code IntegrityCostBenchmark}: a point read that goes to a block
 * measured whole ({@code getUncached}) and the verification step measured alone ({@code verifyBlock}), and what
 * follows from the two. Kintsugi cannot turn verification off, so "off" is the whole read less the measured step.
 *
 * @param keys          the number of keys in the store {@code getUncached} read, as run (e.g. {@code 1,000,000})
 * @param getUncached   the whole point read with the block cache disabled, ns
 * @param verifyBlock   the verification of one block ({@code BlockTrailerFormat.verify}), ns
 * @param crc32c        CRC32C alone over the same bytes, ns; null if not measured
 * @param readBlock     the positional read of one block, ns; null if not measured
 * @param decodeBlock   the parse of one block's payload, ns; null if not measured
 * @param blocksPerGet  data blocks read (and verified) per get, measured; 1 if the run did not count them
 * @param share         fraction of a get spent verifying: {@code verifyBlock × blocksPerGet ÷ getUncached}
 * @param shareError    the share's error from the two scores' relative errors; NaN if unknown
 */
public record IntegrityCost(String keys, Timing getUncached, Timing verifyBlock, Timing crc32c, Timing readBlock,
                            Timing decodeBlock, double blocksPerGet, double share, double shareError) {

    /** What the issue asks for: reads with verification at least 0.97 as fast as without. */
    public static final double TARGET_ON_OFF = 0.97;

    /** The benchmark class that measures it. */
    public static final String BENCHMARK_CLASS = "IntegrityCostBenchmark";

    /**
     * A time per operation.
     *
     * @param nanos the mean, ns/op
     * @param error its error, NaN if unknown
     */
    public record Timing(double nanos, double error) {
    }

    /** @return throughput with verification ÷ throughput without: {@code 1 − share} */
    public double onOffRatio() {
        return 1 - share;
    }

    /** @return how {@link #onOffRatio()} stands against {@link #TARGET_ON_OFF}, in words */
    public String verdictText() {
        return Verdict.describe(onOffRatio(), shareError, TARGET_ON_OFF);
    }

    /** @return how {@link #onOffRatio()} stands against {@link #TARGET_ON_OFF} */
    public Verdict verdict() {
        return Verdict.of(onOffRatio(), shareError, TARGET_ON_OFF);
    }

    /**
     * @param scores the scores of a run
     * @return the integrity cost, if the run measured both the uncached get and the verification step
     */
    public static Optional<IntegrityCost> from(List<BenchmarkScore> scores) {
        Optional<BenchmarkScore> get = find(scores, "getUncached");
        Optional<BenchmarkScore> verify = find(scores, "verifyBlock");
        if (get.isEmpty() || verify.isEmpty()) {
            return Optional.empty();
        }
        BenchmarkScore g = get.get();
        BenchmarkScore v = verify.get();
        Double blocks = g.secondary().get("blocksRead");
        Double gets = g.secondary().get("gets");
        double blocksPerGet = blocks != null && gets != null && gets > 0 ? blocks / gets : 1.0;
        Timing getTiming = timing(g);
        Timing verifyTiming = timing(v);
        double share = verifyTiming.nanos() * blocksPerGet / getTiming.nanos();
        double shareError = share * Math.hypot(v.relativeError(), g.relativeError());
        String keys = g.params().get("keys");
        String keysText = keys == null ? "?" : keys.matches("\\d+")
                ? String.format(Locale.ROOT, "%,d", Long.parseLong(keys)) : keys;
        return Optional.of(new IntegrityCost(keysText, getTiming, verifyTiming, optionalTiming(scores, "crc32cBlock"),
                optionalTiming(scores, "readBlock"), optionalTiming(scores, "decodeBlock"), blocksPerGet, share,
                shareError));
    }

    private static Timing optionalTiming(List<BenchmarkScore> scores, String method) {
        return find(scores, method).map(IntegrityCost::timing).orElse(null);
    }

    private static Timing timing(BenchmarkScore s) {
        double scale = switch (s.unit()) {
            case "us/op" -> 1e3;
            case "ms/op" -> 1e6;
            case "s/op" -> 1e9;
            default -> 1.0;
        };
        return new Timing(s.score() * scale, s.error() * scale);
    }

    private static Optional<BenchmarkScore> find(List<BenchmarkScore> scores, String method) {
        return scores.stream()
                .filter(s -> s.benchmarkClass().equals(BENCHMARK_CLASS) && s.method().equals(method))
                .findFirst();
    }
}
