package io.kintsugi.repair.lineage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 while a replica records copies: a child JVM ({@link LineageCrashAppender}) appends lineage records and
 * prints each acknowledged sequence; this test kills it with SIGKILL after a seeded number of acknowledgements plus
 * a short random delay, reopens the log and checks that every acknowledged record is there, byte for byte, that at
 * most the one append in flight was added beyond them, and that the next child's open finds the same. All cycles
 * share one directory, so later children append after earlier crashes. (A SIGKILL loses no page cache, so this
 * shows a process crash; that an acknowledged record also survives a machine crash rests on the fdatasync before
 * {@link LineageLog#append} returns, which the oplog's own crash tests cover.)
 *
 * <p>Reproducible plan: the seed is printed and in every message; rerun with {@code -Dkintsugi.crash.seed=<seed>}.
 * Only the exact instant of each kill depends on the machine. Cycles: a quarter of {@code -Dkintsugi.crash.cycles}
 * (at least 4). No timing assertion: only a child that makes no progress for {@value #STALL_SECONDS} s fails, as a
 * hang.
 */
class LineageCrashTest {

    private static final int STALL_SECONDS = 60;
    private static final long MAX_RECORDS = 1_000_000;

    @TempDir
    Path tmp;

    @Test
    void acknowledgedRecordsSurviveSigkill() throws Exception {
        Long fixed = Long.getLong("kintsugi.crash.seed");
        long seed = fixed != null ? fixed : new SecureRandom().nextLong();
        System.out.println("LineageCrashTest: seed=" + seed + " (rerun with -Dkintsugi.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        int cycles = Math.max(4, Integer.getInteger("kintsugi.crash.cycles", 20) / 4);
        Path store = Files.createDirectories(tmp.resolve("store"));
        long acknowledged = 0;
        for (int c = 0; c < cycles; c++) {
            String ctx = "seed=" + seed + ", cycle " + c + ": ";
            int killAfter = 1 + random.nextInt(150);
            long delayNanos = (long) (random.nextDouble() * TimeUnit.MILLISECONDS.toNanos(3));
            Process p = start(store, tmp.resolve("child-" + c + ".err"));
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("reader failed: " + e);
                }
                lines.add("EOF");
            }, "lineage-crash-reader-" + c);
            reader.setDaemon(true);
            reader.start();

            String open = lines.poll(STALL_SECONDS, TimeUnit.SECONDS);
            assertNotNull(open, ctx + "the child did not open the log; stderr: " + stderr(c));
            // The last check opened the log for writing, so any torn tail is gone: the child finds what it found.
            assertEquals("open " + acknowledged, open, ctx + "the child's open found other records than the last"
                    + " check; stderr: " + stderr(c));
            long opened = Long.parseLong(open.substring(5));
            long highest = opened;
            while (highest - opened < killAfter) {
                String line = lines.poll(STALL_SECONDS, TimeUnit.SECONDS);
                assertNotNull(line, ctx + "the child made no progress for " + STALL_SECONDS + " s (a hang?)");
                assertTrue(line.startsWith("ack "), ctx + "unexpected child output: " + line + "; stderr: "
                        + stderr(c));
                long seq = Long.parseLong(line.substring(4));
                assertEquals(highest + 1, seq, ctx + "acknowledged sequences are contiguous");
                highest = seq;
            }
            LockSupport.parkNanos(delayNanos);
            p.toHandle().destroyForcibly(); // SIGKILL, keeping our end of its stdout to drain it
            p.waitFor();
            reader.join(TimeUnit.SECONDS.toMillis(STALL_SECONDS));
            p.getOutputStream().close();
            for (String line = lines.poll(); line != null && !line.equals("EOF"); line = lines.poll()) {
                assertTrue(line.startsWith("ack "), ctx + "unexpected child output: " + line);
                highest = Long.parseLong(line.substring(4));
            }

            try (LineageLog log = LineageLog.open(store)) {
                List<LineageRecord> read = log.query(LineageQuery.all());
                assertTrue(read.size() >= highest, ctx + "acknowledged through " + highest + " but the log holds "
                        + read.size() + (log.tornTail().isPresent() ? " after dropping " + log.tornTail().get()
                        : ""));
                assertTrue(read.size() <= highest + 1, ctx + "the log holds " + read.size()
                        + " records, more than the " + highest + " acknowledged and the one in flight");
                List<LineageRecord> expected = new ArrayList<>();
                for (int i = 0; i < read.size(); i++) {
                    expected.add(LineageCrashAppender.record(i));
                }
                assertEquals(expected, read, ctx + "every record is the one appended at its place");
                acknowledged = read.size();
            }
        }
        System.out.println("LineageCrashTest: seed=" + seed + ", " + cycles + " kills, " + acknowledged
                + " records survived");
    }

    private Process start(Path store, Path err) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : System.getProperty("kintsugi.jvm.flags", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), LineageCrashAppender.class.getName(),
                store.toString(), Long.toString(MAX_RECORDS)));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(err.toFile());
        // stdin stays a pipe held by this JVM: if this JVM dies, the child sees EOF and halts.
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }

    private String stderr(int cycle) {
        try {
            String s = Files.readString(tmp.resolve("child-" + cycle + ".err"));
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
