package io.kintsugi.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kill -9 during range installs: a child JVM ({@link RangeInstallCrashChild}) installs two images into one range in
 * turn, as fast as it can; this test kills it with SIGKILL after a random number of installs and a random delay,
 * reopens the store and checks that the range holds exactly one of the two images (never a mix, never the base
 * data once an install returned) and that every other key of both namespaces is as created. All cycles run on one
 * directory, so each open also recovers what the previous kill left (unlisted files of an interrupted install).
 *
 * <p>Cycles: a tenth of {@code -Dkintsugi.crash.cycles} (2 by default, 20 with {@code -Pstress}). Seed:
 * {@code -Dkintsugi.install.crash.seed}. Only the instant of each kill depends on the machine; there are no timing
 * assertions: a child that makes no progress for {@value #STALL_SECONDS} s is reported as a hang.
 */
class RangeInstallCrashTest {

    private static final int STALL_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void aKilledInstallLeavesTheOldImageOrTheNewNeverAMix() throws Exception {
        long seed = Long.getLong("kintsugi.install.crash.seed", System.nanoTime());
        int cycles = Math.max(2, Integer.getInteger("kintsugi.crash.cycles", 20) / 10);
        Random rnd = new Random(seed);
        String ctx = "seed " + seed;
        RangeModel base = new RangeModel(RangeInstallCrashChild.NS, RangeInstallCrashChild.OTHER);
        try (Store store = Store.open(dir, RangeInstallCrashChild.options())) {
            for (String ns : new String[] {RangeInstallCrashChild.NS, RangeInstallCrashChild.OTHER}) {
                for (int i = 0; i < RangeInstallCrashChild.KEYS; i++) {
                    byte[] v = RangeInstallCrashChild.base(ns, i);
                    store.namespace(ns).put(RangeModel.key(i), v);
                    base.put(ns, RangeModel.key(i), v);
                }
            }
            store.compact();
        }
        List<RangeModel> expected = new ArrayList<>();
        for (int which = 0; which < 2; which++) {
            RangeModel m = base.copy();
            m.install(RangeInstallCrashChild.NS, RangeModel.key(RangeInstallCrashChild.FROM),
                    RangeModel.key(RangeInstallCrashChild.TO), RangeInstallCrashChild.image(which));
            expected.add(m);
        }
        for (int cycle = 0; cycle < cycles; cycle++) {
            int installs = 1 + rnd.nextInt(6);
            long delayNanos = TimeUnit.MICROSECONDS.toNanos(rnd.nextInt(30_000));
            String c = ctx + ", cycle " + cycle + " (killed " + delayNanos / 1000 + " us after install #" + installs
                    + ")";
            runAndKill(installs, delayNanos, c);
            try (Store store = Store.open(dir, RangeInstallCrashChild.options())) {
                checkOneOf(store, expected, c);
                assertEquals(List.of(), store.damage(), c);
            }
        }
    }

    /** Checks by a scan of the range which image it holds, then every key of both namespaces against it. */
    private static void checkOneOf(Store store, List<RangeModel> expected, String ctx) {
        byte[] from = RangeModel.key(RangeInstallCrashChild.FROM);
        byte[] to = RangeModel.key(RangeInstallCrashChild.TO);
        TreeMap<byte[], byte[]> range = RangeModel.newMap();
        try (Cursor cursor = store.namespace(RangeInstallCrashChild.NS).scan(from, to)) {
            while (cursor.next()) {
                range.put(cursor.key(), cursor.value());
            }
        }
        for (int which = 0; which < expected.size(); which++) {
            TreeMap<byte[], byte[]> want = expected.get(which).of(RangeInstallCrashChild.NS);
            if (sameEntries(range, RangeModel.range(want, from, to))) {
                expected.get(which).check(store, RangeInstallCrashChild.KEYS, from, to, ctx + ", image " + which);
                return;
            }
        }
        fail(ctx + ": the range holds " + range.size() + " entries, which are neither image (a mix, or lost data)");
    }

    private static boolean sameEntries(TreeMap<byte[], byte[]> a, java.util.Map<byte[], byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        var ia = a.entrySet().iterator();
        var ib = b.entrySet().iterator();
        while (ia.hasNext()) {
            var x = ia.next();
            var y = ib.next();
            if (!Arrays.equals(x.getKey(), y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }

    private void runAndKill(int installs, long delayNanos, String ctx) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : System.getProperty("kintsugi.jvm.flags", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), RangeInstallCrashChild.class.getName(),
                dir.toString()));
        Path err = Files.createTempFile("range-install-child", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // held open: the child halts if this JVM dies
        Process p = pb.start();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<String> unexpected = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.startsWith("installed ")) {
                        done.incrementAndGet();
                    } else if (!line.equals("opened")) {
                        unexpected.compareAndSet(null, line);
                    }
                }
            } catch (IOException e) {
                unexpected.compareAndSet(null, e.toString());
            }
        }, "range-install-child-output");
        reader.start();
        try {
            long lastProgress = System.nanoTime();
            int seen = 0;
            while (done.get() < installs && p.isAlive()) {
                if (done.get() != seen) {
                    seen = done.get();
                    lastProgress = System.nanoTime();
                }
                if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                    fail(ctx + ": the child made no progress for " + STALL_SECONDS + " s (a hang)");
                }
                LockSupport.parkNanos(1_000_000);
            }
            assertTrue(p.isAlive(), ctx + ": the child died on its own (exit " + (p.isAlive() ? "" : p.exitValue())
                    + "): " + Files.readString(err));
            LockSupport.parkNanos(delayNanos);
        } finally {
            p.toHandle().destroyForcibly(); // SIGKILL
            p.waitFor();
            reader.join(TimeUnit.SECONDS.toMillis(STALL_SECONDS));
            p.getOutputStream().close();
        }
        assertEquals(null, unexpected.get(), ctx + ": unexpected child output; stderr: " + Files.readString(err));
        Files.deleteIfExists(err);
    }
}
