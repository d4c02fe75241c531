package io.kintsugi.benchmarks.report;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Says where a benchmark's time goes, from a JFR recording made with JMH's {@code -prof jfr}
 * ({@code benchmarks/run.sh profile}): the execution samples of the benchmark's own threads (named
 * {@code ...jmh-worker...}), as the methods that were on top of the stack (self time) and the methods that were
 * anywhere on it (total time), each as a share of the samples. For the cost of integrity, the total share of
 * {@code BlockTrailerFormat.verify} in {@code getUncached} is the verification share, measured by sampling rather
 * than by subtraction. Background threads (flushes, compactions, the oplog writer) are counted apart.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.kintsugi.benchmarks.report.ProfileSummary profile.jfr [top]
 * </pre>
 */
public final class ProfileSummary {

    private static final int DEFAULT_TOP = 30;

    /** Frames on every benchmark stack that say nothing about where its time goes. */
    private static final String[] HARNESS = {"java.lang.Thread.", "java.util.concurrent.", "jdk.internal.reflect.",
        "java.lang.reflect.", "org.openjdk.jmh.", "io.kintsugi.benchmarks.jmh_generated."};

    private final Map<String, Integer> self = new HashMap<>();
    private final Map<String, Integer> total = new HashMap<>();
    private int samples;
    private int otherThreadSamples;

    private ProfileSummary() {
    }

    /**
     * Command-line entry point.
     *
     * @param args the JFR file, then optionally how many methods to list (default {@value #DEFAULT_TOP})
     */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ProfileSummary FILE.jfr [top]");
            System.exit(2);
        }
        try {
            read(Path.of(args[0])).print(System.out, args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_TOP);
        } catch (IOException | NumberFormatException e) {
            System.err.println("ProfileSummary: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * @param file a JFR recording
     * @return its execution samples, counted
     * @throws IOException if the file cannot be read
     */
    static ProfileSummary read(Path file) throws IOException {
        ProfileSummary s = new ProfileSummary();
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent e = in.readEvent();
                if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    s.add(e);
                }
            }
        }
        return s;
    }

    private void add(RecordedEvent e) {
        RecordedThread thread = e.getThread("sampledThread");
        String name = thread == null ? "" : String.valueOf(thread.getJavaName());
        RecordedStackTrace stack = e.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        if (!name.contains("jmh-worker")) {
            otherThreadSamples++;
            return;
        }
        samples++;
        self.merge(method(stack.getFrames().get(0)), 1, Integer::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : stack.getFrames()) {
            String m = method(f);
            if (seen.add(m)) {
                total.merge(m, 1, Integer::sum);
            }
        }
    }

    private static String method(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "(unknown)" : m.getType().getName() + "." + m.getName();
    }

    private void print(PrintStream out, int top) {
        out.printf(Locale.ROOT, "%,d samples of benchmark threads (%,d of other threads)%n", samples,
                otherThreadSamples);
        out.println();
        out.println("self  (top of stack)");
        printTop(out, self, top);
        out.println();
        out.println("total (anywhere on the stack; thread pool, reflection and JMH frames left out)");
        Map<String, Integer> work = new HashMap<>(total);
        work.keySet().removeIf(ProfileSummary::isHarness);
        printTop(out, work, top);
    }

    private static boolean isHarness(String method) {
        for (String prefix : HARNESS) {
            if (method.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private void printTop(PrintStream out, Map<String, Integer> counts, int top) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.printf(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * e.getValue() / samples, e.getKey()));
    }
}
