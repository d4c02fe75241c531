package io.kintsugi.validation;

import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.replication.InProcessNetwork;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.health.HealthQuery;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;
import io.kintsugi.validation.scan.RangeScan;
import io.kintsugi.validation.scan.ScanOptions;
import io.kintsugi.validation.scan.ScanProgress;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.verify.VerifyOptions;
import io.kintsugi.validation.verify.VerifyReport;
import io.kintsugi.validation.verify.VerifyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.Stream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The validator wires scanner, checker and health log together on real replicas, and the log outlives the store. */
class ValidatorTest {

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return String.format("key-%05d", i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aMismatchFoundByTheScanIsInTheCorruptReplicasHealthLogAndOnlyThere() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        Validator[] validators = new Validator[3];
        Store[] stores = new Store[3];
        byte[] bad = key(777);
        try {
            for (int i = 0; i < 3; i++) {
                validators[i] = Validator.create(ValidatorOptions.builder().logEvery(1).build());
                stores[i] = Store.open(dir.resolve("r" + i), validators[i].attachTo(StoreOptions.builder())
                        .durability(Durability.NONE)
                        .replication(ReplicationOptions.builder(net.transport("r" + i))
                                .heartbeatInterval(Duration.ofMillis(20)).build()).build());
            }
            stores[0].promote(1);
            stores[1].follow(stores[0].replicationStatus().endpoint(), 1);
            stores[2].follow(stores[0].replicationStatus().endpoint(), 1);
            Namespace ns = stores[0].namespace("orders");
            for (int i = 0; i < 2000; i++) {
                ns.put(key(i), ("value-" + i).getBytes(StandardCharsets.US_ASCII));
            }
            long last = stores[0].lastSequence();
            for (int i = 1; i < 3; i++) {
                while (stores[i].lastSequence() < last) {
                    Thread.sleep(5);
                }
            }
            FaultHooks.writeWithoutOplog(stores[1].namespace("orders"), bad, "rotten".getBytes(StandardCharsets.US_ASCII));

            RangeScan scan = validators[0].startScan(ScanOptions.builder().maxBatchKeys(250)
                    .bytesPerSecond(1L << 40).build());
            assertTrue(scan.await(Duration.ofSeconds(60)));
            assertEquals(ScanProgress.State.FINISHED, scan.progress().state());
            long end = stores[0].lastSequence();
            for (int i = 1; i < 3; i++) {
                while (stores[i].lastSequence() < end) {
                    Thread.sleep(5);
                }
                assertTrue(validators[i].awaitChecked(60_000));
            }
            HealthQuery errors = HealthQuery.builder().minSeverity(Severity.ERROR).build();
            List<HealthEntry> found = validators[1].health().query(errors);
            assertEquals(1, found.size(), found.toString());
            HealthEntry e = found.get(0);
            assertEquals(Verdict.INCONSISTENT, e.verdict());
            assertEquals(stores[1].id().toString(), e.replicaId());
            assertTrue(Arrays.compareUnsigned(bad, e.minKey()) >= 0 && Arrays.compareUnsigned(bad, e.maxKey()) < 0);
            assertEquals(0, validators[0].health().query(errors).size());
            assertEquals(0, validators[2].health().query(errors).size());
            assertEquals(scan.progress().batches(), validators[2].health().query(HealthQuery.builder()
                    .verdicts(Verdict.CONSISTENT).build()).size(), "every consistent verdict, with log-every 1");
            assertEquals(0, validators[1].health().query(HealthQuery.builder().keyRange(key(1500), key(1600))
                    .minSeverity(Severity.ERROR).build()).size(), "a query of another range finds nothing");
        } finally {
            for (Store s : stores) {
                if (s != null) {
                    s.close();
                }
            }
        }
        try (HealthLog log = HealthLog.openReadOnly(dir.resolve("r1"))) {
            List<HealthEntry> kept = log.query(HealthQuery.builder().verdicts(Verdict.INCONSISTENT).build());
            assertEquals(1, kept.size(), "the verdict survives the store's close");
        }
        assertThrows(IllegalStateException.class, () -> validators[0].health(), "closed with its store");
    }

    @Test
    void anOnlineVerifyIsRecordedInTheHealthLogWithEveryProblem() throws Exception {
        Path storeDir = dir.resolve("v");
        Validator validator = Validator.create();
        try (Store store = Store.open(storeDir, validator.attachTo(StoreOptions.builder()).build())) {
            Namespace ns = store.namespace("orders");
            for (int i = 0; i < 3000; i++) {
                ns.put(key(i), ("value-" + i + "-" + "v".repeat(100)).getBytes(StandardCharsets.US_ASCII));
            }
            store.flush();
            VerifyReport clean = validator.verify(VerifyOptions.builder().build());
            assertEquals(VerifyStatus.OK, clean.status(), clean.toText());
            List<HealthEntry> verifies = validator.health().query(HealthQuery.builder().kinds(HealthKind.VERIFY)
                    .build());
            assertEquals(1, verifies.size());
            assertEquals(Severity.INFO, verifies.get(0).severity());

            Path segment;
            try (Stream<Path> files = Files.list(storeDir)) {
                segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
            }
            Random random = new Random(71);
            long offset = Files.size(segment) / 3 + random.nextInt((int) (Files.size(segment) / 3));
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, offset);
                b.put(0, (byte) (b.get(0) ^ (1 << random.nextInt(8))));
                ch.write(b.flip(), offset);
            }
            VerifyReport damaged = validator.verify(VerifyOptions.builder().build());
            assertEquals(VerifyStatus.CORRUPT, damaged.status(), damaged.toText());
            List<HealthEntry> errors = validator.health().query(HealthQuery.builder().minSeverity(Severity.ERROR)
                    .build());
            assertEquals(damaged.problems().size() + 1, errors.size(), errors.toString());
            assertTrue(errors.stream().anyMatch(e -> e.kind() == HealthKind.VERIFY
                    && e.verdict() == Verdict.DAMAGED));
            assertTrue(errors.stream().filter(e -> e.kind() == HealthKind.CHECKSUM_FAILURE)
                    .allMatch(e -> e.detail().contains(segment.getFileName().toString())), errors.toString());
        }
    }
}
