package io.kintsugi.engine;

import io.kintsugi.engine.StoreCrashWriter.Fingerprint;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.format.SegmentHeaderFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash test of the store: a child JVM ({@link StoreCrashWriter}) writes puts, deletes and multi-namespace write
 * batches with {@link io.kintsugi.oplog.Durability#SYNC} from several threads, with 64 KiB memtables and small
 * blocks so that background flushes and compactions run all the time, and explicit {@link Store#flush()} and
 * {@link Store#compact()} calls from another thread; it prints every acknowledged write. This test kills it with
 * SIGKILL at a random moment, reopens the store in this JVM and checks it against an oracle built from what the
 * child acknowledged:
 *
 * <ul>
 *   <li>open succeeds: a crash is never reported as corruption ({@link CorruptionException}), and no read, scan or
 *       background work finds any;</li>
 *   <li>{@link Store#lastSequence()} is at least every acknowledged sequence and never goes back, and the next
 *       child's open finds exactly the last sequence this check's open found;</li>
 *   <li>every key of every namespace (read with {@code get}) holds the value of the acknowledged write with the
 *       highest sequence to it in this cycle (or, if none, what the previous check found), unless a write that was
 *       in flight at the kill (started, not acknowledged: at most one per writer thread, with a sequence above its
 *       thread's previous acknowledged one) explains it. Whether each in-flight write is there is decided as a
 *       whole: the check searches for a set of in-flight writes and an order of their (unknown) sequences, between
 *       the acknowledged ones and at most {@code lastSequence}, under which every key shows exactly what the
 *       newest write to it left; so a write batch is either visible on all its keys (as of its sequence, later
 *       writes winning) or on none, and a partial batch, a lost acknowledged write or a resurrected old value
 *       fails;</li>
 *   <li>a full scan of every namespace returns keys in strictly ascending unsigned order, only keys the workload
 *       produces, exactly the keys {@code get} finds with the same values; a namespace never written is empty.</li>
 * </ul>
 *
 * <p>All cycles of {@link #acknowledgedWritesSurviveSigkill} run on the same directory, so the store grows across
 * crashes: every open replays the oplog after the last flush, and removes what interrupted flushes and compactions
 * left. Cycle plans, from a seeded {@link Random}:
 * <ul>
 *   <li>acks: killed a random 0..4 ms after a log-uniform number (3..8000) of acknowledgements;</li>
 *   <li>oplog write: killed as soon as the oplog's newest segment grows, that is inside or just after the write
 *       of a group commit, to tear it;</li>
 *   <li>new file: killed 0..2 ms after a new segment file appears in the store directory (a flush or compaction
 *       is writing it), so that the manifest often does not list it yet;</li>
 *   <li>maintenance: explicit flushes and compactions every few milliseconds, killed 0..15 ms after one starts;</li>
 *   <li>early: killed a random delay (up to 300 ms) after the child starts opening the store, so during recovery:
 *       orphan removal, oplog recovery, replay (which itself seals memtables and runs flushes and compactions);</li>
 *   <li>big memtable (1 in 6, always checked on a copy): a 2 MiB memtable budget, so that the next child's open
 *       replays megabytes with a 64 KiB budget;</li>
 *   <li>check on a copy (1 in 3): the check recovers a copy of the directory, leaving the crash for the next child's
 *       own recovery;</li>
 *   <li>large batches (3 in 4 oplog-write cycles, 1 in 10 others): half of the writes are batches of 4..16 values
 *       of 16..128 KiB (to hot keys only), 6 writers, 16 MiB oplog segments and 1 MiB memtables, so that a group
 *       commit writes megabytes with one call and a kill can tear it.</li>
 * </ul>
 * Writer threads (4 or 6), block size, compression, compaction trigger and oplog segment size (64 KiB or 1 MiB)
 * also vary per cycle. {@link #killDuringCreation} kills children early on fresh directories, to cover a crash
 * while a store is created.
 *
 * <p>Reproducible: the seed is printed and is in every assertion message; rerun with
 * {@code -Dkintsugi.crash.seed=<seed>}. The seed fixes every cycle's plan and every key and value; only the exact
 * instant of each kill depends on the machine. Cycles: {@code -Dkintsugi.crash.cycles} (20 by default, 200 with
 * {@code -Pstress}). There are no timing assertions; only a child whose awaited progress (output while it
 * opens, acknowledgements, explicit flushes and compactions) stops for {@value #STALL_SECONDS} s is reported, as a
 * hang, with its thread dump, and a check whose open and reads take more than {@value #CHECK_SECONDS} s is
 * reported with this JVM's thread dump. Messages name namespaces, key indexes,
 * lengths and writer/counter tags, never key or value bytes.
 */
class StoreCrashTest {

    private static final int STALL_SECONDS = 60;
    private static final int CHECK_SECONDS = 120;
    private static final long CHILD_MAX_SECONDS = 180;
    private static final long CHILD_MAX_WRITES = 5_000_000;
    private static final int EXIT_SIGKILL = 128 + 9;
    private static final long SMALL_MEMTABLE = 64 << 10;
    private static final long BIG_MEMTABLE = 2 << 20;
    private static final long LARGE_MEMTABLE = 1 << 20;
    private static final long LARGE_OPLOG_SEGMENT = 16 << 20;
    /** A namespace no write ever uses: its scan must be empty. */
    private static final String NEVER_WRITTEN = "never-written";

    @TempDir
    Path tmp;

    /** Records of the store's loggers (recovery reports), captured to count what recovery did. */
    private final List<String> logLines = new ArrayList<>();
    private final Logger kintsugiLogger = Logger.getLogger("io.kintsugi");
    private Handler logHandler;
    private boolean useParentHandlers;

    enum Kill { ACKS, NEW_FILE, OPLOG_WRITE, MAINTENANCE, EARLY }

    /** One cycle's plan; everything in it comes from the seeded random. */
    record Plan(int cycle, int threads, Kill kill, int killAfter, long killDelayNanos, boolean checkCopy,
                long memtableBudget, int blockSize, int compactionTrigger, boolean compression,
                long oplogSegmentSize, long maintenanceMillis, long timingSeed, boolean large) {

        @Override
        public String toString() {
            String when = switch (kill) {
                case ACKS -> "kill " + killDelayNanos / 1000 + " us after " + killAfter + " acks";
                case NEW_FILE -> "kill " + killDelayNanos / 1000 + " us after a new segment file appears, once "
                        + killAfter + " acks arrived";
                case OPLOG_WRITE -> "kill as soon as the oplog grows after " + killAfter + " acks";
                case MAINTENANCE -> "kill " + killDelayNanos / 1000 + " us after explicit flush/compact #"
                        + killAfter + " starts";
                case EARLY -> "kill " + killDelayNanos / 1000 + " us after OPENING";
            };
            return "cycle " + cycle + " [" + threads + " writers, " + when + ", memtable " + memtableBudget
                    + " B, blocks " + blockSize + " B, compaction trigger " + compactionTrigger
                    + (compression ? ", zstd" : ", no compression") + ", oplog segments " + oplogSegmentSize + " B"
                    + (maintenanceMillis > 0 ? ", explicit flush/compact every ~" + maintenanceMillis / 2 + " ms"
                    : "") + (large ? ", large batches" : "") + (checkCopy ? ", check on a copy" : "") + "]";
        }
    }

    @BeforeEach
    void captureLogs() {
        logHandler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                if (m != null) {
                    synchronized (logLines) {
                        logLines.add(r.getLevel() + ": " + m);
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logHandler.setLevel(Level.ALL);
        kintsugiLogger.addHandler(logHandler);
        // Hundreds of opens would flood the test output with INFO lines; the counts go into the summary instead.
        useParentHandlers = kintsugiLogger.getUseParentHandlers();
        kintsugiLogger.setUseParentHandlers(false);
    }

    @AfterEach
    void restoreLogs() {
        kintsugiLogger.removeHandler(logHandler);
        kintsugiLogger.setUseParentHandlers(useParentHandlers);
    }

    @Test
    void acknowledgedWritesSurviveSigkill() throws Exception {
        long seed = seed();
        int cycles = Integer.getInteger("kintsugi.crash.cycles", 20);
        Random rnd = new Random(seed);
        Stats stats = new Stats();
        CrashedStore store = new CrashedStore(seed, tmp.resolve("store"), stats);
        long started = System.nanoTime();
        boolean previousBig = false;
        for (int c = 0; c < cycles; c++) {
            // The first cycles cover every plan whatever the seed; later ones are drawn at random.
            Kill kill;
            boolean big;
            boolean large;
            if (c < 8) {
                kill = new Kill[] {Kill.ACKS, Kill.NEW_FILE, Kill.MAINTENANCE, Kill.ACKS, Kill.EARLY, Kill.OPLOG_WRITE,
                        Kill.EARLY, Kill.OPLOG_WRITE}[c];
                big = c == 3;
                large = c == 5 || c == 7;
            } else {
                int k = rnd.nextInt(20);
                kill = previousBig && rnd.nextBoolean() ? Kill.EARLY
                        : k < 6 ? Kill.ACKS : k < 9 ? Kill.NEW_FILE : k < 13 ? Kill.OPLOG_WRITE
                        : k < 17 ? Kill.MAINTENANCE : Kill.EARLY;
                big = kill != Kill.EARLY && rnd.nextInt(6) == 0;
                large = kill == Kill.OPLOG_WRITE ? rnd.nextInt(4) != 0 : rnd.nextInt(10) == 0;
            }
            boolean copy = big || c == 5 || c == 6 || (c >= 8 && rnd.nextInt(3) == 0);
            int threads = large || rnd.nextInt(4) == 0 ? 6 : 4;
            int blockSize = new int[] {1024, 1024, 2048, 4096, 16384}[rnd.nextInt(5)];
            int trigger = 2 + rnd.nextInt(3);
            boolean compression = rnd.nextInt(4) != 0;
            // Large batches go to 16 MiB segments, so that a group commit of megabytes is one write to tear.
            long oplogSegment = large ? LARGE_OPLOG_SEGMENT : rnd.nextInt(5) < 3 ? 64 << 10 : 1 << 20;
            int killAfter;
            long delay;
            long maintenance = rnd.nextInt(5) < 3 ? 200 : 0;
            switch (kill) {
                case ACKS -> {
                    killAfter = logUniform(rnd, 3, large ? 300 : 8000);
                    delay = (long) (rnd.nextDouble() * 4_000_000);
                }
                case NEW_FILE -> {
                    killAfter = logUniform(rnd, 3, large ? 300 : 1500);
                    delay = (long) (rnd.nextDouble() * 2_000_000);
                }
                case OPLOG_WRITE -> {
                    killAfter = logUniform(rnd, 3, large ? 300 : 3000);
                    delay = 0;
                }
                case MAINTENANCE -> {
                    killAfter = 1 + rnd.nextInt(4);
                    delay = (long) (rnd.nextDouble() * 15_000_000);
                    maintenance = 30;
                }
                default -> {
                    killAfter = 0;
                    delay = (long) (logUniform(rnd, 100, 300_000) * 1000L);
                }
            }
            // Large batches get a 1 MiB memtable, so that a memtable holds a few of them rather than one each.
            long memtable = big ? BIG_MEMTABLE : large ? LARGE_MEMTABLE : SMALL_MEMTABLE;
            store.runCycle(new Plan(c, threads, kill, killAfter, delay, copy, memtable, blockSize, trigger,
                    compression, oplogSegment, maintenance, rnd.nextLong(), large));
            previousBig = big;
        }
        System.out.printf("StoreCrashTest: seed=%d, %d cycles on one store (last sequence %d, %d keys live) in "
                        + "%.1f s: %s%n", seed, cycles, store.checkedLast, store.state.size(),
                (System.nanoTime() - started) / 1e9, stats);
    }

    @Test
    void killDuringCreation() throws Exception {
        long seed = seed();
        int dirs = Math.max(3, Integer.getInteger("kintsugi.crash.cycles", 20) / 6);
        Random rnd = new Random(seed ^ 0x5DEECE66DL);
        Stats stats = new Stats();
        long started = System.nanoTime();
        for (int d = 0; d < dirs; d++) {
            CrashedStore store = new CrashedStore(seed, tmp.resolve("fresh-" + d), stats);
            // Kill within the first milliseconds of opening a directory that holds no store yet, then let a second
            // child recover whatever that left and crash too, early or after some writes.
            store.runCycle(new Plan(0, 4, Kill.EARLY, 0, (long) (rnd.nextDouble() * 25_000_000L), rnd.nextBoolean(),
                    SMALL_MEMTABLE, 1024, 3, true, 64 << 10, 0, rnd.nextLong(), false));
            boolean early = rnd.nextBoolean();
            store.runCycle(new Plan(1, 4, early ? Kill.EARLY : Kill.ACKS, early ? 0 : logUniform(rnd, 3, 300),
                    (long) (rnd.nextDouble() * (early ? 60_000_000L : 2_000_000L)), false, SMALL_MEMTABLE, 1024,
                    3, true, 64 << 10, 0, rnd.nextLong(), false));
        }
        System.out.printf("StoreCrashTest: seed=%d, %d fresh stores killed while created in %.1f s: %s%n", seed,
                dirs, (System.nanoTime() - started) / 1e9, stats);
    }

    private static long seed() {
        Long s = Long.getLong("kintsugi.crash.seed");
        long seed = s != null ? s : new SecureRandom().nextLong();
        System.out.println("StoreCrashTest: seed=" + seed + " (rerun with -Dkintsugi.crash.seed=" + seed + ")");
        return seed;
    }

    private static int logUniform(Random rnd, int min, int max) {
        return (int) Math.round(Math.exp(Math.log(min) + rnd.nextDouble() * Math.log((double) max / min)));
    }

    /** A write of the current cycle: acknowledged (sequence known) or in flight (sequence unknown, above lb). */
    record Write(long writer, long counter, long sequence, Map<Long, Fingerprint> effects) {
        String describe() {
            return "write (writer " + writer + ", counter " + counter + ")"
                    + (sequence > 0 ? " at sequence " + sequence : "");
        }
    }

    /**
     * One store directory that children crash into, and the oracle of what it must hold: the state every key was
     * found in by the last check, which is the base the next cycle's writes apply to.
     */
    private final class CrashedStore {
        private final long seed;
        private final Path dir;
        private final Stats stats;

        /** Per key id ({@link StoreCrashWriter#keyId}): the value the last check found; absent keys are missing. */
        final Map<Long, Fingerprint> state = new HashMap<>();
        /** The last sequence the last check found (0 before any). */
        long checkedLast;
        /** Namespaces the workload has used so far (the fixed ones and one per cycle run). */
        private int namespaces = StoreCrashWriter.FIXED.length;
        private String ctx;

        CrashedStore(long seed, Path dir, Stats stats) {
            this.seed = seed;
            this.dir = dir;
            this.stats = stats;
        }

        void runCycle(Plan plan) throws Exception {
            ctx = "seed=" + seed + " (rerun with -Dkintsugi.crash.seed=" + seed + "), " + plan + ": ";
            namespaces = Math.max(namespaces, StoreCrashWriter.FIXED.length + plan.cycle() + 1);
            Path err = tmp.resolve("child-" + dir.getFileName() + "-" + plan.cycle() + ".err");
            Process p = startChild(plan, err);
            ChildOutput out = new ChildOutput(p.getInputStream());
            Thread reader = new Thread(out, "crash-child-reader-" + plan.cycle());
            reader.setDaemon(true);
            reader.start();

            // Each wait fails as a hang when what it waits for makes no progress for STALL_SECONDS: any output
            // before open returns, acknowledgements after, and explicit flushes and compactions (which must return
            // while writers keep writing).
            boolean progressed = switch (plan.kill()) {
                case EARLY -> out.await(o -> o.opening, o -> o.lines);
                case MAINTENANCE -> out.await(o -> o.explicitStarts >= plan.killAfter(),
                        o -> o.started ? o.explicitStarts + o.explicitEnds : o.lines);
                default -> out.await(o -> o.acks.size() >= plan.killAfter(), o -> o.started ? o.acks.size() : o.lines);
            };
            if (progressed && plan.kill() == Kill.NEW_FILE) {
                awaitNewSegmentFile();
            } else if (progressed && plan.kill() == Kill.OPLOG_WRITE) {
                awaitOplogWrite();
            }
            if (progressed) {
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
                fail(ctx + "the child made no progress for " + STALL_SECONDS + " s (a hang? with writes going on, an "
                        + "explicit flush or compaction that does not return); its output:\n"
                        + out.diagnostics() + "\nstderr:\n" + tail(err));
            }
            if (!aliveAtKill || exit != EXIT_SIGKILL) {
                assertTrue(exit == 0 && out.done, ctx + "the child ended by itself with status " + exit
                        + (out.done ? "" : " without finishing") + "; its output:\n" + out.diagnostics()
                        + "\nstderr:\n" + tail(err));
            }
            stats.cycles++;
            if (!out.started) {
                stats.killedBeforeStart++;
            } else {
                assertEquals(checkedLast, out.startLast, ctx + "the child's open found last sequence "
                        + out.startLast + ", the last check found " + checkedLast);
            }
            if (out.explicitStarts > out.explicitEnds) {
                stats.killedInExplicitMaintenance++;
            }
            stats.flushes += out.flushes;
            stats.compactions += out.compactions;
            stats.explicitDone += out.explicitEnds;
            countRecovery(readLines(err), true);

            if (plan.checkCopy()) {
                Path copy = tmp.resolve("copy-" + dir.getFileName() + "-" + plan.cycle());
                copyDirectory(dir, copy);
                check(copy, plan, out);
                deleteDirectory(copy);
                stats.checksOnCopy++;
            } else {
                check(dir, plan, out);
            }
            Files.deleteIfExists(err);
        }

        /**
         * Waits until a segment file with a number above every present one appears, that is until a flush or
         * compaction is writing it, so that the kill that follows is likely to come before the manifest lists it.
         * Gives up after three seconds: the kill then lands wherever the child is.
         */
        private void awaitNewSegmentFile() throws IOException {
            long highest = highestSegmentFile();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (highestSegmentFile() <= highest && System.nanoTime() - giveUp < 0) {
                LockSupport.parkNanos(20_000);
            }
        }

        /**
         * Spins until the oplog's newest segment grows (or a new one appears), that is until the child's writer is
         * inside (or just past) the write of its next group commit, so that the kill that follows may tear it. Gives
         * up after a second: the kill then lands wherever the child is.
         */
        private void awaitOplogWrite() throws IOException {
            Path oplog = dir.resolve(StoreFiles.OPLOG_DIR);
            Path newest = newestOplogSegment(oplog);
            if (newest == null) {
                return;
            }
            long size = Files.size(newest);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() - giveUp < 0) {
                Path now = newestOplogSegment(oplog);
                try {
                    if (now == null || !now.equals(newest) || Files.size(now) != size) {
                        return;
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    return;
                }
                Thread.onSpinWait();
            }
        }

        private Path newestOplogSegment(Path oplog) throws IOException {
            try (Stream<Path> s = Files.list(oplog)) {
                return s.filter(f -> SegmentHeaderFormat.parseFileName(f.getFileName().toString()) >= 0)
                        .max(Comparator.naturalOrder()).orElse(null);
            } catch (java.nio.file.NoSuchFileException e) {
                return null;
            }
        }

        private long highestSegmentFile() throws IOException {
            long max = -1;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    max = Math.max(max, StoreFiles.parseSegmentFileName(f.getFileName().toString()));
                }
            } catch (java.nio.file.NoSuchFileException e) {
                return -1;
            }
            return max;
        }

        private Process startChild(Plan plan, Path err) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String flag : System.getProperty("kintsugi.jvm.flags", "").trim().split("\\s+")) {
                if (!flag.isEmpty()) {
                    cmd.add(flag);
                }
            }
            cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), StoreCrashWriter.class.getName(),
                    dir.toString(), Integer.toString(plan.cycle()), Integer.toString(plan.threads()),
                    Long.toString(plan.memtableBudget()), Integer.toString(plan.blockSize()),
                    Integer.toString(plan.compactionTrigger()), Boolean.toString(plan.compression()),
                    Long.toString(plan.oplogSegmentSize()), Long.toString(plan.maintenanceMillis()),
                    Long.toString(CHILD_MAX_SECONDS), Long.toString(CHILD_MAX_WRITES),
                    Boolean.toString(plan.kill() == Kill.EARLY), Long.toString(plan.timingSeed()),
                    Boolean.toString(plan.large())));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectError(err.toFile());
            // stdin stays a pipe held by this JVM: if this JVM dies, the child sees EOF and halts.
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            return pb.start();
        }

        /** Opens the store in {@code where} and checks it, with a guard against a hang of this JVM. */
        private void check(Path where, Plan plan, ChildOutput out) throws Exception {
            synchronized (logLines) {
                logLines.clear();
            }
            ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "crash-check-" + plan.cycle());
                t.setDaemon(true);
                return t;
            });
            try {
                Future<?> f = ex.submit(() -> {
                    checkIn(where, plan, out);
                    return null;
                });
                try {
                    f.get(CHECK_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    fail(ctx + "opening and checking the store took more than " + CHECK_SECONDS + " s (a hang?); "
                            + "threads of this JVM:\n" + threadDump());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw (Exception) e.getCause();
                }
            } finally {
                ex.shutdownNow();
            }
            List<String> lines;
            synchronized (logLines) {
                lines = new ArrayList<>(logLines);
            }
            countRecovery(lines, false);
        }

        private void checkIn(Path where, Plan plan, ChildOutput out) throws IOException {
            // The acknowledged writes of this cycle, and each writer thread's in-flight write.
            List<Write> acked = new ArrayList<>();
            long[] lastCounter = new long[plan.threads()];
            long[] lastSeq = new long[plan.threads()];
            Set<Long> ackedSequences = new HashSet<>();
            long highestAcked = 0;
            if (!out.acks.isEmpty()) {
                assertTrue(out.started, ctx + "acknowledgements without a START line");
            }
            for (long[] a : out.acks) {
                long seq = a[0];
                long writer = a[1];
                long counter = a[2];
                int thread = StoreCrashWriter.threadOf(writer);
                assertEquals(plan.cycle(), StoreCrashWriter.cycleOf(writer), ctx + "ack of a foreign writer "
                        + writer);
                assertTrue(thread < plan.threads(), ctx + "ack of writer " + writer + " of an unknown thread");
                assertEquals(lastCounter[thread] + 1, counter, ctx + "writer " + writer + " acknowledged counters "
                        + "out of order");
                assertTrue(seq > out.startLast && seq > lastSeq[thread], ctx + "writer " + writer + " counter "
                        + counter + " got sequence " + seq + ", not above the store's last sequence at open ("
                        + out.startLast + ") and its previous write's (" + lastSeq[thread] + ")");
                assertTrue(ackedSequences.add(seq), ctx + "sequence " + seq + " acknowledged twice");
                lastCounter[thread] = counter;
                lastSeq[thread] = seq;
                highestAcked = Math.max(highestAcked, seq);
                acked.add(new Write(writer, counter, seq, StoreCrashWriter.effects(writer, counter)));
            }
            stats.acks += acked.size();
            List<Write> inFlight = new ArrayList<>();
            long[] inFlightLowerBound = new long[plan.threads()];
            if (out.started && !out.done) {
                for (int t = 0; t < plan.threads(); t++) {
                    long writer = StoreCrashWriter.writerId(plan.cycle(), t, plan.large());
                    long counter = lastCounter[t] + 1;
                    inFlightLowerBound[inFlight.size()] = Math.max(out.startLast, lastSeq[t]);
                    inFlight.add(new Write(writer, counter, -1, StoreCrashWriter.effects(writer, counter)));
                }
            }

            // The newest acknowledged write of each key in this cycle.
            Map<Long, Write> newestAcked = new HashMap<>();
            for (Write w : acked) {
                for (Long k : w.effects().keySet()) {
                    Write cur = newestAcked.get(k);
                    if (cur == null || cur.sequence() < w.sequence()) {
                        newestAcked.put(k, w);
                    }
                }
            }

            Store store;
            try {
                store = Store.open(where, StoreCrashWriter.options(SMALL_MEMTABLE, plan.blockSize(),
                        plan.compactionTrigger(), plan.compression(), plan.oplogSegmentSize(), new StoreListener() {
                            @Override
                            public void onFlush(long fileNumber, long flushedSequence) {
                                stats.checkFlushes++;
                            }
                        }));
            } catch (CorruptionException e) {
                throw new AssertionError(ctx + "a crash was reported as corruption: " + e.report().describe()
                        + "\nrecovery logged:\n" + recentLogs(), e);
            } catch (RuntimeException e) {
                throw new AssertionError(ctx + "the store does not open after a crash: " + e
                        + "\nrecovery logged:\n" + recentLogs(), e);
            }
            Map<Long, Fingerprint> found;
            long last;
            try (store) {
                last = store.lastSequence();
                assertTrue(last >= highestAcked, ctx + "acknowledged sequence " + highestAcked + " is lost: the "
                        + "store's last sequence is " + last);
                assertTrue(last >= checkedLast, ctx + "the store's last sequence went back from " + checkedLast
                        + " to " + last);
                found = readAll(store);
                assertTrue(store.damage().isEmpty(), ctx + "reads found damage: " + store.damage());
                assertEquals(0, store.stats().corruptionCount(), ctx + "corruption events after a crash");
                stats.checkedFiles = store.stats().segmentFiles();
            } catch (CorruptionException e) {
                throw new AssertionError(ctx + "reading the store after a crash found corruption: "
                        + e.report().describe(), e);
            }
            stats.checkedBytes = directorySize(where); // closed: background work no longer deletes files

            // Keys no in-flight write touches: exactly what the newest acknowledged write (or the last check) left.
            Map<Long, List<Integer>> inFlightByKey = new HashMap<>();
            for (int i = 0; i < inFlight.size(); i++) {
                for (Long k : inFlight.get(i).effects().keySet()) {
                    inFlightByKey.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
                }
            }
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<Long, Fingerprint> e : found.entrySet()) {
                long k = e.getKey();
                if (!inFlightByKey.containsKey(k) && !Objects.equals(e.getValue(), expected(k, newestAcked))) {
                    wrong.add(describeKey(k) + " holds " + StoreCrashWriter.describe(e.getValue()) + ", expected "
                            + describeExpected(k, newestAcked));
                }
            }
            if (!wrong.isEmpty()) {
                fail(ctx + wrong.size() + " keys that no in-flight write touches hold the wrong value (a lost "
                        + "acknowledged write, a resurrected old value, or a value from nowhere); last sequence "
                        + last + "; first ones:\n  " + String.join("\n  ", wrong.subList(0, Math.min(20,
                        wrong.size()))) + "\nrecovery logged:\n" + recentLogs());
            }

            // Keys in-flight writes touch: some set of them, in some order of sequences, must explain every key.
            int[] solution = explain(inFlight, inFlightLowerBound, inFlightByKey, newestAcked, ackedSequences,
                    found, last);
            if (solution == null) {
                fail(ctx + "no set of the in-flight writes, in any order of sequences, explains what the store "
                        + "holds (a partial batch, or a lost acknowledged write); last sequence " + last + ":\n"
                        + describeInFlight(inFlight, inFlightLowerBound, newestAcked, found)
                        + "recovery logged:\n" + recentLogs());
            }
            stats.inFlight += inFlight.size();
            stats.inFlightVisible += solution.length;
            if (last > highestAcked) {
                stats.unacknowledgedTails++;
            }

            state.clear();
            found.forEach((k, v) -> {
                if (v != null) {
                    state.put(k, v);
                }
            });
            checkedLast = last;
        }

        /** Every key of every namespace so far, read with get, checked against full scans. */
        private Map<Long, Fingerprint> readAll(Store store) {
            Map<Long, Fingerprint> found = new HashMap<>();
            for (int n = 0; n < namespaces; n++) {
                Namespace ns = store.namespace(StoreCrashWriter.name(n));
                int present = 0;
                for (int i = 0; i < StoreCrashWriter.keysIn(n); i++) {
                    Fingerprint v = Fingerprint.of(ns.get(StoreCrashWriter.key(n, i)));
                    found.put(StoreCrashWriter.keyId(n, i), v);
                    if (v != null) {
                        present++;
                    }
                }
                int scanned = 0;
                byte[] previous = null;
                try (Cursor c = ns.scan(null, null)) {
                    while (c.next()) {
                        byte[] key = c.key();
                        if (previous != null) {
                            assertTrue(Arrays.compareUnsigned(previous, key) < 0, ctx + "scan of namespace "
                                    + ns.name() + " returned a " + key.length + "-byte key after a "
                                    + previous.length + "-byte key, out of unsigned order");
                        }
                        previous = key;
                        int index = StoreCrashWriter.indexOf(n, key);
                        assertTrue(index >= 0, ctx + "scan of namespace " + ns.name() + " returned a "
                                + key.length + "-byte key that no write ever produced");
                        Fingerprint v = found.get(StoreCrashWriter.keyId(n, index));
                        Fingerprint scannedValue = Fingerprint.of(c.value());
                        assertEquals(v, scannedValue, ctx + "scan of namespace " + ns.name()
                                + " returned key #" + index + " with " + StoreCrashWriter.describe(scannedValue)
                                + ", get returns " + StoreCrashWriter.describe(v));
                        scanned++;
                    }
                }
                assertEquals(present, scanned, ctx + "scan of namespace " + ns.name() + " returned " + scanned
                        + " keys, get finds " + present);
            }
            try (Cursor c = store.namespace(NEVER_WRITTEN).scan(null, null)) {
                assertFalse(c.next(), ctx + "a namespace never written holds a key");
            }
            return found;
        }

        private Fingerprint expected(long k, Map<Long, Write> newestAcked) {
            Write w = newestAcked.get(k);
            return w != null ? w.effects().get(k) : state.get(k);
        }

        private String describeExpected(long k, Map<Long, Write> newestAcked) {
            Write w = newestAcked.get(k);
            return StoreCrashWriter.describe(expected(k, newestAcked)) + (w != null ? " from acknowledged "
                    + w.describe() : " from before this cycle (no acknowledged write to it)");
        }

        private String describeKey(long k) {
            int n = (int) (k >>> 32);
            return "namespace " + StoreCrashWriter.name(n) + " key #" + (int) k;
        }

        /**
         * Searches for a set of in-flight writes and an order of their sequences under which every key they touch
         * holds exactly what the newest write to it left. For a fixed set and order, the newest in-flight write to
         * a key is fixed; the key then says whether its sequence is above or below the key's newest acknowledged
         * one (or is free, when both leave the same, or impossible). That gives each write an interval; a greedy
         * assignment in order decides whether distinct sequences fit.
         *
         * @return the indexes of the in-flight writes found applied, or null if nothing explains the store
         */
        private int[] explain(List<Write> inFlight, long[] lowerBound, Map<Long, List<Integer>> byKey,
                              Map<Long, Write> newestAcked, Set<Long> ackedSequences,
                              Map<Long, Fingerprint> found, long last) {
            int n = inFlight.size();
            Integer[] masks = new Integer[1 << n];
            for (int m = 0; m < masks.length; m++) {
                masks[m] = m;
            }
            Arrays.sort(masks, Comparator.comparingInt(Integer::bitCount));
            for (int mask : masks) {
                int[] members = new int[Integer.bitCount(mask)];
                for (int i = 0, j = 0; i < n; i++) {
                    if ((mask & (1 << i)) != 0) {
                        members[j++] = i;
                    }
                }
                if (permutations(members, 0, order -> fits(order, inFlight, lowerBound, byKey, newestAcked,
                        ackedSequences, found, last))) {
                    return members;
                }
            }
            return null;
        }

        private boolean permutations(int[] a, int from, Predicate<int[]> test) {
            if (from >= a.length - 1) {
                return test.test(a);
            }
            for (int i = from; i < a.length; i++) {
                swap(a, from, i);
                boolean ok = permutations(a, from + 1, test);
                swap(a, from, i);
                if (ok) {
                    return true;
                }
            }
            return false;
        }

        private void swap(int[] a, int i, int j) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }

        private boolean fits(int[] order, List<Write> inFlight, long[] lowerBound, Map<Long, List<Integer>> byKey,
                             Map<Long, Write> newestAcked, Set<Long> ackedSequences,
                             Map<Long, Fingerprint> found, long last) {
            int n = inFlight.size();
            int[] position = new int[n];
            Arrays.fill(position, -1);
            for (int i = 0; i < order.length; i++) {
                position[order[i]] = i;
            }
            long[] lo = lowerBound.clone(); // exclusive
            long[] hi = new long[n]; // exclusive
            Arrays.fill(hi, last + 1);
            for (Map.Entry<Long, List<Integer>> e : byKey.entrySet()) {
                long k = e.getKey();
                int newest = -1;
                for (int w : e.getValue()) {
                    if (position[w] >= 0 && (newest < 0 || position[w] > position[newest])) {
                        newest = w;
                    }
                }
                Fingerprint f = found.get(k);
                boolean matchesAcked = Objects.equals(f, expected(k, newestAcked));
                if (newest < 0) {
                    if (!matchesAcked) {
                        return false;
                    }
                    continue;
                }
                boolean matchesInFlight = Objects.equals(f, inFlight.get(newest).effects().get(k));
                Write a = newestAcked.get(k);
                if (matchesInFlight && matchesAcked) {
                    continue;
                } else if (matchesInFlight) {
                    if (a != null) {
                        lo[newest] = Math.max(lo[newest], a.sequence());
                    }
                } else if (matchesAcked && a != null) {
                    hi[newest] = Math.min(hi[newest], a.sequence());
                } else {
                    return false;
                }
            }
            long previous = 0;
            for (int w : order) {
                long s = Math.max(lo[w], previous) + 1;
                while (ackedSequences.contains(s)) {
                    s++;
                }
                if (s >= hi[w]) {
                    return false;
                }
                previous = s;
            }
            return true;
        }

        private String describeInFlight(List<Write> inFlight, long[] lowerBound, Map<Long, Write> newestAcked,
                                        Map<Long, Fingerprint> found) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < inFlight.size(); i++) {
                Write w = inFlight.get(i);
                int shows = 0;
                int same = 0;
                for (Map.Entry<Long, Fingerprint> e : w.effects().entrySet()) {
                    boolean mine = Objects.equals(found.get(e.getKey()), e.getValue());
                    boolean acked = Objects.equals(found.get(e.getKey()), expected(e.getKey(), newestAcked));
                    shows += mine && !acked ? 1 : 0;
                    same += mine && acked ? 1 : 0;
                }
                sb.append("  in flight: ").append(w.describe()).append(", ").append(w.effects().size())
                        .append(" keys, sequence above ").append(lowerBound[i]).append(": ").append(shows)
                        .append(" keys show it, ").append(same).append(" are the same either way\n");
                for (Map.Entry<Long, Fingerprint> e : w.effects().entrySet()) {
                    long k = e.getKey();
                    sb.append("    ").append(describeKey(k)).append(" holds ")
                            .append(StoreCrashWriter.describe(found.get(k))).append("; this write leaves ")
                            .append(StoreCrashWriter.describe(e.getValue())).append("; acknowledged: ")
                            .append(describeExpected(k, newestAcked)).append('\n');
                }
            }
            return sb.toString();
        }

        /** Counts what recovery did, from log lines of a check's open (or a child's stderr). */
        private void countRecovery(List<String> lines, boolean child) {
            Pattern replayed = Pattern.compile("replayed (\\d+) oplog records");
            String manifestDir = File.separator + StoreFiles.MANIFEST_DIR + File.separator;
            for (String l : lines) {
                if (l.contains(".warmup-")) {
                    continue; // the child's scratch store
                }
                if (l.contains("truncated a torn write")) {
                    if (l.contains(manifestDir)) {
                        stats.manifestTornTails++;
                    } else {
                        stats.oplogTornTails++;
                    }
                } else if (l.contains("which no manifest record lists")) {
                    stats.unlistedRemoved++;
                } else if (l.contains("finished an interrupted retention")) {
                    stats.retentionsFinished++;
                } else if (l.contains("finishing a creation interrupted")) {
                    stats.creationsFinished++;
                } else if (!child && l.contains("opened store")) {
                    Matcher m = replayed.matcher(l);
                    if (m.find()) {
                        long r = Long.parseLong(m.group(1));
                        stats.replayed += r;
                        stats.maxReplayed = Math.max(stats.maxReplayed, r);
                    }
                } else if (l.contains("creating store")) {
                    stats.created++;
                }
            }
        }

        private String recentLogs() {
            synchronized (logLines) {
                List<String> l = logLines.subList(Math.max(0, logLines.size() - 40), logLines.size());
                return l.isEmpty() ? "(nothing)\n" : "  " + String.join("\n  ", l) + "\n";
            }
        }
    }

    /** What the cycles of one test exercised, printed at the end as evidence of coverage. */
    private static final class Stats {
        long acks;
        int cycles;
        int killedBeforeStart;
        int killedInExplicitMaintenance;
        int checksOnCopy;
        long inFlight;
        long inFlightVisible;
        int unacknowledgedTails;
        long flushes;
        long compactions;
        long explicitDone;
        long checkFlushes;
        int oplogTornTails;
        int manifestTornTails;
        int unlistedRemoved;
        int retentionsFinished;
        int creationsFinished;
        int created;
        long replayed;
        long maxReplayed;
        int checkedFiles;
        long checkedBytes;

        @Override
        public String toString() {
            return String.format("%d acknowledged writes in %d cycles (%d killed before open returned, %d during an "
                            + "explicit flush/compact, %d checked on a copy); in flight at the kill: %d writes, %d "
                            + "of them found applied, %d checks found sequences past the last acknowledged one; "
                            + "children ran %d flushes, %d compactions and %d explicit flush/compact calls; "
                            + "recoveries (checks and children): %d oplog torn tails and %d manifest torn tails "
                            + "truncated, %d unlisted segment files removed, %d interrupted oplog retentions "
                            + "finished, %d interrupted creations finished, %d stores created; checks replayed %d "
                            + "oplog records (at most %d in one open) and flushed %d memtables while opening; %d "
                            + "segment files and %.1f MiB in the store directory at the last check",
                    acks, cycles, killedBeforeStart, killedInExplicitMaintenance, checksOnCopy, inFlight,
                    inFlightVisible, unacknowledgedTails, flushes, compactions, explicitDone, oplogTornTails,
                    manifestTornTails, unlistedRemoved, retentionsFinished, creationsFinished, created, replayed,
                    maxReplayed, checkFlushes, checkedFiles, checkedBytes / 1048576.0);
        }
    }

    /** Reads the child's stdout on its own thread and parses the protocol of {@link StoreCrashWriter}. */
    private static final class ChildOutput implements Runnable {
        private final InputStream in;
        final List<long[]> acks = new ArrayList<>();
        volatile boolean opening;
        volatile boolean started;
        volatile long startLast;
        volatile boolean done;
        volatile int explicitStarts;
        volatile int explicitEnds;
        volatile int flushes;
        volatile int compactions;
        volatile Throwable failure;
        private boolean eof;
        int lines;
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
            lines++;
            String[] f = line.split(" ");
            if (f.length < 2 || !f[f.length - 1].equals(".")) {
                other.add(line); // a thread dump, or a line cut short
            } else if (f[0].equals("A") && f.length == 5) {
                acks.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
            } else if (f[0].equals("FL") && f.length == 4) {
                flushes++;
            } else if (f[0].equals("CO") && f.length == 4) {
                compactions++;
            } else if (f[0].equals("FLUSH") || f[0].equals("COMPACT")) {
                explicitStarts++;
            } else if (f[0].equals("FLUSHED") || f[0].equals("COMPACTED")) {
                explicitEnds++;
            } else if (f[0].equals("OPENING")) {
                opening = true;
            } else if (f[0].equals("START") && f.length == 5) {
                startLast = Long.parseLong(f[1]);
                started = true;
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
         * @param progress a measure of progress towards the condition
         * @return false if the measure did not change for {@value #STALL_SECONDS} s while waiting
         */
        synchronized boolean await(Predicate<ChildOutput> condition, ToIntFunction<ChildOutput> progress)
                throws InterruptedException {
            int seen = -1;
            long lastProgress = System.nanoTime();
            while (!condition.test(this) && !eof) {
                int now = progress.applyAsInt(this);
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
                    + " explicit=" + explicitStarts + "/" + explicitEnds
                    + (other.isEmpty() ? "" : "\n" + String.join("\n", other));
        }
    }

    private static String threadDump() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            sb.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
            for (StackTraceElement s : e.getValue()) {
                sb.append("    at ").append(s).append('\n');
            }
        }
        return sb.toString();
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            return List.of();
        }
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
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    private static long directorySize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path f : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(f)) {
                    total += Files.size(f);
                }
            }
            return total;
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
