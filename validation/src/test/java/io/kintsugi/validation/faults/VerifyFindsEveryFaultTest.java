package io.kintsugi.validation.faults;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.validation.verify.Verifier;
import io.kintsugi.validation.verify.VerifyLevel;
import io.kintsugi.validation.verify.VerifyOptions;
import io.kintsugi.validation.verify.VerifyProblem;
import io.kintsugi.validation.verify.VerifyReport;
import io.kintsugi.validation.verify.VerifyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fault the {@link FaultInjector} makes is found by {@link Verifier} at the level that reads the damaged
 * bytes, and not claimed at a level that does not read them: QUICK reads headers, footers, index and filter blocks
 * and checks the manifest against the files; CHECKSUMS reads every block and record; FULL decodes every entry.
 * Each case names the level at which the fault must first show, checks that every lower level reports the store
 * as sound, that the report names the damaged file, and that no report text holds key bytes. Seeded.
 */
class VerifyFindsEveryFaultTest {

    @TempDir
    Path tmp;

    private FaultedStore build(long seed) {
        return FaultedStore.build(tmp.resolve("store-" + seed), seed);
    }

    private static Path onlySegmentFile(FaultInjector faults) {
        List<Path> files = faults.segmentFiles();
        assertEquals(1, files.size(), "the fixture flushes into one segment file");
        return files.get(0);
    }

    private static VerifyReport verify(Path dir, VerifyLevel level) {
        VerifyReport r = Verifier.verify(dir, VerifyOptions.builder().level(level).build());
        String text = r.toText() + r.toJson();
        assertFalse(text.contains(FaultedStore.KEY_MARK), "a report holds key bytes");
        return r;
    }

    /**
     * Asserts that the levels below {@code first} find nothing and {@code first} and above report the store as
     * corrupt, with a problem that {@code expected} accepts.
     */
    private static void assertFirstFoundAt(Path dir, VerifyLevel first, Predicate<VerifyProblem> expected) {
        for (VerifyLevel level : VerifyLevel.values()) {
            VerifyReport r = verify(dir, level);
            if (level.compareTo(first) < 0) {
                assertEquals(VerifyStatus.OK, r.status(), () -> level + " must not see this fault:\n" + r.toText());
            } else {
                assertEquals(VerifyStatus.CORRUPT, r.status(), () -> level + " must find this fault:\n" + r.toText());
                assertTrue(r.problems().stream().anyMatch(expected),
                        () -> level + " names the wrong place or kind:\n" + r.toText());
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    @Test
    void aCleanFixtureIsSoundAtEveryLevel() {
        FaultedStore s = build(1);
        for (VerifyLevel level : VerifyLevel.values()) {
            assertEquals(VerifyStatus.OK, verify(s.dir, level).status(), level.name());
        }
    }

    @Test
    void aBitFlipInTheBlockOfAKeyIsFoundByChecksums() {
        FaultedStore s = build(2);
        InjectedFault f = FaultInjector.forStore(s.dir, 2).flipBitInKeyBlock(FaultedStore.NS, FaultedStore.key(777));
        assertFirstFoundAt(s.dir, VerifyLevel.CHECKSUMS, p -> sameFile(p.file(), f.file())
                && p.kind() == CorruptionKind.CHECKSUM_MISMATCH && p.offset() == f.offset());
    }

    @Test
    void aBitFlipInTheFooterIsFoundByQuick() {
        FaultedStore s = build(3);
        FaultInjector faults = FaultInjector.forStore(s.dir, 3);
        Path file = onlySegmentFile(faults);
        long size = file.toFile().length();
        InjectedFault f = faults.flipBit(file, size - 16, size);
        assertFirstFoundAt(s.dir, VerifyLevel.QUICK, p -> sameFile(p.file(), f.file()));
    }

    /**
     * A 4 KiB region at a seeded offset: if it touches only data blocks, CHECKSUMS is the first level to read it;
     * if it reaches the index, filter, metadata or footer at the file's end, QUICK already does.
     */
    @ParameterizedTest
    @ValueSource(longs = {4, 5, 6, 7, 8, 9})
    void aZeroedOrJunkRegionIsFoundByTheLevelThatReadsIt(long seed) {
        FaultedStore s = build(seed);
        FaultInjector faults = FaultInjector.forStore(s.dir, seed);
        Path file = onlySegmentFile(faults);
        List<BlockHandle> blocks = faults.dataBlocks(file);
        BlockHandle last = blocks.get(blocks.size() - 1);
        long dataEnd = last.offset() + last.length();
        InjectedFault f = seed % 2 == 0 ? faults.zeroRegion(file) : faults.junkRegion(file);
        // The first 16 bytes of the file are its header, which every level reads.
        boolean beyondData = f.offset() + f.length() > dataEnd || f.offset() < blocks.get(0).offset();
        assertFirstFoundAt(s.dir, beyondData ? VerifyLevel.QUICK : VerifyLevel.CHECKSUMS,
                p -> sameFile(p.file(), f.file()));
    }

    @Test
    void aTruncatedSegmentFileIsFoundByQuick() {
        FaultedStore s = build(10);
        FaultInjector faults = FaultInjector.forStore(s.dir, 10);
        Path file = onlySegmentFile(faults);
        InjectedFault f = faults.truncate(file, file.toFile().length() / 2);
        assertFirstFoundAt(s.dir, VerifyLevel.QUICK, p -> sameFile(p.file(), f.file()));
    }

    @Test
    void swappedDataBlocksAreFoundByChecksumsAtBothPlaces() {
        FaultedStore s = build(11);
        FaultInjector faults = FaultInjector.forStore(s.dir, 11);
        Path file = onlySegmentFile(faults);
        List<BlockHandle> blocks = faults.dataBlocks(file);
        int i = 20;
        int j = -1;
        for (int k = i + 1; k < blocks.size() && j < 0; k++) {
            if (blocks.get(k).length() == blocks.get(i).length()) {
                j = k;
            }
        }
        assertTrue(j > 0, "the fixture has data blocks of equal length");
        long first = blocks.get(i).offset();
        long second = blocks.get(j).offset();
        faults.swapDataBlocks(file, i, j);
        assertFirstFoundAt(s.dir, VerifyLevel.CHECKSUMS, p -> p.offset() == first
                && p.kind() == CorruptionKind.CHECKSUM_MISMATCH);
        VerifyReport r = verify(s.dir, VerifyLevel.CHECKSUMS);
        assertTrue(r.problems().stream().anyMatch(p -> p.offset() == second), r.toText());
    }

    @Test
    void aDeletedSegmentFileIsFoundByQuick() {
        FaultedStore s = build(12);
        FaultInjector faults = FaultInjector.forStore(s.dir, 12);
        Path file = onlySegmentFile(faults);
        faults.deleteFile(file);
        assertFirstFoundAt(s.dir, VerifyLevel.QUICK, p -> p.kind() == CorruptionKind.MISSING_FILE);
    }

    @Test
    void aStaleManifestIsFoundByQuick() {
        FaultedStore s = build(13);
        FaultInjector faults = FaultInjector.forStore(s.dir, 13);
        SavedCopy copy = faults.saveCopy(Path.of(StoreFiles.MANIFEST_DIR));
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            s.put(store.namespace(FaultedStore.NS), FaultedStore.key(FaultedStore.KEYS), new byte[] {1});
            store.flush();
        }
        faults.replaceWithStaleCopy(copy);
        FileBytes.delete(copy.copy().getParent());
        // The stale manifest does not list the newer segment file, and its flushed sequence is behind the oplog's.
        assertFirstFoundAt(s.dir, VerifyLevel.QUICK, p -> true);
    }

    @Test
    void aStaleOplogSegmentIsFound() {
        FaultedStore s = build(14);
        FaultInjector faults = FaultInjector.forStore(s.dir, 14);
        Path segment = OplogTail.of(s.dir).segment();
        SavedCopy copy = faults.saveCopy(segment);
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            Namespace ns = store.namespace(FaultedStore.NS);
            for (int k = 0; k < 10; k++) {
                s.put(ns, FaultedStore.key(FaultedStore.KEYS + k), new byte[] {(byte) k});
            }
        }
        faults.replaceWithStaleCopy(copy);
        FileBytes.delete(copy.copy().getParent());
        // The clean close recorded where the oplog ended: acknowledged records are missing.
        assertFirstFoundAt(s.dir, VerifyLevel.CHECKSUMS, p -> p.kind() == CorruptionKind.TRUNCATED);
    }

    @Test
    void aTornOplogTailAfterACleanCloseIsLostDataAtChecksums() {
        FaultedStore s = build(15);
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            s.put(store.namespace(FaultedStore.NS), FaultedStore.key(FaultedStore.KEYS), new byte[] {1});
        }
        InjectedFault f = FaultInjector.forStore(s.dir, 15).tearOplogTail();
        // Reported against the oplog directory: the records lost are named by sequence, not by a file offset.
        assertFirstFoundAt(s.dir, VerifyLevel.CHECKSUMS, p -> p.kind() == CorruptionKind.TRUNCATED
                && f.file().toAbsolutePath().normalize().startsWith(p.file().toAbsolutePath().normalize()));
    }

    /**
     * A value changed without an oplog record and then flushed leaves every checksum and every rule intact: no
     * level of verify can see it, by design. Comparing replicas is what finds it (RangeScanReplicaTest).
     */
    @Test
    void aFlushedLogicalCorruptionIsInvisibleToVerifyAtEveryLevel() {
        FaultedStore s = build(16);
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            byte[] key = FaultedStore.key(FaultedStore.KEYS + 5);
            s.put(store.namespace(FaultedStore.NS), key, new byte[] {9});
            FaultInjector.forStore(s.dir, 16).corruptValueLogically(store, FaultedStore.NS, key,
                    "wrong".getBytes(StandardCharsets.US_ASCII));
            store.flush();
            assertEquals("wrong", new String(store.namespace(FaultedStore.NS).get(key), StandardCharsets.US_ASCII));
        }
        for (VerifyLevel level : VerifyLevel.values()) {
            assertEquals(VerifyStatus.OK, verify(s.dir, level).status(), level.name());
        }
    }
}
