package io.kintsugi.validation.verify;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offline verify of a closed store: clean at every level, and each fault, made by editing files directly with a
 * seeded Random, found at the level that reads it, with the damaged file and the kind named and no key or value
 * bytes in the report.
 */
class VerifierTest {

    private static final String KEY_TEXT = "zebra-secret-key-";
    private static final String VALUE_TEXT = "quokka-secret-value-";
    private static final int FLUSHED_PER_FILE = 300;
    private static final int UNFLUSHED = 40;

    @TempDir
    Path tmp;

    private Path dir;
    private UUID storeId;

    private static byte[] key(int i) {
        return String.format("%s%05d", KEY_TEXT, i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int i) {
        return String.format("%s%05d-%s", VALUE_TEXT, i, "v".repeat(i % 17)).getBytes(StandardCharsets.US_ASCII);
    }

    private static StoreOptions options() {
        return StoreOptions.builder().blockSize(1024).compression(false).compactionTrigger(100).compactionMaxFiles(100).build();
    }

    /** Two segment files (keys interleaved so both span the key range) and unflushed writes in the oplog. */
    private Path buildStore() {
        dir = tmp.resolve("store");
        try (Store store = Store.open(dir, options())) {
            storeId = store.id();
            Namespace ns = store.namespace("orders");
            for (int round = 0; round < 2; round++) {
                for (int i = round; i < 2 * FLUSHED_PER_FILE; i += 2) {
                    ns.put(key(i), value(i));
                }
                store.flush();
            }
            for (int i = 0; i < UNFLUSHED; i++) {
                ns.put(key(10_000 + i), value(10_000 + i));
            }
        }
        return dir;
    }

    private static VerifyReport verify(Path dir, VerifyLevel level) {
        return Verifier.verify(dir, VerifyOptions.builder().level(level).build());
    }

    private static void assertNoKeyBytes(VerifyReport r) {
        for (String text : List.of(r.toText(), r.toJson())) {
            assertFalse(text.contains(KEY_TEXT), "the report holds key bytes:\n" + text);
            assertFalse(text.contains(VALUE_TEXT), "the report holds value bytes:\n" + text);
        }
    }

    private static VerifyProblem onlyProblemOn(VerifyReport r, Path file) {
        List<VerifyProblem> on = r.problems().stream().filter(p -> p.file().equals(file)).toList();
        assertFalse(on.isEmpty(), "no problem names " + file + ":\n" + r.toText());
        return on.get(0);
    }

    private static Map<Path, byte[]> snapshotTree(Path root) throws IOException {
        Map<Path, byte[]> all = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                all.put(root.relativize(p), Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
            }
        }
        return all;
    }

    @Test
    void cleanStoreIsOkAtEveryLevelAndNothingChanges() throws IOException {
        buildStore();
        Map<Path, byte[]> before = snapshotTree(dir);
        VerifyReport quick = verify(dir, VerifyLevel.QUICK);
        VerifyReport checksums = verify(dir, VerifyLevel.CHECKSUMS);
        VerifyReport full = verify(dir, VerifyLevel.FULL);
        Map<Path, byte[]> after = snapshotTree(dir);
        assertEquals(before.keySet(), after.keySet(), "verify created or deleted files");
        before.forEach((p, b) -> assertArrayEquals(b, after.get(p), "verify changed " + p));

        for (VerifyReport r : List.of(quick, checksums, full)) {
            assertEquals(VerifyStatus.OK, r.status(), r.toText());
            assertTrue(r.problems().isEmpty(), r.toText());
            r.components().forEach((c, s) -> assertEquals(VerifyStatus.OK, s, c + "\n" + r.toText()));
            r.files().forEach(f -> assertEquals(VerifyStatus.OK, f.status(), f.toString()));
            assertFalse(r.online());
            assertNoKeyBytes(r);
            assertTrue(r.toJson().contains("\"version\": 1"), r.toJson());
            assertTrue(r.toJson().contains("\"status\": \"OK\""), r.toJson());
            // Two segment files, the manifest's and the oplog's segments and metadata, the term history.
            assertTrue(r.counts().files() >= 7, r.counts().toString());
        }
        assertEquals(0, quick.counts().entries());
        assertEquals(0, checksums.counts().entries());
        assertEquals(2 * FLUSHED_PER_FILE, full.counts().entries(), "every flushed entry decoded once");
        // QUICK reads the blocks loaded at open; CHECKSUMS also every data block and every oplog record.
        assertEquals(8, quick.counts().blocks());
        assertTrue(checksums.counts().blocks() > 8 + 2 * 10, checksums.counts().toString());
        assertEquals(checksums.counts().blocks(), full.counts().blocks());
        assertTrue(checksums.counts().records() >= UNFLUSHED, checksums.counts().toString());
        assertTrue(checksums.counts().bytesRead() > quick.counts().bytesRead());
        long segBytes = StoreFaults.segmentFiles(dir).values().stream().mapToLong(p -> p.toFile().length()).sum();
        assertTrue(checksums.counts().bytesRead() >= 2 * segBytes, "blocks and the whole-file CRC read every byte");
    }

    @Test
    void bitFlipInADataBlockIsFoundByChecksumsNotQuick() throws IOException {
        buildStore();
        Random random = new Random(11);
        TreeMap<Long, Path> files = StoreFaults.segmentFiles(dir);
        long number = files.firstKey();
        Path file = files.get(number);
        List<BlockHandle> blocks = StoreFaults.dataBlocks(file, number, storeId);
        BlockHandle damaged = blocks.get(random.nextInt(blocks.size()));
        StoreFaults.flipBitInBlock(file, damaged, random);

        assertEquals(VerifyStatus.OK, verify(dir, VerifyLevel.QUICK).status(), "QUICK reads no data block");
        for (VerifyLevel level : List.of(VerifyLevel.CHECKSUMS, VerifyLevel.FULL)) {
            VerifyReport r = verify(dir, level);
            assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
            assertEquals(VerifyStatus.CORRUPT, r.status(VerifyComponent.SEGMENT_FILES));
            assertEquals(VerifyStatus.OK, r.status(VerifyComponent.OPLOG));
            List<VerifyProblem> onFile = r.problems().stream().filter(p -> p.file().equals(file)).toList();
            assertTrue(onFile.stream().anyMatch(p -> p.offset() == damaged.offset()
                    && p.kind() == CorruptionKind.CHECKSUM_MISMATCH), r.toText());
            // The whole-file CRC fails too; no other file is named.
            assertTrue(onFile.stream().anyMatch(p -> p.offset() == 0
                    && p.kind() == CorruptionKind.CHECKSUM_MISMATCH), r.toText());
            assertTrue(r.problems().stream().allMatch(p -> p.file().equals(file)), r.toText());
            Path other = files.lastEntry().getValue();
            assertEquals(VerifyStatus.OK, r.files().stream().filter(f -> f.file().equals(other)).findFirst()
                    .orElseThrow().status());
            assertNoKeyBytes(r);
        }
        // No read returns a wrong value: each key reads right or fails with CorruptionException.
        try (Store store = Store.open(dir, options())) {
            Namespace ns = store.namespace("orders");
            int failed = 0;
            for (int i = 0; i < 2 * FLUSHED_PER_FILE; i++) {
                try {
                    assertArrayEquals(value(i), ns.get(key(i)));
                } catch (CorruptionException e) {
                    failed++;
                }
            }
            assertTrue(failed > 0, "no read touched the damaged block");
        }
    }

    @Test
    void footerDamageIsFoundByQuick() throws IOException {
        buildStore();
        Random random = new Random(12);
        Path file = StoreFaults.segmentFiles(dir).lastEntry().getValue();
        long size = Files.size(file);
        StoreFaults.flipBit(file, size - FooterFormat.LENGTH + random.nextInt(FooterFormat.LENGTH), random);
        VerifyReport r = verify(dir, VerifyLevel.QUICK);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        VerifyProblem p = onlyProblemOn(r, file);
        assertEquals(VerifyComponent.SEGMENT_FILES, p.component());
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, p.kind(), r.toText());
        assertEquals(size - FooterFormat.LENGTH, p.offset());
        assertNoKeyBytes(r);
    }

    @Test
    void missingSegmentFileIsFoundByQuick() throws IOException {
        buildStore();
        Path file = StoreFaults.segmentFiles(dir).firstEntry().getValue();
        Files.delete(file);
        VerifyReport r = verify(dir, VerifyLevel.QUICK);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        assertEquals(CorruptionKind.MISSING_FILE, onlyProblemOn(r, file).kind());
        assertEquals(1, r.problems().size(), r.toText());
        // The other file is still verified.
        Path other = StoreFaults.segmentFiles(dir).firstEntry().getValue();
        assertEquals(VerifyStatus.OK, r.files().stream().filter(f -> f.file().equals(other)).findFirst()
                .orElseThrow().status());
    }

    @Test
    void foreignFileIsFoundByQuick() throws IOException {
        buildStore();
        Path foreign = dir.resolve("backup-copy.dat");
        Files.write(foreign, new byte[100]);
        VerifyReport r = verify(dir, VerifyLevel.QUICK);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        VerifyProblem p = onlyProblemOn(r, foreign);
        assertEquals(CorruptionKind.FOREIGN_FILE, p.kind());
        assertEquals(VerifyComponent.DIRECTORY, p.component());
        assertEquals(VerifyStatus.CORRUPT, r.status(VerifyComponent.DIRECTORY));
        assertEquals(VerifyStatus.OK, r.status(VerifyComponent.SEGMENT_FILES));
    }

    @Test
    void bitFlipInAnOplogRecordIsFoundByChecksums() throws IOException {
        buildStore();
        Random random = new Random(13);
        Path segment = StoreFaults.lastLogSegment(dir.resolve(StoreFiles.OPLOG_DIR));
        long recordOffset = StoreFaults.flipBitInFirstRecordPayload(segment, random);
        assertEquals(VerifyStatus.OK, verify(dir, VerifyLevel.QUICK).status(), "QUICK reads no record");
        VerifyReport r = verify(dir, VerifyLevel.CHECKSUMS);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        assertEquals(VerifyStatus.CORRUPT, r.status(VerifyComponent.OPLOG));
        VerifyProblem p = onlyProblemOn(r, segment);
        // In the last segment, with intact records after it: damage to acknowledged data, never a torn tail.
        assertEquals(CorruptionKind.CORRUPT_BEFORE_VALID_DATA, p.kind(), r.toText());
        assertEquals(recordOffset, p.offset());
        assertEquals(1, r.problems().size(), "verify goes on after the damaged record:\n" + r.toText());
        assertTrue(r.counts().records() >= UNFLUSHED - 1, r.counts().toString());
        assertNoKeyBytes(r);
    }

    @Test
    void keysOutOfOrderWithValidChecksumsAreFoundByFullOnly() throws IOException {
        buildStore();
        Random random = new Random(14);
        TreeMap<Long, Path> files = StoreFaults.segmentFiles(dir);
        long number = files.firstKey();
        Path file = files.get(number);
        List<BlockHandle> blocks = StoreFaults.dataBlocks(file, number, storeId);
        BlockHandle rewritten = blocks.get(random.nextInt(blocks.size()));
        StoreFaults.swapEntriesKeepingChecksums(dir, number, storeId, rewritten, random);

        assertEquals(VerifyStatus.OK, verify(dir, VerifyLevel.QUICK).status(), verify(dir, VerifyLevel.QUICK).toText());
        assertEquals(VerifyStatus.OK, verify(dir, VerifyLevel.CHECKSUMS).status(),
                verify(dir, VerifyLevel.CHECKSUMS).toText());
        VerifyReport r = verify(dir, VerifyLevel.FULL);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        VerifyProblem p = onlyProblemOn(r, file);
        assertEquals(CorruptionKind.INVARIANT_VIOLATION, p.kind(), r.toText());
        assertEquals(rewritten.offset(), p.offset());
        assertEquals(1, r.problems().size(), r.toText());
        assertNoKeyBytes(r);
    }

    @Test
    void truncatedSegmentFileIsFoundByQuick() throws IOException {
        buildStore();
        Random random = new Random(15);
        Path file = StoreFaults.segmentFiles(dir).firstEntry().getValue();
        byte[] bytes = Files.readAllBytes(file);
        int cut = 1 + random.nextInt(bytes.length / 2);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - cut));
        VerifyReport r = verify(dir, VerifyLevel.QUICK);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        assertEquals(CorruptionKind.TRUNCATED, onlyProblemOn(r, file).kind());
    }

    @Test
    void oplogCutAfterACleanCloseIsLostDataNotATornTail() throws IOException {
        buildStore();
        Path oplogDir = dir.resolve(StoreFiles.OPLOG_DIR);
        Path segment = StoreFaults.lastLogSegment(oplogDir);
        byte[] bytes = Files.readAllBytes(segment);
        Files.write(segment, Arrays.copyOf(bytes, bytes.length - 5));
        VerifyReport r = verify(dir, VerifyLevel.CHECKSUMS);
        // On its own the cut record looks like a torn tail (a note), but the store was closed cleanly after it was
        // acknowledged: the manifest's clean-close mark shows a record is lost.
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("torn tail")), r.toText());
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        assertEquals(VerifyStatus.OK, r.status(VerifyComponent.OPLOG), r.toText());
        VerifyProblem p = onlyProblemOn(r, oplogDir);
        assertEquals(CorruptionKind.TRUNCATED, p.kind());
        assertEquals(VerifyComponent.MANIFEST, p.component());
        assertEquals(1, r.problems().size(), r.toText());
    }

    @Test
    void everyFileIsReportedEvenWhenSeveralAreDamaged() throws IOException {
        buildStore();
        Random random = new Random(16);
        TreeMap<Long, Path> files = StoreFaults.segmentFiles(dir);
        for (Map.Entry<Long, Path> e : files.entrySet()) {
            List<BlockHandle> blocks = StoreFaults.dataBlocks(e.getValue(), e.getKey(), storeId);
            StoreFaults.flipBitInBlock(e.getValue(), blocks.get(0), random);
            StoreFaults.flipBitInBlock(e.getValue(), blocks.get(blocks.size() - 1), random);
        }
        VerifyReport r = verify(dir, VerifyLevel.CHECKSUMS);
        for (Path f : files.values()) {
            long blockProblems = r.problems().stream().filter(p -> p.file().equals(f) && p.offset() > 0).count();
            assertEquals(2, blockProblems, r.toText());
        }
        Map<VerifyStatus, Long> byStatus = r.files().stream().filter(f -> files.containsValue(f.file()))
                .collect(Collectors.groupingBy(FileVerdict::status, Collectors.counting()));
        assertEquals(Map.of(VerifyStatus.CORRUPT, (long) files.size()), byStatus);
    }

    @Test
    void wrongInputsAreRefusedClearly() throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Verifier.verify(tmp.resolve("nowhere"), VerifyOptions.defaults()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path file = Files.write(tmp.resolve("plain-file"), new byte[3]);
        IllegalArgumentException notDir = assertThrows(IllegalArgumentException.class,
                () -> Verifier.verify(file, VerifyOptions.defaults()));
        assertTrue(notDir.getMessage().contains("not a directory"), notDir.getMessage());
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        IllegalArgumentException notStore = assertThrows(IllegalArgumentException.class,
                () -> Verifier.verify(empty, VerifyOptions.defaults()));
        assertTrue(notStore.getMessage().contains("not a Kintsugi store"), notStore.getMessage());
        try (Stream<Path> s = Files.list(empty)) {
            assertEquals(0, s.count(), "verify created a file");
        }
        assertThrows(IllegalArgumentException.class, () -> VerifyOptions.builder().bytesPerSecond(-1));
        assertThrows(IllegalArgumentException.class, () -> VerifyOptions.builder().bytesPerSecond(100));
        assertNotNull(VerifyOptions.builder().bytesPerSecond(0).build());
    }
}
