package io.kintsugi.engine;

import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.engine.replication.FollowerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kill -9 during {@link Store#rebaseDiverged} and the open that finishes it: each cycle copies a freshly diverged
 * pair of stores, runs {@link DivergenceRebaseCrashChild} on the copy and kills it with SIGKILL at a random moment
 * after it found the divergence. Reopened, the old primary must be either still diverged (its own data, its own log
 * end, DIVERGED again when it follows) or rebased (the primary's data, the primary's log position, streaming when
 * it follows), never a mix, and the intent file must be gone.
 *
 * <p>Cycles: {@code -Dkintsugi.crash.cycles} / 5 (at least 3). Seed: {@code -Dkintsugi.rebase.crash.seed}. Only the
 * instant of each kill depends on the machine; nothing asserts on time.
 */
class DivergenceRebaseCrashTest {

    private static final int STALL_SECONDS = 120;

    @TempDir
    Path root;

    @Test
    void aKilledRebaseLeavesTheDivergedStoreOrTheRebasedOneNeverAMix() throws Exception {
        long seed = Long.getLong("kintsugi.rebase.crash.seed", System.nanoTime());
        int cycles = Math.max(3, Integer.getInteger("kintsugi.crash.cycles", 20) / 5);
        Random rnd = new Random(seed);
        Path pristineOld = root.resolve("pristine-old");
        Path pristineNew = root.resolve("pristine-new");
        DivergedPair.build(pristineOld, pristineNew);
        List<RangeEntry> divergedData;
        List<RangeEntry> divergedOther;
        long divergedEnd;
        try (Store old = Store.open(pristineOld, DivergedPair.options())) {
            divergedData = DivergedPair.scan(old, DivergedPair.NS, null, null);
            divergedOther = DivergedPair.scan(old, DivergedPair.OTHER, null, null);
            divergedEnd = old.lastSequence();
        }
        int stillDiverged = 0;
        int rebased = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            // Every third cycle waits for the committed rebase, so that kills also land in the open that finishes it.
            String after = cycle % 3 == 1 ? "rebased" : "diverged";
            long delayMicros = rnd.nextInt(cycle == 0 ? 1 : after.equals("rebased") ? 30_000 : 300_000);
            String ctx = "seed " + seed + ", cycle " + cycle + " (killed " + delayMicros + " us after the child said "
                    + after + ")";
            Path oldDir = root.resolve("old-" + cycle);
            Path newDir = root.resolve("new-" + cycle);
            copy(pristineOld, oldDir);
            copy(pristineNew, newDir);
            runAndKill(oldDir, newDir, after, delayMicros, ctx);
            try (Store primary = DivergedPair.openNew(newDir, 4); Store old = Store.open(oldDir,
                    DivergedPair.options())) {
                assertTrue(!Files.exists(oldDir.resolve(DivergenceRebase.INTENT_FILE)), ctx + ": intent left");
                List<RangeEntry> data = DivergedPair.scan(old, DivergedPair.NS, null, null);
                List<RangeEntry> other = DivergedPair.scan(old, DivergedPair.OTHER, null, null);
                assertTrue(DivergedPair.sameContents(divergedOther, other), ctx + ": the untouched namespace moved");
                old.follow(primary.replicationStatus().endpoint(), primary.term());
                if (old.lastSequence() == divergedEnd) {
                    assertTrue(DivergedPair.sameContents(divergedData, data), ctx + ": the log is the diverged "
                            + "one but the data is not (a mix)");
                    DivergedPair.until(() -> old.replicationStatus().followerState() == FollowerState.DIVERGED);
                    DivergenceReport again = old.replicationStatus().divergence().orElseThrow();
                    assertEquals(divergedEnd, again.lastDivergedSequence(), ctx);
                    stillDiverged++;
                } else {
                    assertEquals(primary.lastSequence(), old.lastSequence(), ctx + ": the log is neither the "
                            + "diverged one nor at the primary's position");
                    assertTrue(DivergedPair.sameContents(DivergedPair.scan(primary, DivergedPair.NS, null, null),
                            data), ctx + ": the log is rebased but the data is not the primary's (a mix)");
                    primary.namespace(DivergedPair.NS).put(DivergedPair.key(3), DivergedPair.value("later", 3));
                    DivergedPair.until(() -> old.lastSequence() >= primary.lastSequence());
                    assertEquals(FollowerState.STREAMING, old.replicationStatus().followerState(), ctx);
                    assertTrue(DivergedPair.sameContents(DivergedPair.scan(primary, DivergedPair.NS, null, null),
                            DivergedPair.scan(old, DivergedPair.NS, null, null)), ctx + ": differs after following");
                    rebased++;
                }
            }
        }
        System.out.println("DivergenceRebaseCrashTest: seed " + seed + ", " + cycles + " cycles, " + stillDiverged
                + " left diverged, " + rebased + " rebased");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().endsWith(".lock")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private void runAndKill(Path oldDir, Path newDir, String after, long delayMicros, String ctx) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : System.getProperty("kintsugi.jvm.flags", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), DivergenceRebaseCrashChild.class.getName(),
                oldDir.toString(), newDir.toString()));
        Path err = Files.createTempFile("rebase-child", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // held open: the child halts if this JVM dies
        Process p = pb.start();
        AtomicReference<String> stage = new AtomicReference<>("");
        AtomicReference<String> unexpected = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.equals("diverged") || line.equals("rebased") || line.equals("reopened")) {
                        stage.set(line);
                    } else {
                        unexpected.compareAndSet(null, line);
                    }
                }
            } catch (IOException e) {
                unexpected.compareAndSet(null, e.toString());
            }
        }, "rebase-child-output");
        reader.start();
        try {
            long start = System.nanoTime();
            List<String> stages = List.of("diverged", "rebased", "reopened");
            while (stages.indexOf(stage.get()) < stages.indexOf(after) && p.isAlive()) {
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                    fail(ctx + ": the child did not reach stage " + after + " in " + STALL_SECONDS + " s (a hang)");
                }
                Thread.sleep(1);
            }
            assertTrue(p.isAlive(), ctx + ": the child died on its own: " + Files.readString(err));
            TimeUnit.MICROSECONDS.sleep(delayMicros);
        } finally {
            p.toHandle().destroyForcibly(); // SIGKILL
            p.waitFor();
            reader.join(TimeUnit.SECONDS.toMillis(STALL_SECONDS));
            p.getOutputStream().close();
        }
        assertEquals(null, unexpected.get(), ctx + ": unexpected child output; stderr: " + Files.readString(err));
        System.out.println(ctx + ": killed at stage " + stage.get());
        Files.deleteIfExists(err);
    }
}
