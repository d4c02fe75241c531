package io.kintsugi.repair.lineage;

import io.kintsugi.validation.Hash128;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The child JVM of {@link LineageCrashTest}: opens the lineage log of a store directory, prints {@code open <n>}
 * with the records it found, then appends {@link #record(int)} for n, n+1, ... and prints {@code ack <sequence>}
 * after each append returned, until it is killed or wrote {@code max} records ({@code done}). It halts when its
 * stdin reaches EOF, so that it never outlives the test JVM.
 */
public final class LineageCrashAppender {

    private LineageCrashAppender() {
    }

    /**
     * The record the child appends as the log's {@code index}-th (sequence {@code index + 1}), so that the test can
     * recompute every record from its place alone. Both kinds, both open and closed bounds, and sizes that vary.
     *
     * @param index the 0-based place in the log
     * @return the record
     */
    public static LineageRecord record(int index) {
        boolean whole = index % 7 == 6;
        byte[] from = whole || index % 5 == 0 ? null : ("from-" + index).getBytes(StandardCharsets.UTF_8);
        byte[] to = whole || index % 3 == 0 ? null : ("to-" + index + "x".repeat(index % 40))
                .getBytes(StandardCharsets.UTF_8);
        return new LineageRecord(Instant.ofEpochSecond(1_770_000_000L + index, index), whole
                ? LineageKind.WHOLE_REPLICA_COPY : LineageKind.RANGE_COPY, "me", "peer-" + index % 4,
                whole ? "" : "ns" + index % 3, from, to, index, index, 10L * index, new Hash128(index, ~index),
                "repair-" + index);
    }

    /**
     * @param args the store directory, and the most records to append
     * @throws IOException never in practice
     */
    public static void main(String[] args) throws IOException {
        Path store = Path.of(args[0]);
        long max = Long.parseLong(args[1]);
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for EOF
                }
            } catch (IOException e) {
                // treat as EOF
            }
            Runtime.getRuntime().halt(3);
        }, "stdin-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LineageLog log = LineageLog.open(store)) {
            long n = log.size();
            out.println("open " + n);
            for (long i = n; i < max; i++) {
                long seq = log.append(record((int) i));
                out.println("ack " + seq);
            }
        }
        out.println("done");
    }
}
