package io.kintsugi.validation.faults;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.kintsugi.validation.faults.FaultedStore.NS;
import static io.kintsugi.validation.faults.FaultedStore.assertNoKeyBytes;
import static io.kintsugi.validation.faults.FaultedStore.assertSame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each fault the {@link FaultInjector} makes, injected into a real store with a fixed seed: the store reports
 * exactly the kind, file and offset the fault names (on open or on the reads that need the damaged bytes), every
 * other read returns what the oracle holds, and no read ever returns a wrong value.
 */
class FaultInjectorTest {

    @TempDir
    Path tmp;

    private FaultedStore build(long seed) {
        return FaultedStore.build(tmp.resolve("store"), seed);
    }

    private static Path onlySegmentFile(FaultInjector faults) {
        List<Path> files = faults.segmentFiles();
        assertEquals(1, files.size(), "the fixture flushes everything into one segment file");
        return files.get(0);
    }

    private static boolean at(CorruptionReport r, CorruptionKind kind, Path file, long offset) {
        return r.kind() == kind && r.file().toAbsolutePath().normalize().equals(file) && r.offset() == offset;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void aBitFlippedInTheBlockOfAKeyFailsExactlyTheReadsOfThatBlock(long seed) {
        FaultedStore s = build(seed);
        FaultInjector faults = FaultInjector.forStore(s.dir, seed);
        byte[] key = FaultedStore.key(new Random(seed).nextInt(FaultedStore.KEYS));
        InjectedFault f = faults.flipBitInKeyBlock(NS, key);
        assertEquals(FaultKind.BIT_FLIP, f.kind());
        assertSame(onlySegmentFile(faults), f.file());
        assertNoKeyBytes(f);

        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> store.namespace(NS).get(key));
            assertTrue(at(e.report(), CorruptionKind.CHECKSUM_MISMATCH, f.file(), f.offset()), e.getMessage());
            assertEquals(f.length(), e.report().length());
            FaultedStore.Reads reads = s.checkReads(store,
                    r -> at(r, CorruptionKind.CHECKSUM_MISMATCH, f.file(), f.offset()));
            assertTrue(reads.ok() > FaultedStore.KEYS - 100, "reads of other blocks keep working");
            List<DamagedRange> damage = store.damage();
            assertFalse(damage.isEmpty());
            for (DamagedRange d : damage) {
                assertEquals(NS, d.namespace());
                assertEquals(f.offset(), d.report().offset());
            }
        }
    }

    @Test
    void theSameSeedMakesTheSameFault() {
        FaultedStore a = FaultedStore.build(tmp.resolve("a"), 7);
        FaultedStore b = FaultedStore.build(tmp.resolve("b"), 7);
        byte[] key = FaultedStore.key(1234);
        InjectedFault fa = FaultInjector.forStore(a.dir, 99).flipBitInKeyBlock(NS, key);
        InjectedFault fb = FaultInjector.forStore(b.dir, 99).flipBitInKeyBlock(NS, key);
        assertEquals(fa.offset(), fb.offset());
        assertEquals(fa.detail(), fb.detail());
    }

    @Test
    void aBitFlippedInARangeIsReportedAtTheBlockThatHoldsIt() {
        FaultedStore s = build(11);
        FaultInjector faults = FaultInjector.forStore(s.dir, 11);
        Path file = onlySegmentFile(faults);
        BlockHandle block = faults.dataBlocks(file).get(17);
        InjectedFault f = faults.flipBit(file, block.offset(), block.end());
        assertEquals(1, f.length());
        assertTrue(f.offset() >= block.offset() && f.offset() < block.end());
        FaultedStore.Reads reads = s.reopenAndCheck(r -> at(r, CorruptionKind.CHECKSUM_MISMATCH, file,
                block.offset()));
        assertFalse(reads.failures().isEmpty(), "the reads of the damaged block fail");
    }

    // Seeds 23, 43 and 103 put the region over the index, filter, metadata or footer (43 also over the last data
    // blocks); the others inside the data blocks.
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void aZeroedRegionFailsOpenOrTheReadsOfTheBlocksItTouches(long seed) {
        regionFault(seed, true);
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 43, 103})
    void aJunkRegionFailsOpenOrTheReadsOfTheBlocksItTouches(long seed) {
        regionFault(seed, false);
    }

    /**
     * A 4 KiB region of the segment file: if it lies within the data blocks, the store opens and exactly the reads
     * of the blocks it touches fail, each at its block; if it touches the header or the index, filter, metadata or
     * footer, the open fails naming the file and a structure the region touches.
     */
    private void regionFault(long seed, boolean zero) {
        FaultedStore s = build(seed);
        FaultInjector faults = FaultInjector.forStore(s.dir, seed);
        Path file = onlySegmentFile(faults);
        List<BlockHandle> blocks = faults.dataBlocks(file);
        InjectedFault f = zero ? faults.zeroRegion(file) : faults.junkRegion(file);
        assertEquals(zero ? FaultKind.ZEROED_REGION : FaultKind.JUNK_REGION, f.kind());
        assertEquals(FaultInjector.REGION_LENGTH, f.length());
        long regionEnd = f.offset() + f.length();
        Set<Long> touched = new HashSet<>();
        for (BlockHandle b : blocks) {
            if (b.offset() < regionEnd && f.offset() < b.end()) {
                touched.add(b.offset());
            }
        }
        boolean onlyData = f.offset() >= blocks.get(0).offset() && regionEnd <= blocks.get(blocks.size() - 1).end();
        if (onlyData) {
            FaultedStore.Reads reads = s.reopenAndCheck(r -> r.kind() == CorruptionKind.CHECKSUM_MISMATCH
                    && r.file().toAbsolutePath().normalize().equals(file) && touched.contains(r.offset()));
            Set<Long> failed = new HashSet<>();
            reads.failures().forEach(r -> failed.add(r.offset()));
            assertEquals(touched, failed, "every touched block, and only those, fails its reads");
        } else {
            CorruptionException e = assertThrows(CorruptionException.class,
                    () -> Store.open(s.dir, FaultedStore.options()).close());
            assertEquals(file, e.report().file().toAbsolutePath().normalize());
            assertTrue(e.report().offset() < regionEnd && (e.report().length() < 0
                    || f.offset() < e.report().offset() + e.report().length()), e.getMessage());
        }
    }

    @Test
    void aTruncatedSegmentFileFailsOpenAsTruncated() {
        FaultedStore s = build(41);
        FaultInjector faults = FaultInjector.forStore(s.dir, 41);
        Path file = onlySegmentFile(faults);
        InjectedFault f = faults.truncate(file, 5000);
        assertEquals(5000, f.offset());
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> Store.open(s.dir, FaultedStore.options()).close());
        assertEquals(CorruptionKind.TRUNCATED, e.report().kind());
        assertSame(file, e.report().file());
    }

    @Test
    void swappedDataBlocksFailTheReadsOfBothBlocksEachInItsPlace() {
        FaultedStore s = build(51);
        FaultInjector faults = FaultInjector.forStore(s.dir, 51);
        Path file = onlySegmentFile(faults);
        List<BlockHandle> blocks = faults.dataBlocks(file);
        int i = 10;
        int j = -1;
        for (int k = i + 2; k < blocks.size(); k++) {
            if (blocks.get(k).length() == blocks.get(i).length()) {
                j = k;
                break;
            }
        }
        assertTrue(j > 0, "the fixture has data blocks of equal length");
        long first = blocks.get(i).offset();
        long second = blocks.get(j).offset();
        InjectedFault f = faults.swapDataBlocks(file, j, i);
        assertEquals(first, f.offset());
        FaultedStore.Reads reads = s.reopenAndCheck(r -> r.kind() == CorruptionKind.CHECKSUM_MISMATCH
                && r.file().toAbsolutePath().normalize().equals(file)
                && (r.offset() == first || r.offset() == second));
        Set<Long> failed = new HashSet<>();
        reads.failures().forEach(r -> failed.add(r.offset()));
        assertEquals(Set.of(first, second), failed);
    }

    @Test
    void aStaleOplogSegmentFailsOpenAsTruncated() {
        FaultedStore s = build(61);
        FaultInjector faults = FaultInjector.forStore(s.dir, 61);
        Path segment = OplogTail.of(s.dir).segment();
        SavedCopy copy = faults.saveCopy(segment);
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            Namespace ns = store.namespace(NS);
            for (int k = 0; k < 10; k++) {
                s.put(ns, FaultedStore.key(FaultedStore.KEYS + k), new byte[] {(byte) k});
            }
        }
        InjectedFault f = faults.replaceWithStaleCopy(copy);
        FileBytes.delete(copy.copy().getParent());
        assertEquals(FaultKind.STALE_COPY, f.kind());
        assertSame(segment, f.file());
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> Store.open(s.dir, FaultedStore.options()).close());
        assertEquals(CorruptionKind.TRUNCATED, e.report().kind(), e.getMessage());
        assertSame(s.dir.resolve(StoreFiles.OPLOG_DIR), e.report().file());
    }

    @Test
    void aStaleManifestFailsOpenAsStale() {
        FaultedStore s = build(62);
        FaultInjector faults = FaultInjector.forStore(s.dir, 62);
        SavedCopy copy = faults.saveCopy(Path.of(StoreFiles.MANIFEST_DIR));
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            Namespace ns = store.namespace(NS);
            s.put(ns, FaultedStore.key(FaultedStore.KEYS), new byte[] {1});
            store.flush();
        }
        faults.replaceWithStaleCopy(copy);
        FileBytes.delete(copy.copy().getParent());
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> Store.open(s.dir, FaultedStore.options()).close());
        assertEquals(CorruptionKind.STALE_FILE, e.report().kind(), e.getMessage());
        assertSame(s.dir.resolve(StoreFiles.MANIFEST_DIR), e.report().file());
    }

    @Test
    void aTornOplogTailOfACleanlyClosedStoreIsCorruption() {
        FaultedStore s = build(71);
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            s.put(store.namespace(NS), FaultedStore.key(FaultedStore.KEYS), new byte[] {7});
        }
        InjectedFault f = FaultInjector.forStore(s.dir, 71).tearOplogTail();
        assertEquals(FaultKind.TORN_OPLOG_TAIL, f.kind());
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> Store.open(s.dir, FaultedStore.options()).close());
        assertEquals(CorruptionKind.TRUNCATED, e.report().kind(), e.getMessage());
        assertSame(s.dir.resolve(StoreFiles.OPLOG_DIR), e.report().file());
    }

    @ParameterizedTest
    @ValueSource(longs = {81, 82, 83})
    void aTornOplogTailOfACrashedStoreDropsOnlyTheTornWrite(long seed) {
        FaultedStore s = build(seed);
        Path crashed = tmp.resolve("crashed");
        byte[] lastKey = FaultedStore.key(FaultedStore.KEYS + 1);
        long before;
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            Namespace ns = store.namespace(NS);
            s.put(ns, FaultedStore.key(FaultedStore.KEYS), new byte[] {1});
            before = store.lastSequence();
            ns.put(lastKey, new byte[] {2});
            // Copying the directory of an open store that made every write durable (SYNC) leaves what a crash
            // would: no clean-close mark, the oplog ending at the last acknowledged write.
            FileBytes.copy(s.dir, crashed);
        }
        InjectedFault f = FaultInjector.forStore(crashed, seed).tearOplogTail();
        assertTrue(f.offset() > 0 && f.length() > 0);
        try (Store store = Store.open(crashed, FaultedStore.options())) {
            assertEquals(before, store.lastSequence(), "only the torn record is dropped");
            FaultedStore.assertAbsent(store, lastKey);
            FaultedStore.Reads reads = s.checkReads(store, r -> false);
            assertEquals(s.oracle.size(), reads.ok());
        }
    }

    @Test
    void aLogicalCorruptionChangesOneReplicaOnlyAndLeavesNoOplogTrace() {
        FaultedStore s = build(91);
        byte[] key = FaultedStore.key(5);
        byte[] wrong = "not the value".getBytes(StandardCharsets.US_ASCII);
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            s.put(store.namespace(NS), FaultedStore.key(FaultedStore.KEYS), new byte[] {3}); // newer than the flush
            s.put(store.namespace(NS), key, new byte[] {4});
            InjectedFault f = FaultInjector.forStore(s.dir, 91).corruptValueLogically(store, NS, key, wrong);
            assertEquals(FaultKind.LOGICAL_CORRUPTION, f.kind());
            assertNoKeyBytes(f);
            // Every checksum is valid: the store itself cannot tell, which is what replica scans are for.
            assertArrayEquals(wrong, store.namespace(NS).get(key));
        }
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            // Without an oplog record, replaying the log on open restores the acknowledged value.
            assertArrayEquals(s.oracle.get(new String(key, StandardCharsets.ISO_8859_1)), store.namespace(NS).get(key));
        }
    }

    @Test
    void aKeyOnlyInTheOplogIsRefusedWithoutPrintingIt() {
        FaultedStore s = build(101);
        byte[] late = FaultedStore.key(FaultedStore.KEYS + 5);
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            s.put(store.namespace(NS), late, new byte[] {1});
        }
        FaultInjector faults = FaultInjector.forStore(s.dir, 101);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> faults.flipBitInKeyBlock(NS, late));
        assertTrue(e.getMessage().contains("flush"), e.getMessage());
        assertFalse(e.getMessage().contains(FaultedStore.KEY_MARK), "the message carries key bytes");
        IllegalArgumentException ns = assertThrows(IllegalArgumentException.class,
                () -> faults.flipBitInKeyBlock("nowhere", late));
        assertTrue(ns.getMessage().contains("nowhere"), ns.getMessage());
    }

    @Test
    void wrongInputIsRefusedWithWhatWasWrong() {
        FaultedStore s = build(111);
        FaultInjector faults = FaultInjector.forStore(s.dir, 111);
        Path file = onlySegmentFile(faults);
        long size = FileBytes.size(file);
        assertThrows(IllegalArgumentException.class, () -> FaultInjector.forStore(tmp.resolve("none"), 1));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> faults.truncate(tmp.resolve("elsewhere"), 1));
        assertTrue(outside.getMessage().contains("not inside the store directory"), outside.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> faults.truncate(file, size));
        assertTrue(tooLong.getMessage().contains(Long.toString(size)), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> faults.flipBit(file, 10, 10));
        assertThrows(IllegalArgumentException.class, () -> faults.flipBit(file, 0, size + 1));
        assertThrows(IllegalArgumentException.class, () -> faults.swapDataBlocks(file, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> faults.swapDataBlocks(file, 0, 100_000));
        List<BlockHandle> blocks = faults.dataBlocks(file);
        int last = blocks.size() - 1;
        if (blocks.get(0).length() != blocks.get(last).length()) {
            IllegalArgumentException unequal = assertThrows(IllegalArgumentException.class,
                    () -> faults.swapDataBlocks(file, 0, last));
            assertTrue(unequal.getMessage().contains("equal length"), unequal.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> faults.dataBlocks(s.dir.resolve("000000000999.seg")));
        assertEquals(size, FileBytes.size(file), "refused calls change nothing");
        try (Store store = Store.open(s.dir, FaultedStore.options())) {
            IllegalStateException open = assertThrows(IllegalStateException.class,
                    () -> faults.flipBitInKeyBlock(NS, FaultedStore.key(1)));
            assertTrue(open.getMessage().contains("closed store"), open.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> faults.corruptValueLogically(store, "never_written", FaultedStore.key(1), new byte[1]));
        }
        FaultedStore.Reads reads = s.reopenAndCheck(r -> false);
        assertEquals(s.oracle.size(), reads.ok());
        assertNotEquals(0, reads.ok());
    }
}
