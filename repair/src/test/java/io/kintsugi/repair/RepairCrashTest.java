package io.kintsugi.repair;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.net.PullOrder;
import io.kintsugi.repair.net.PullOutcome;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.repair.net.RepairClientOptions;
import io.kintsugi.repair.net.RepairServer;
import io.kintsugi.repair.net.RepairServerOptions;
import io.kintsugi.repair.net.SnapshotRangeSource;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;
import io.kintsugi.validation.scan.RangeHasher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kill -9 during a repair. The target replica runs in a child JVM ({@link RepairCrashChild}) with a logically
 * corrupted range; the source serves the true range over TCP on 127.0.0.1 from this JVM; this test orders the
 * child's agent to pull the range over the wire and kills the child with SIGKILL at a seeded step: while the range
 * streams in (after a seeded number of pairs, staged in memory or on disk), after it matched, after the lineage
 * record, at a seeded instant inside the install, or after the install. Then it reopens the target and checks:
 *
 * <ul>
 *   <li>the range holds the old (corrupt) contents or the new (true) ones, never a mix, and every other key is
 *       untouched;</li>
 *   <li>the lineage log agrees with the rule of REPAIR.md ("A crash during a pull"): an installed range always has
 *       its record; a pull killed before the record has none; a record may name a copy whose install a crash
 *       stopped;</li>
 *   <li>no staged file is left once the agent restarted;</li>
 *   <li>pulling again completes, and the target's digest of the range equals the source's.</li>
 * </ul>
 *
 * <p>Cycles: a fifth of {@code -Dkintsugi.crash.cycles} (4 by default, 40 with {@code -Pstress}), each on a fresh
 * copy of the corrupted target, with one kill or (seeded) two in a row on the same directory before the final pull.
 * Seed: {@code -Dkintsugi.repair.crash.seed}. No timing assertions: a child that makes no progress for
 * {@value #STALL_SECONDS} s is reported as a hang.
 */
class RepairCrashTest {

    private static final int STALL_SECONDS = 120;
    private static final String NS = "orders";
    private static final int KEYS = 4000;
    private static final int FROM = 1000;
    private static final int TO = 3000;
    private static final String SOURCE_ID = "source-replica";

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return String.format("key-%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aPullKilledAtAnyStepLeavesTheOldRangeOrTheNewAndCompletesAfterRestart() throws Exception {
        long seed = Long.getLong("kintsugi.repair.crash.seed", System.nanoTime());
        int cycles = Math.max(4, Integer.getInteger("kintsugi.crash.cycles", 20) / 5);
        Random rnd = new Random(seed);
        TreeMap<Integer, byte[]> truth = new TreeMap<>();
        TreeMap<Integer, byte[]> corrupt = new TreeMap<>();
        for (int i = 0; i < KEYS; i++) {
            byte[] v = new byte[100 + rnd.nextInt(200)];
            rnd.nextBytes(v);
            truth.put(i, v);
        }
        corrupt.putAll(truth);
        for (int i = FROM + rnd.nextInt(50); i < TO; i += 50 + rnd.nextInt(100)) {
            corrupt.put(i, ("wrong " + i).getBytes(StandardCharsets.US_ASCII));
        }
        Path pristine = dir.resolve("corrupted-target");
        Path sourceDir = dir.resolve("source");
        writeStore(pristine, truth, corrupt);
        writeStore(sourceDir, truth, truth);

        Validator sourceValidator = Validator.create(ValidatorOptions.builder().build());
        try (Store source = Store.open(sourceDir, RepairCrashChild.options(sourceValidator));
             SnapshotRangeSource held = new SnapshotRangeSource(source, source.namespace(NS), key(FROM), key(TO));
             RepairServer server = RepairServer.start(held, RepairServerOptions.builder().host("127.0.0.1")
                     .secret(RepairReplicas.SECRET).chunkBytes(16 << 10).build())) {
            RangeDigest expected = held.digest();
            assertEquals(TO - FROM, expected.count());
            PullProgress.Step[] steps = PullProgress.Step.values();
            int stepIndex = 0;
            for (int cycle = 0; cycle < cycles; cycle++) {
                Path target = dir.resolve("target-" + cycle);
                copyTree(pristine, target);
                // Half the cycles kill a second pull on the same directory, so that recovery also starts from what
                // an earlier kill and restart left.
                int kills = 1 + rnd.nextInt(2);
                Recovered state = new Recovered(false, 0);
                for (int kill = 0; kill < kills; kill++, stepIndex++) {
                    // Every step once in the first kills, then seeded.
                    PullProgress.Step step = stepIndex < steps.length
                            ? steps[(int) ((seed + stepIndex) % steps.length)] : steps[rnd.nextInt(steps.length)];
                    long pairs = 1 + rnd.nextInt(TO - FROM - 1);
                    long memoryLimit = rnd.nextBoolean() ? 0 : 64 << 20;
                    long delayNanos = TimeUnit.MICROSECONDS.toNanos(rnd.nextInt(250_000));
                    String ctx = "seed " + seed + ", cycle " + cycle + ", kill " + (kill + 1) + " of " + kills
                            + " (at " + step + (step == PullProgress.Step.FETCHING ? " after " + pairs + " pairs" : "")
                            + (step == PullProgress.Step.INSTALLING ? " + " + delayNanos / 1000 + " us" : "")
                            + ", staged " + (memoryLimit == 0 ? "on disk" : "in memory") + ")";
                    PullOrder order = new PullOrder(server.endpoint(), SOURCE_ID, "crash-" + cycle + "-" + kill,
                            expected);
                    Set<String> reached = runAndKill(target, order, step, pairs, memoryLimit, delayNanos, ctx);
                    state = checkAfterRestart(target, order, step, reached, state, truth, corrupt, ctx);
                }
                repairAgainAndProve(target, server.endpoint(), expected, state, truth,
                        "seed " + seed + ", cycle " + cycle);
            }
        }
    }

    /**
     * What a restart found: whether the range held the new contents, and how many lineage records of copies from
     * the source the log held.
     */
    private record Recovered(boolean installed, int records) {
    }

    /** Writes the same keys in the same order to a store, then overwrites some without the oplog (a logical fault). */
    private static void writeStore(Path dir, TreeMap<Integer, byte[]> truth, TreeMap<Integer, byte[]> held) {
        Validator v = Validator.create(ValidatorOptions.builder().build());
        try (Store store = Store.open(dir, RepairCrashChild.options(v))) {
            Namespace ns = store.namespace(NS);
            for (var e : truth.entrySet()) {
                ns.put(key(e.getKey()), e.getValue());
            }
            for (var e : held.entrySet()) {
                if (!Arrays.equals(e.getValue(), truth.get(e.getKey()))) {
                    FaultHooks.writeWithoutOplog(ns, key(e.getKey()), e.getValue());
                }
            }
            store.flush();
        }
    }

    /**
     * Reopens the target after a kill and checks it against what the step allows, given what the previous restart
     * found ({@code before}): the range is the old or the new contents and nothing else changed; the lineage log
     * gained a record exactly when the kill came after the record was appended; an installed range has a record;
     * no staged file is left once the agent restarted.
     */
    private Recovered checkAfterRestart(Path target, PullOrder order, PullProgress.Step step, Set<String> reached,
                                        Recovered before, TreeMap<Integer, byte[]> truth,
                                        TreeMap<Integer, byte[]> corrupt, String ctx) throws IOException {
        Validator v = Validator.create(ValidatorOptions.builder().build());
        try (Store store = Store.open(target, RepairCrashChild.options(v));
             RepairAgent agent = RepairAgent.start(store, v, RepairAgentOptions.builder()
                     .secret(RepairReplicas.SECRET).host("127.0.0.1").build())) {
            assertEquals(List.of(), stagedFiles(target), ctx + ": staged files left after the agent restarted");
            boolean installed = holdsExactly(store, truth);
            if (!installed && !holdsExactly(store, corrupt)) {
                fail(ctx + ": the store holds neither the old range nor the new one (a mix, or lost data)");
            }
            List<LineageRecord> copies = agent.lineage().copiedFrom(SOURCE_ID, NS, key(FROM), key(TO), Instant.EPOCH);
            switch (step) {
                case FETCHING, FETCHED -> {
                    assertEquals(before.installed(), installed, ctx + ": the range changed before the install");
                    assertEquals(before.records(), copies.size(), ctx + ": a lineage record although killed before "
                            + "recording");
                }
                case RECORDED -> {
                    assertEquals(before.installed(), installed, ctx + ": the range changed before the install");
                    assertEquals(before.records() + 1, copies.size(), ctx + ": the record was durable before the kill");
                    assertEquals(order.repairId(), copies.get(copies.size() - 1).repairId(), ctx);
                }
                case INSTALLING -> {
                    assertEquals(before.records() + 1, copies.size(), ctx + ": the record precedes the install");
                    assertTrue(!reached.contains("INSTALLED") || installed,
                            ctx + ": the install returned but the old range is back");
                }
                case INSTALLED -> {
                    assertEquals(before.records() + 1, copies.size(), ctx + ": the record precedes the install");
                    assertTrue(installed, ctx + ": the install returned but the old range is back");
                }
                default -> fail("unknown step " + step);
            }
            if (installed) {
                assertFalse(copies.isEmpty(), ctx + ": an installed range must have its lineage record");
            }
            assertEquals(List.of(), store.damage(), ctx);
            System.out.println(ctx + ": after the restart the range held the " + (installed ? "new" : "old")
                    + " contents, " + copies.size() + " lineage record(s)");
            return new Recovered(installed, copies.size());
        }
    }

    /** Pulls the range again after the last kill: it completes, and the target's digest equals the source's. */
    private void repairAgainAndProve(Path target, String sourceEndpoint, RangeDigest expected, Recovered before,
                                     TreeMap<Integer, byte[]> truth, String ctx) {
        Validator v = Validator.create(ValidatorOptions.builder().build());
        try (Store store = Store.open(target, RepairCrashChild.options(v));
             RepairAgent agent = RepairAgent.start(store, v, RepairAgentOptions.builder()
                     .secret(RepairReplicas.SECRET).host("127.0.0.1").build())) {
            PullOutcome again = agent.pull(new PullOrder(sourceEndpoint, SOURCE_ID, "retry", expected));
            assertEquals(TO - FROM, again.count(), ctx);
            assertTrue(holdsExactly(store, truth), ctx + ": the retried pull did not leave the true range");
            assertDigestEquals(store, expected, ctx);
            List<LineageRecord> after = agent.lineage().copiedFrom(SOURCE_ID, NS, key(FROM), key(TO), Instant.EPOCH);
            assertEquals(before.records() + 1, after.size(), ctx);
            assertEquals("retry", after.get(after.size() - 1).repairId(), ctx);
        }
        // And the repaired range survives a clean restart.
        Validator v2 = Validator.create(ValidatorOptions.builder().build());
        try (Store store = Store.open(target, RepairCrashChild.options(v2))) {
            assertTrue(holdsExactly(store, truth), ctx + ": the repaired range did not survive a restart");
        }
    }

    /** The proof: the target's digest of the range (as a replica computes it for a vote) equals the source's. */
    private static void assertDigestEquals(Store store, RangeDigest expected, String ctx) {
        RangeHasher h = new RangeHasher();
        try (Cursor c = store.namespace(NS).scan(key(FROM), key(TO))) {
            while (c.next()) {
                h.add(c.key(), c.value());
            }
        }
        assertEquals(expected.count(), h.count(), ctx + ": count");
        assertEquals(expected.bytes(), h.bytes(), ctx + ": bytes");
        assertEquals(expected.hash(), h.hash(), ctx + ": hash");
    }

    /** Whether every key of the namespace reads as {@code model} says, checked by a scan and by gets. */
    private static boolean holdsExactly(Store store, TreeMap<Integer, byte[]> model) {
        Namespace ns = store.namespace(NS);
        List<byte[]> keys = new ArrayList<>();
        try (Cursor c = ns.scan(null, null)) {
            while (c.next()) {
                keys.add(c.key());
                int i = Integer.parseInt(new String(c.key(), StandardCharsets.US_ASCII).substring(4));
                if (!Arrays.equals(model.get(i), c.value())) {
                    checkOutsideRange(i);
                    return false;
                }
            }
        }
        assertEquals(model.size(), keys.size(), "keys in the namespace");
        return true;
    }

    /** A difference outside the repaired range is never acceptable, whichever image the range holds. */
    private static void checkOutsideRange(int i) {
        assertTrue(i >= FROM && i < TO, "key number " + i + " outside the range reads a wrong value");
    }

    private static List<Path> stagedFiles(Path target) throws IOException {
        Path staging = target.resolve("repair-staging");
        if (!Files.isDirectory(staging)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(staging)) {
            return s.toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }

    /** @return the steps the child reported reaching before it was killed */
    private static Set<String> runAndKill(Path target, PullOrder order, PullProgress.Step step, long pairs,
                                          long memoryLimit, long delayNanos, String ctx) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : System.getProperty("kintsugi.jvm.flags", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), RepairCrashChild.class.getName(),
                target.toString(), step.name(), Long.toString(pairs), Long.toString(memoryLimit)));
        Path err = Files.createTempFile("repair-crash-child", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // held open: the child halts if this JVM dies
        Process p = pb.start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Set<String> reached = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.startsWith("step ")) {
                        reached.add(line.split(" ")[1]);
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("reader failed: " + e);
            }
        }, "repair-crash-child-output");
        reader.start();
        AtomicReference<Object> pullResult = new AtomicReference<>();
        Thread puller = null;
        try {
            String endpoint = awaitLine(lines, "endpoint ", p, err, ctx).substring("endpoint ".length());
            RepairClient client = new RepairClient(RepairClientOptions.builder().secret(RepairReplicas.SECRET)
                    .build());
            puller = new Thread(() -> {
                try {
                    pullResult.set(client.pull(endpoint, order));
                } catch (RuntimeException e) {
                    pullResult.set(e); // expected once the child is killed
                }
            }, "repair-crash-pull");
            puller.start();
            awaitLine(lines, "paused " + step, p, err, ctx);
            if (step == PullProgress.Step.INSTALLING) {
                LockSupport.parkNanos(delayNanos);
            }
        } finally {
            p.toHandle().destroyForcibly(); // SIGKILL
            p.waitFor();
            reader.join(TimeUnit.SECONDS.toMillis(STALL_SECONDS));
            if (puller != null) {
                puller.join(TimeUnit.SECONDS.toMillis(STALL_SECONDS));
            }
            p.getOutputStream().close();
        }
        assertNotNull(pullResult.get(), ctx + ": the pull order neither returned nor failed");
        if (pullResult.get() instanceof PullOutcome) {
            assertTrue(reached.contains("INSTALLED"), ctx + ": the pull returned without the install");
        }
        Files.deleteIfExists(err);
        return reached;
    }

    private static String awaitLine(LinkedBlockingQueue<String> lines, String prefix, Process p, Path err,
                                    String ctx) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STALL_SECONDS);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(10, TimeUnit.MILLISECONDS);
            if (line != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
                if (!line.startsWith("step ")) {
                    fail(ctx + ": unexpected child output: " + line);
                }
            } else if (!p.isAlive()) {
                fail(ctx + ": the child died on its own (exit " + p.exitValue() + ") before '" + prefix + "': "
                        + Files.readString(err));
            }
        }
        fail(ctx + ": the child printed no '" + prefix + "' for " + STALL_SECONDS + " s (a hang)");
        return null;
    }
}
