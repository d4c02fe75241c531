package io.kintsugi.oplog;

import io.kintsugi.oplog.format.SegmentHeaderFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash test of the oplog: a child JVM ({@link CrashAppender}) appends with {@link Durability#SYNC} from several
 * threads and prints every acknowledged sequence; this test kills it with SIGKILL at a random moment, reopens the
 * log in this JVM and checks it against an oracle built from what the child acknowledged:
 *
 * <ul>
 *   <li>open succeeds: a crash is never reported as corruption; a torn tail may be truncated, and then the
 *       report is consistent (bytes dropped &gt; 0, the truncated file is the last segment and now ends at the
 *       reported offset, the last valid sequence is the log's last sequence);</li>
 *   <li>sequences are contiguous from 1 to {@code lastSequence}, and {@code lastSequence} &ge; the highest
 *       acknowledged sequence;</li>
 *   <li>every acknowledged sequence holds exactly the record the child appended (term, type and payload
 *       recomputed byte for byte); every record the child wrote but had not yet acknowledged is the one in-flight
 *       append of one of its threads; a record seen by an earlier check never changes or disappears;</li>
 *   <li>no temporary file survives recovery, the current term is never lost (an {@code advanceTerm} that
 *       returned sticks), and the next child's open finds exactly what this check's open found (same last
 *       sequence, term, torn tail, temporary files removed, log id).</li>
 * </ul>
 *
 * <p>All cycles of {@link #acknowledgedAppendsSurviveSigkill} run on the same directory, so the log grows across
 * crashes and every child appends after earlier ones crashed. Cycle types, chosen from a seeded {@link Random}:
 * <ul>
 *   <li>64 KiB segments (rolls happen now and then), 4 writer threads, killed a random 0..4 ms after a
 *       log-uniform number (3..3000) of acknowledgements (the delay spreads the kill over the phases of a group
 *       commit: right after an acknowledgement the writer always starts the next one);</li>
 *   <li>roll-heavy: 4 KiB segments, so that almost every group commit rolls a segment (seal and fsync, temporary
 *       segment file, fsync, rename, directory fsync, metadata update through a temporary file) and the kill,
 *       0..20 ms after 3..600 acknowledgements, mostly lands inside a roll;</li>
 *   <li>large payloads: 12 writer threads appending mostly 8..128 KiB payloads to 16 MiB segments, so that a
 *       group commit writes hundreds of KiB with one call; mostly killed as soon as this test sees the last segment
 *       grow after 3..300 acknowledgements, that is inside or just after that write, to tear it;</li>
 *   <li>early: killed a random delay after the child starts opening the log, so during recovery (possibly while it
 *       truncates a torn tail it found) or the first appends;</li>
 *   <li>check on a copy: the check runs on a copy of the directory, leaving the torn tail and temporary files for
 *       the next child's own recovery to handle.</li>
 * </ul>
 * {@link #killDuringCreation} kills children early on fresh directories, to cover a crash while the log is created.
 *
 * <p>Reproducible: the seed is printed and is in every assertion message; rerun with
 * {@code -Dkintsugi.crash.seed=<seed>}. The seed fixes every cycle's plan and every payload; only the exact
 * instant of each kill depends on the machine. Cycles: {@code -Dkintsugi.crash.cycles} (20 by default, 200 with
 * {@code -Pstress}). There are no timing assertions; only a child that makes no progress at all for
 * {@value #STALL_SECONDS} s is reported, as a hang, with its thread dump.
 */
class OplogCrashTest {

    private static final int THREADS = 4;
    /** Writer threads of a child with large payloads: more appends per group commit, so larger writes. */
    private static final int LARGE_THREADS = 12;
    private static final long NORMAL_SEGMENT = 64 << 10;
    private static final long TINY_SEGMENT = OplogOptions.MIN_SEGMENT_SIZE;
    /** Segments of large-payload cycles: big enough that a group commit of megabytes goes into one write. */
    private static final long LARGE_SEGMENT = 16 << 20;
    private static final int STALL_SECONDS = 60;
    private static final long CHILD_MAX_SECONDS = 180;
    private static final long CHILD_MAX_APPENDS = 2_000_000;
    private static final int EXIT_SIGKILL = 128 + 9;

    @TempDir
    Path tmp;

    /** One cycle's plan; everything in it comes from the seeded random. */
    record Plan(int cycle, long term, long segmentSize, boolean large, boolean early, long killDelayNanos,
                int killAfterAcks, boolean killOnWrite, boolean checkCopy, boolean advanceTerm) {
        int threads() {
            return large ? LARGE_THREADS : THREADS;
        }

        @Override
        public String toString() {
            return "cycle " + cycle + " [term " + term + ", segment " + segmentSize + " B, "
                    + (large ? "large payloads, " : "")
                    + (killOnWrite ? "kill as soon as the last segment grows after " + killAfterAcks + " acks"
                    : "kill " + killDelayNanos / 1000 + " us after " + (early ? "OPENING" : killAfterAcks + " acks"))
                    + (checkCopy ? ", check on a copy" : "") + (advanceTerm ? ", advanceTerm" : "") + "]";
        }
    }

    @Test
    void acknowledgedAppendsSurviveSigkill() throws Exception {
        long seed = seed();
        int cycles = Integer.getInteger("kintsugi.crash.cycles", 20);
        Random rnd = new Random(seed);
        Stats stats = new Stats();
        CrashedLog log = new CrashedLog(seed, tmp.resolve("log"), stats);
        long started = System.nanoTime();
        long term = 1;
        for (int c = 0; c < cycles; c++) {
            // The first cycles cover every type whatever the seed; later ones are drawn at random.
            int kind = c < 7 ? -1 : rnd.nextInt(20);
            boolean tiny = c == 1 || c == 3 || kind >= 15;
            boolean large = c == 5 || c == 6 || (kind >= 9 && kind < 15);
            boolean early = c == 4 || (c >= 7 && rnd.nextInt(8) == 0);
            boolean copy = c == 2 || c == 3 || c == 6 || (c >= 7 && rnd.nextInt(4) == 0);
            if (c > 0 && rnd.nextInt(3) != 0) {
                term++;
            }
            int maxAcks = tiny ? 600 : large ? 300 : 3000;
            int killAfter = (int) Math.round(Math.exp(Math.log(3) + rnd.nextDouble() * Math.log(maxAcks / 3.0)));
            // After the k-th acknowledgement the writer is at the start of its next group commit; a random delay
            // spreads the kill over the phases of a commit or a roll (a roll takes several fsyncs).
            long delay = (long) (rnd.nextDouble() * TimeUnit.MILLISECONDS.toNanos(early ? 80 : tiny ? 20 : 4));
            boolean onWrite = large && !early && (c == 5 || rnd.nextInt(4) != 0);
            boolean advance = rnd.nextInt(3) == 0;
            long segment = tiny ? TINY_SEGMENT : large ? LARGE_SEGMENT : NORMAL_SEGMENT;
            log.runCycle(new Plan(c, term, segment, large, early, delay, killAfter, onWrite, copy, advance));
        }
        System.out.printf("OplogCrashTest: seed=%d, %d cycles on one log (%d records) in %.1f s: %s%n", seed,
                cycles, log.checkedLast, (System.nanoTime() - started) / 1e9, stats);
    }

    @Test
    void killDuringCreation() throws Exception {
        long seed = seed() ^ 0x5DEECE66DL;
        int dirs = Math.max(4, Integer.getInteger("kintsugi.crash.cycles", 20) / 5);
        Random rnd = new Random(seed);
        Stats stats = new Stats();
        for (int d = 0; d < dirs; d++) {
            CrashedLog log = new CrashedLog(seed, tmp.resolve("fresh-" + d), stats);
            // Kill within the first milliseconds of opening a directory that holds no log yet, then let a second
            // child recover whatever that left and crash too.
            log.runCycle(new Plan(0, 1, NORMAL_SEGMENT, false, true, (long) (rnd.nextDouble() * 15_000_000L), 0,
                    false, rnd.nextBoolean(), false));
            log.runCycle(new Plan(1, 2, TINY_SEGMENT, false, true, (long) (rnd.nextDouble() * 40_000_000L), 0,
                    false, false, rnd.nextBoolean()));
        }
        System.out.printf("OplogCrashTest: seed=%d, %d fresh logs killed while created: %s%n", seed, dirs, stats);
    }

    private static long seed() {
        Long s = Long.getLong("kintsugi.crash.seed");
        long seed = s != null ? s : new SecureRandom().nextLong();
        System.out.println("OplogCrashTest: seed=" + seed + " (rerun with -Dkintsugi.crash.seed=" + seed + ")");
        return seed;
    }

    /**
     * One log directory that children crash into, and the oracle of what it must hold: every acknowledged
     * (sequence, writer, counter), and a fingerprint of every record an earlier check saw.
     */
    private final class CrashedLog {
        private final long seed;
        private final Path dir;

        /** Per sequence (index = sequence): acknowledged writer id (0 = not acknowledged) and counter. */
        private long[] ackWriter = new long[1024];
        private long[] ackCounter = new long[1024];
        /** Per sequence: fingerprint of the record seen by the last check; valid up to {@link #checkedLast}. */
        private long[] fingerprint = new long[1024];
        private long checkedLast;
        private long highestAcked;
        /** Term per cycle, to check the terms of records. */
        private final List<Long> cycleTerms = new ArrayList<>();

        /** What the next child's open must report; null before anything was checked. */
        private Checked expectNext;

        private final Stats stats;

        private String ctx;

        CrashedLog(long seed, Path dir, Stats stats) {
            this.seed = seed;
            this.dir = dir;
            this.stats = stats;
        }

        void runCycle(Plan plan) throws Exception {
            ctx = "seed=" + seed + " (rerun with -Dkintsugi.crash.seed=" + seed + "), " + plan + ": ";
            cycleTerms.add(plan.term());
            Path err = tmp.resolve("child-" + dir.getFileName() + "-" + plan.cycle() + ".err");
            Process p = startChild(plan, err);
            ChildOutput out = new ChildOutput(p.getInputStream());
            Thread reader = new Thread(out, "crash-child-reader-" + plan.cycle());
            reader.setDaemon(true);
            reader.start();

            boolean progressed;
            if (plan.early()) {
                progressed = out.await(o -> o.opening);
            } else {
                progressed = out.await(o -> o.acks.size() >= plan.killAfterAcks());
            }
            if (progressed && plan.killOnWrite()) {
                awaitWrite();
            } else if (progressed) {
                LockSupport.parkNanos(plan.killDelayNanos());
            }
            if (!progressed && p.isAlive()) {
                // A hang: ask the child for a thread dump (SIGQUIT prints it to its stdout) before killing it.
                new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).inheritIO().start().waitFor();
                Thread.sleep(1000);
            }
            boolean aliveAtKill = p.isAlive();
            // SIGKILL. (Process.destroyForcibly would also close our end of the child's stdout and lose the lines
            // still in the pipe; ProcessHandle's only sends the signal.)
            p.toHandle().destroyForcibly();
            int exit = p.waitFor();
            reader.join(TimeUnit.SECONDS.toMillis(STALL_SECONDS));
            p.getOutputStream().close();
            assertFalse(reader.isAlive(), ctx + "child stdout did not reach EOF after the child died");
            if (out.failure != null) {
                fail(ctx + "reading the child's output failed", out.failure);
            }
            if (!progressed && aliveAtKill) {
                fail(ctx + "the child made no progress for " + STALL_SECONDS + " s (a hang?); its output:\n"
                        + out.diagnostics() + "\nstderr:\n" + tail(err));
            }
            if (!aliveAtKill || exit != EXIT_SIGKILL) {
                assertTrue(exit == 0 && out.done, ctx + "the child ended by itself with status " + exit
                        + (out.done ? "" : " without finishing") + "; its output:\n" + out.diagnostics()
                        + "\nstderr:\n" + tail(err));
            }
            if (!out.started) {
                stats.killedBeforeStart++;
            }
            checkStartLine(out);
            recordAcks(plan, out);

            Checked c;
            if (plan.checkCopy()) {
                Path copy = tmp.resolve("copy-" + dir.getFileName() + "-" + plan.cycle());
                copyDirectory(dir, copy);
                c = check(copy, plan, out);
                deleteDirectory(copy);
                // The original still holds what the copy's recovery found: the next child must find the same
                // (except the id of a log the copy's check had to create: the child creates its own).
                expectNext = c.created() ? new Checked(c.last(), c.term(), c.tornOffset(), c.tornBytes(),
                        c.tornFile(), c.tempFiles(), true, null) : c;
            } else {
                c = check(dir, plan, out);
                // This check's recovery truncated the torn tail and removed temporary files; the log now ends
                // cleanly where it said. If it created the log, the child will find it, not create it.
                expectNext = new Checked(c.last(), c.term(), -1, 0, null, 0, false, c.logId());
            }
            Files.deleteIfExists(err);
        }

        /**
         * Spins until the newest segment grows, that is until the child's writer is inside (or just past) the
         * write of its next group commit, so that the kill that follows is likely to tear it. Gives up after a
         * second: the kill then lands wherever the child is.
         */
        private void awaitWrite() throws IOException {
            Path newest;
            try (Stream<Path> s = Files.list(dir)) {
                newest = s.filter(f -> SegmentHeaderFormat.parseFileName(f.getFileName().toString()) >= 0)
                        .max(Comparator.naturalOrder()).orElse(null);
            }
            if (newest == null) {
                return;
            }
            long size = Files.size(newest);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (Files.size(newest) == size && System.nanoTime() - giveUp < 0) {
                Thread.onSpinWait();
            }
        }

        private Process startChild(Plan plan, Path err) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String flag : System.getProperty("kintsugi.jvm.flags", "").trim().split("\\s+")) {
                if (!flag.isEmpty()) {
                    cmd.add(flag);
                }
            }
            cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), CrashAppender.class.getName(),
                    dir.toString(), Integer.toString(plan.cycle()), Long.toString(plan.term()),
                    Long.toString(plan.segmentSize()), Integer.toString(plan.threads()),
                    Boolean.toString(plan.advanceTerm()), Long.toString(CHILD_MAX_SECONDS),
                    Long.toString(CHILD_MAX_APPENDS), Boolean.toString(plan.early()),
                    Boolean.toString(plan.large())));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectError(err.toFile());
            // stdin stays a pipe held by this JVM: if this JVM dies, the child sees EOF and halts.
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            return pb.start();
        }

        /** The child's open must find exactly what the last check found. */
        private void checkStartLine(ChildOutput out) {
            if (!out.started) {
                return;
            }
            String[] f = out.start;
            String what = ctx + "the child's open disagrees with the last check (START " + String.join(" ", f)
                    + ", expected " + expectNext + "): ";
            Checked e = expectNext != null ? expectNext
                    : new Checked(0, 0, -1, 0, null, 0, true, null);
            assertEquals(e.last(), Long.parseLong(f[1]), what + "last sequence");
            assertEquals(e.term(), Long.parseLong(f[2]), what + "current term");
            assertEquals(e.tornOffset(), Long.parseLong(f[3]), what + "torn tail offset");
            assertEquals(e.tornBytes(), Long.parseLong(f[4]), what + "torn bytes dropped");
            if (e.tornFile() != null) {
                assertEquals(e.tornFile(), f[5], what + "torn tail file");
            }
            assertEquals(e.tempFiles(), Integer.parseInt(f[6]), what + "temporary files removed");
            assertEquals(e.created(), Boolean.parseBoolean(f[7]), what + "created");
            if (e.logId() != null) {
                assertEquals(e.logId(), f[8], what + "log id");
            }
            if (e.tornBytes() > 0 || e.tempFiles() > 0) {
                stats.childRecoveries++;
            }
        }

        private void recordAcks(Plan plan, ChildOutput out) {
            long[] lastCounter = new long[plan.threads()];
            for (long[] a : out.acks) {
                long seq = a[0];
                long writer = a[1];
                long counter = a[2];
                int thread = CrashAppender.threadOf(writer);
                assertEquals(plan.cycle(), CrashAppender.cycleOf(writer), ctx + "ack of a foreign writer " + writer);
                assertEquals(lastCounter[thread] + 1, counter, ctx + "writer " + writer + " acknowledged counters "
                        + "out of order");
                lastCounter[thread] = counter;
                assertTrue(seq > checkedLast, ctx + "the child acknowledged sequence " + seq
                        + ", which the last check had already seen (last " + checkedLast + ")");
                ensureCapacity(seq);
                assertEquals(0, ackWriter[(int) seq], ctx + "sequence " + seq + " acknowledged twice");
                ackWriter[(int) seq] = writer;
                ackCounter[(int) seq] = counter;
                highestAcked = Math.max(highestAcked, seq);
                stats.acks++;
            }
        }

        /**
         * Reopens the log in {@code where} and checks it against the oracle.
         */
        private Checked check(Path where, Plan plan, ChildOutput out) throws IOException {
            // The one in-flight append each thread of this child may have made durable without acknowledging it.
            long[] inFlightCounter = new long[plan.threads()];
            for (long[] a : out.acks) {
                int t = CrashAppender.threadOf(a[1]);
                inFlightCounter[t] = Math.max(inFlightCounter[t], a[2]);
            }
            for (int t = 0; t < plan.threads(); t++) {
                inFlightCounter[t]++;
            }

            Oplog log;
            try {
                log = Oplog.open(where);
            } catch (CorruptionException e) {
                throw new AssertionError(ctx + "a crash was reported as corruption: " + e.report(), e);
            } catch (RuntimeException e) {
                throw new AssertionError(ctx + "the log does not open after a crash: " + e, e);
            }
            try (log) {
                return check(where, plan, log, inFlightCounter, out.termAdvanced);
            } catch (CorruptionException e) {
                throw new AssertionError(ctx + "reading the log after a crash found corruption: " + e.report(), e);
            } catch (RuntimeException e) {
                throw new AssertionError(ctx + "reading the log after a crash failed: " + e, e);
            }
        }

        /** The checks proper, on the reopened log; see {@link #check(Path, Plan, ChildOutput)}. */
        private Checked check(Path where, Plan plan, Oplog log, long[] inFlightCounter, boolean termAdvanced)
                throws IOException {
            boolean[] inFlightSeen = new boolean[plan.threads()];
            RecoveryReport report = log.recoveryReport();
            if (report.created()) {
                assertEquals(0, checkedLast, ctx + "a log that held records was recreated: " + report);
                assertEquals(0, highestAcked, ctx + "the child acknowledged appends, yet no log exists");
            }
            long last = log.lastSequence();
            assertEquals(1, log.firstSequence(), ctx + "first sequence");
            assertEquals(last, report.lastSequence(), ctx + "report's last sequence vs the log's");
            assertEquals(last, report.recordsScanned(), ctx + "records scanned: " + report);
            assertTrue(last >= highestAcked, ctx + "acknowledged sequence " + highestAcked
                    + " is lost: the log ends at " + last + " (" + report + ")");
            assertTrue(last >= checkedLast, ctx + "records an earlier check saw are gone: the log ends at "
                    + last + ", it ended at " + checkedLast + " (" + report + ")");
            List<Path> segmentFiles;
            try (Stream<Path> s = Files.list(where)) {
                List<Path> all = s.sorted().collect(Collectors.toList());
                assertTrue(all.stream().noneMatch(f -> f.getFileName().toString().endsWith(".tmp")),
                        ctx + "temporary files survived recovery: " + all);
                segmentFiles = all.stream()
                        .filter(f -> SegmentHeaderFormat.parseFileName(f.getFileName().toString()) >= 0)
                        .collect(Collectors.toList());
            }
            assertEquals(report.segments(), segmentFiles.size(), ctx + "segments: " + report);
            Path lastSegment = segmentFiles.get(segmentFiles.size() - 1);
            Optional<RecoveryReport.TornTail> torn = report.tornTail();
            if (torn.isPresent()) {
                RecoveryReport.TornTail t = torn.get();
                assertTrue(t.bytesDropped() > 0, ctx + "torn tail without dropped bytes: " + t);
                assertEquals(last, t.lastValidSequence(), ctx + "torn tail's last valid sequence: " + t);
                assertEquals(lastSegment.getFileName(), t.file().getFileName(),
                        ctx + "torn tail outside the last segment: " + t);
                assertEquals(t.offset(), Files.size(t.file()), ctx + "torn tail not truncated at its offset: "
                        + t);
                assertTrue(t.offset() >= SegmentHeaderFormat.LENGTH, ctx + "torn tail inside the header: " + t);
                stats.tornTails++;
                stats.tornBytes += t.bytesDropped();
            }
            stats.tempFilesRemoved += report.removedTemporaryFiles().size();
            if (Files.size(lastSegment) == SegmentHeaderFormat.LENGTH && segmentFiles.size() > 1) {
                stats.emptyLastSegments++;
            }
            stats.checks++;
            if (report.created()) {
                stats.createdByCheck++;
            }

            long term = 0;
            long cycleTerm = plan.term();
            ensureCapacity(last);
            try (OplogReader r = log.reader(1)) {
                for (long seq = 1; seq <= last; seq++) {
                    LogRecord rec = r.next();
                    String at = ctx + "sequence " + seq + ": ";
                    assertNotNull(rec, at + "missing, though the log ends at " + last);
                    assertEquals(seq, rec.sequence(), at + "wrong sequence");
                    assertTrue(rec.term() >= term, at + "term went back from " + term + " to " + rec.term());
                    term = rec.term();
                    int i = (int) seq;
                    long writer = ackWriter[i];
                    if (writer != 0) {
                        long counter = ackCounter[i];
                        assertEquals(cycleTerms.get(CrashAppender.cycleOf(writer)).longValue(), rec.term(),
                                at + "term");
                        assertEquals(CrashAppender.typeOf(writer, counter), rec.type(), at + "type");
                        assertArrayEquals(CrashAppender.payload(writer, counter), rec.payload(),
                                at + "acknowledged payload of writer " + writer + " counter " + counter
                                        + " differs; the record holds " + describe(rec));
                    } else if (seq <= checkedLast) {
                        assertEquals(fingerprint[i], fingerprint(rec), at + "an unacknowledged record that "
                                + "an earlier check saw has changed; it now holds " + describe(rec));
                    } else {
                        assertEquals(cycleTerm, rec.term(),
                                at + "term of a record the child did not acknowledge");
                        int match = -1;
                        for (int t = 0; t < plan.threads() && match < 0; t++) {
                            long w = CrashAppender.writerId(plan.cycle(), t, plan.large());
                            long counter = inFlightCounter[t];
                            if (!inFlightSeen[t] && rec.type() == CrashAppender.typeOf(w, counter)
                                    && Arrays.equals(rec.payload(), CrashAppender.payload(w, counter))) {
                                match = t;
                            }
                        }
                        assertTrue(match >= 0, at + "a record the child did not acknowledge is none of its "
                                + "threads' in-flight appends (counters " + Arrays.toString(inFlightCounter)
                                + "); it holds " + describe(rec));
                        inFlightSeen[match] = true;
                    }
                    fingerprint[i] = fingerprint(rec);
                }
                assertNull(r.next(), ctx + "a record after the last sequence " + last);
            }
            assertTrue(log.currentTerm() >= term && log.currentTerm() <= cycleTerm,
                    ctx + "current term " + log.currentTerm() + " outside [" + term + ", " + cycleTerm + "]");
            if (termAdvanced) {
                assertEquals(cycleTerm, log.currentTerm(), ctx + "advanceTerm(" + cycleTerm + ") returned but "
                        + "the term was lost");
            }
            checkedLast = last;
            return new Checked(last, log.currentTerm(), torn.map(RecoveryReport.TornTail::offset).orElse(-1L),
                    torn.map(RecoveryReport.TornTail::bytesDropped).orElse(0L),
                    torn.map(t -> t.file().getFileName().toString()).orElse(null),
                    report.removedTemporaryFiles().size(), report.created(), report.logId().toString());
        }

        private void ensureCapacity(long seq) {
            if (seq >= Integer.MAX_VALUE - 8) {
                throw new AssertionError(ctx + "sequence out of range " + seq);
            }
            if (seq >= ackWriter.length) {
                int n = Math.max((int) seq + 1, ackWriter.length * 2);
                ackWriter = Arrays.copyOf(ackWriter, n);
                ackCounter = Arrays.copyOf(ackCounter, n);
                fingerprint = Arrays.copyOf(fingerprint, n);
            }
        }
    }

    /** What the cycles of one test exercised, printed at the end as evidence of coverage. */
    private static final class Stats {
        long acks;
        int checks;
        int tornTails;
        long tornBytes;
        int tempFilesRemoved;
        int emptyLastSegments;
        int killedBeforeStart;
        int createdByCheck;
        int childRecoveries;

        @Override
        public String toString() {
            return String.format("%d acknowledged appends, %d checks; %d torn tails truncated (%d bytes), %d "
                            + "temporary files removed, %d checks found an empty last segment, %d kills before open "
                            + "returned, %d checks found no log and created one, %d children themselves recovered a "
                            + "torn tail or temporary files", acks, checks, tornTails, tornBytes, tempFilesRemoved,
                    emptyLastSegments, killedBeforeStart, createdByCheck, childRecoveries);
        }
    }

    /**
     * What a check found, which is what the next child's open must report.
     *
     * @param logId null when unknown (the next child creates the log)
     * @param tornFile file name of the torn tail's segment, null if there was none
     */
    record Checked(long last, long term, long tornOffset, long tornBytes, String tornFile, int tempFiles,
                   boolean created, String logId) {
    }

    /** Reads the child's stdout on its own thread and parses the protocol of {@link CrashAppender}. */
    private static final class ChildOutput implements Runnable {
        private final InputStream in;
        final List<long[]> acks = new ArrayList<>();
        volatile boolean opening;
        volatile boolean started;
        volatile boolean termAdvanced;
        volatile boolean done;
        volatile String[] start;
        volatile Throwable failure;
        private boolean eof;
        private final List<String> other = new ArrayList<>();

        ChildOutput(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) {
                    accept(line);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                synchronized (this) {
                    eof = true;
                    notifyAll();
                }
            }
        }

        private synchronized void accept(String line) {
            String[] f = line.split(" ");
            if (f.length < 2 || !f[f.length - 1].equals(".")) {
                other.add(line); // a thread dump, or a line cut short
            } else if (f[0].equals("A") && f.length == 5) {
                acks.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
            } else if (f[0].equals("OPENING")) {
                opening = true;
            } else if (f[0].equals("START") && f.length == 10) {
                start = f;
                started = true;
            } else if (f[0].equals("TERM")) {
                termAdvanced = true;
            } else if (f[0].equals("DONE")) {
                done = true;
            } else {
                other.add(line);
            }
            notifyAll();
        }

        /**
         * Waits until {@code condition} holds or the child's output ends.
         *
         * @return false if nothing at all arrived for {@value #STALL_SECONDS} s while waiting
         */
        synchronized boolean await(Predicate<ChildOutput> condition) throws InterruptedException {
            int seen = -1;
            long lastProgress = System.nanoTime();
            while (!condition.test(this) && !eof) {
                int now = acks.size() + other.size() + (opening ? 1 : 0) + (started ? 1 : 0);
                if (now != seen) {
                    seen = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                    return false;
                }
                wait(1000);
            }
            return true;
        }

        synchronized String diagnostics() {
            return "acks=" + acks.size() + " opening=" + opening + " started=" + started + " done=" + done
                    + (other.isEmpty() ? "" : "\n" + String.join("\n", other));
        }
    }

    private static long fingerprint(LogRecord r) {
        CRC32C crc = new CRC32C();
        crc.update(r.payload());
        return ((long) r.payload().length << 32) ^ crc.getValue() ^ (r.term() * 0x9E3779B97F4A7C15L)
                ^ ((long) r.type() << 56);
    }

    /** Metadata of a record for messages: its tag if it has one, never its bytes. */
    private static String describe(LogRecord r) {
        String s = r.toString();
        if (r.payload().length >= CrashAppender.TAG_LENGTH) {
            ByteBuffer b = ByteBuffer.wrap(r.payload()).order(ByteOrder.LITTLE_ENDIAN);
            s += " tagged writer " + b.getLong(0) + " counter " + b.getLong(8);
        }
        return s;
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(none)";
            }
            String s = Files.readString(file, StandardCharsets.ISO_8859_1);
            return s.length() > 20_000 ? "..." + s.substring(s.length() - 20_000) : s;
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static void deleteDirectory(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }
}
