package io.kintsugi.benchmarks;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.WriteBatch;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.Durability;
import io.kintsugi.repair.RepairAgent;
import io.kintsugi.repair.RepairAgentOptions;
import io.kintsugi.repair.RepairCoordinator;
import io.kintsugi.repair.RepairReport;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.ValidatorOptions;
import io.kintsugi.validation.faults.FaultInjector;
import io.kintsugi.validation.faults.InjectedFault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What repairing one damaged block costs in a large store: three replicas over TCP on 127.0.0.1, each holding about
 * {@code -Drepaircost.bytes} (1 GiB by default) of keys and values; then, trial after trial, one bit flipped in the
 * data block of a random key on one follower (closed, flipped, reopened), found by a read, and repaired through
 * {@link RepairCoordinator#repairDamage}. Each trial prints the damaged block's size on disk, the pairs and the key
 * and value bytes installed, the bytes of chunk frames on the wire, the ratios of both to the block's size, and,
 * on the target's own disk, the size of the damaged segment file and the bytes the install wrote (it rewrites
 * every file the range touches, so that figure follows the file, not the damage).
 *
 * <p>The point is that a repair moves bytes in proportion to the damage, not to the store: the ratio must not grow
 * with the store. Times are printed too, but on a shared machine only the ratios are meant to be compared.
 *
 * <pre>
 * java --add-opens=... -cp benchmarks/target/benchmarks.jar [-Drepaircost.bytes=1073741824]
 *      [-Drepaircost.value=1000] [-Drepaircost.trials=5] [-Drepaircost.seed=1] [-Dkintsugi.bench.dir=/tmp]
 *      io.kintsugi.benchmarks.RepairCostRun
 * </pre>
 *
 * <p>The replicas are loaded once (through replication, so each has its own store id, as replicas must) and every
 * trial damages a block the earlier trials did not touch. The directory is deleted at the end.
 */
public final class RepairCostRun {

    private static final String NAMESPACE = "data";
    private static final int KEY_LENGTH = 16;
    private static final int BATCH = 64;
    private static final byte[] SECRET = "kintsugi repair cost secret".getBytes(StandardCharsets.US_ASCII);
    private static final Duration PATIENCE = Duration.ofMinutes(10);
    private static final Pattern INSTALLED = Pattern.compile("installed on .*: (\\d+) bytes written");

    private final Path dir;
    private final Store[] stores = new Store[3];
    private final Validator[] validators = new Validator[3];
    private final RepairAgent[] agents = new RepairAgent[3];

    private RepairCostRun(Path dir) {
        this.dir = dir;
    }

    /**
     * Runs the measurement and prints one row per trial.
     *
     * @param args none; settings are system properties (see the class comment)
     * @throws Exception if loading, a fault or a repair fails, or a repair does not end REPAIRED
     */
    public static void main(String[] args) throws Exception {
        long bytes = Long.getLong("repaircost.bytes", 1L << 30);
        int valueLength = Integer.getInteger("repaircost.value", 1000);
        int trials = Integer.getInteger("repaircost.trials", 5);
        long seed = Long.getLong("repaircost.seed", 1);
        if (valueLength < 1 || bytes < (long) (KEY_LENGTH + valueLength) * BATCH || trials < 1) {
            throw new IllegalArgumentException("repaircost.value must be at least 1, repaircost.bytes at least one "
                    + "batch of " + BATCH + " pairs and repaircost.trials at least 1; were " + valueLength + ", "
                    + bytes + " and " + trials);
        }
        long keys = bytes / (KEY_LENGTH + valueLength);
        RepairCostRun run = new RepairCostRun(BenchmarkDirs.create("repair-cost"));
        try {
            run.openAll();
            run.load(keys, valueLength, seed);
            run.trials(keys, trials, seed);
        } finally {
            run.closeAll();
            BenchmarkDirs.delete(run.dir);
        }
    }

    private void openAll() {
        for (int i = 0; i < stores.length; i++) {
            open(i);
        }
        stores[0].promote(1);
        for (int i = 1; i < stores.length; i++) {
            stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
        }
    }

    private void open(int i) {
        validators[i] = Validator.create(ValidatorOptions.builder().build());
        ReplicationOptions ro = ReplicationOptions.builder(TcpTransport.bind("127.0.0.1", 0)).build();
        // Durability NONE: the load is what takes time here, and a fsync per batch measures nothing about repair.
        stores[i] = Store.open(dir.resolve("r" + i), validators[i].attachTo(StoreOptions.builder())
                .durability(Durability.NONE).replication(ro).build());
        agents[i] = RepairAgent.start(stores[i], validators[i], RepairAgentOptions.builder().secret(SECRET).build());
    }

    private static byte[] key(long n) {
        return KeyValueGenerator.key(n);
    }

    /** Writes keys {@code 0 .. keys-1} with seeded incompressible values, then flushes every replica. */
    private void load(long keys, int valueLength, long seed) throws InterruptedException, IOException {
        long start = System.nanoTime();
        Namespace ns = stores[0].namespace(NAMESPACE);
        SplittableRandom random = new SplittableRandom(seed);
        for (long n = 0; n < keys; n += BATCH) {
            WriteBatch b = stores[0].newBatch();
            for (long k = n; k < Math.min(keys, n + BATCH); k++) {
                byte[] v = new byte[valueLength];
                random.nextBytes(v);
                b.put(ns, key(k), v);
            }
            stores[0].write(b);
            if ((n / BATCH) % 1024 == 0) {
                // Keep the followers within a bounded distance, so memory stays bounded too.
                awaitFollowers();
            }
        }
        awaitFollowers();
        for (Store s : stores) {
            s.flush();
        }
        System.out.printf("loaded %,d pairs of %d-byte keys and %d-byte values (%,d logical bytes) on 3 replicas "
                        + "in %.1f s; on disk: %s%n", keys, KEY_LENGTH, valueLength, keys * (KEY_LENGTH + valueLength),
                (System.nanoTime() - start) / 1e9, diskSizes());
    }

    private void awaitFollowers() throws InterruptedException {
        long last = stores[0].lastSequence();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        for (int i = 1; i < stores.length; i++) {
            while (stores[i].lastSequence() < last) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("follower " + i + " did not reach sequence " + last + " within "
                            + PATIENCE);
                }
                Thread.sleep(2);
            }
        }
    }

    private String diskSizes() throws IOException {
        List<String> sizes = new ArrayList<>();
        for (int i = 0; i < stores.length; i++) {
            try (Stream<Path> files = Files.walk(dir.resolve("r" + i))) {
                long total = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
                sizes.add(String.format("r%d %.2f GiB", i, total / (double) (1L << 30)));
            }
        }
        return String.join(", ", sizes);
    }

    private void trials(long keys, int trials, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x7E57);
        System.out.println();
        System.out.println("| trial | follower | damaged block (bytes) | pairs | key+value bytes | wire bytes "
                + "| wire / block | key+value / block | its file (bytes) | install wrote (bytes) | repair (ms) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        double worst = 0;
        for (int t = 0; t < trials; t++) {
            int victim = 1 + t % 2;
            // Spread the trials over the key space so no two damage the same block.
            long k = (keys / trials) * t + random.nextLong(Math.max(1, keys / trials));
            InjectedFault[] fault = new InjectedFault[1];
            long faultSeed = seed + t;
            reopenFollower(victim, d -> fault[0] = FaultInjector.forStore(d, faultSeed)
                    .flipBitInKeyBlock(NAMESPACE, key(k)));
            try {
                stores[victim].namespace(NAMESPACE).get(key(k));
                throw new IllegalStateException("trial " + t + ": the read of the damaged block succeeded");
            } catch (CorruptionException expected) {
                // The read found the flipped bit and listed the block's range as damaged.
            }
            List<DamagedRange> damage = stores[victim].damage();
            if (damage.size() != 1) {
                throw new IllegalStateException("trial " + t + ": " + damage.size() + " damaged ranges, expected 1");
            }
            RepairCoordinator.Builder b = RepairCoordinator.builder(stores[0], validators[0]).secret(SECRET)
                    .digestWait(PATIENCE);
            for (RepairAgent a : agents) {
                b.replica(a);
            }
            long start = System.nanoTime();
            RepairReport report = b.build().repairDamage(damage.get(0), Instant.EPOCH);
            long millis = (System.nanoTime() - start) / 1_000_000;
            long fileBytes = fault[0].file().toFile().length();
            if (report.outcome() != RepairReport.Outcome.REPAIRED) {
                throw new IllegalStateException("trial " + t + ": " + report.outcome() + "\n"
                        + String.join("\n", report.steps()));
            }
            if (!stores[victim].damage().isEmpty() || stores[victim].namespace(NAMESPACE).get(key(k)) == null) {
                throw new IllegalStateException("trial " + t + ": the block is still damaged after the repair");
            }
            long block = fault[0].length();
            double wire = (double) report.wireBytes() / block;
            worst = Math.max(worst, wire);
            System.out.printf("| %d | r%d | %,d | %,d | %,d | %,d | %.2f | %.2f | %,d | %,d | %,d |%n", t, victim,
                    block, report.pairs(), report.bytes(), report.wireBytes(), wire, (double) report.bytes() / block,
                    fileBytes, installWrote(report), millis);
        }
        System.out.printf("%nworst wire bytes / damaged block bytes: %.2f (target <= 2)%n", worst);
    }

    /** The bytes the install wrote to segment files, as its step in the report says; -1 if no step says. */
    private static long installWrote(RepairReport report) {
        Matcher m = INSTALLED.matcher(String.join("\n", report.steps()));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private void reopenFollower(int i, java.util.function.Consumer<Path> edit) {
        agents[i].close();
        stores[i].close();
        edit.accept(dir.resolve("r" + i));
        open(i);
        stores[i].follow(stores[0].replicationStatus().endpoint(), 1);
    }

    private void closeAll() {
        for (int i = stores.length - 1; i >= 0; i--) {
            if (agents[i] != null) {
                agents[i].close();
            }
            if (stores[i] != null) {
                stores[i].close();
            }
        }
    }
}
