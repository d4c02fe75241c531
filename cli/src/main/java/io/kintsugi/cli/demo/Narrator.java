package io.kintsugi.cli.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Tells the demo's story as it happens: each line carries the time elapsed since the start, each step ends with a
 * verdict ({@code verified} or {@code FAILED: why}) and its duration, and {@link #summary()} lists every step again
 * with its time. Only metadata is printed: counts, sequences, files, offsets, replica names, key fingerprints.
 */
final class Narrator {

    /** One finished step. */
    record StepResult(int number, String title, long nanos, List<String> failures) {
        boolean verified() {
            return failures.isEmpty();
        }
    }

    private final PrintStream out;
    private final LongSupplier clock;
    private final long start;
    private final List<StepResult> results = new ArrayList<>();
    private int number;
    private String title;
    private long stepStart;
    private List<String> failures;

    /**
     * @param out   where the narrative goes
     * @param clock nanosecond clock (System::nanoTime)
     */
    Narrator(PrintStream out, LongSupplier clock) {
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.start = clock.getAsLong();
    }

    /** Prints a line with the elapsed time and no step. */
    void say(String text) {
        out.printf(Locale.ROOT, "[%6.2fs] %s%n", seconds(clock.getAsLong() - start), text);
        out.flush();
    }

    /** Prints an indented detail line under the current step. */
    void detail(String text) {
        out.printf(Locale.ROOT, "          %s%n", text);
    }

    /** Starts step {@code n}. */
    void begin(int n, String stepTitle) {
        if (title != null) {
            throw new IllegalStateException("step " + number + " is still open");
        }
        number = n;
        title = stepTitle;
        failures = new ArrayList<>();
        stepStart = clock.getAsLong();
        out.println();
        say(n + ". " + stepTitle);
    }

    /**
     * Records a check of the current step: printed as {@code ok} or {@code FAILED}.
     *
     * @return {@code holds}
     */
    boolean check(boolean holds, String what) {
        if (holds) {
            detail("ok      " + what);
        } else {
            detail("FAILED  " + what);
            failures.add(what);
        }
        return holds;
    }

    /** Records a failure of the current step that stopped it. */
    void fail(String what) {
        check(false, what);
    }

    /** Ends the current step and prints its verdict and duration. */
    StepResult end() {
        long took = clock.getAsLong() - stepStart;
        StepResult r = new StepResult(number, title, took, List.copyOf(failures));
        results.add(r);
        say(String.format(Locale.ROOT, "   step %d %s in %.2f s", number, r.verified() ? "verified"
                : "FAILED (" + failures.size() + " check" + (failures.size() == 1 ? "" : "s") + ")",
                seconds(took)));
        title = null;
        return r;
    }

    /** @return whether a step is open (begun, not ended) */
    boolean inStep() {
        return title != null;
    }

    /** @return whether every step ended so far was verified */
    boolean allVerified() {
        return results.stream().allMatch(StepResult::verified);
    }

    /** @return the steps ended so far */
    List<StepResult> results() {
        return List.copyOf(results);
    }

    /** @return the summary: one line per step with its time and verdict, then the total */
    String summary() {
        StringBuilder b = new StringBuilder("Summary\n");
        for (StepResult r : results) {
            b.append(String.format(Locale.ROOT, "  %d. %-62s %7.2f s  %s%n", r.number(), r.title(),
                    seconds(r.nanos()), r.verified() ? "verified" : "FAILED"));
            for (String f : r.failures()) {
                b.append("       failed: ").append(f).append('\n');
            }
        }
        b.append(String.format(Locale.ROOT, "  total %.2f s%n", seconds(clock.getAsLong() - start)));
        return b.toString();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
