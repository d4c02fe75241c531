package io.kintsugi.engine.table;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.oplog.CorruptionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The block cache counts hits and misses, stays within its capacity, keeps readers apart, and never holds a block
 * that failed its checks.
 */
class BlockCacheTest {

    @TempDir
    Path tmp;

    @Test
    void hitsMissesAndCapacity() {
        TestEntries t = TestEntries.random(1, 2000, 1, 0, 0);
        Path file = tmp.resolve("c.seg");
        SegmentFileInfo info = t.write(file, 1, SegmentFileOptions.builder().blockSize(1024).build());
        BlockCache cache = BlockCache.create(1 << 20);
        try (SegmentFileReader r = SegmentFileReader.open(file, 1, TestEntries.STORE_ID, info.size(), cache)) {
            byte[] key = t.keys.get(0);
            r.get(key, Long.MAX_VALUE);
            assertEquals(0, cache.hits());
            assertEquals(1, cache.misses());
            r.get(key, Long.MAX_VALUE);
            assertEquals(1, cache.hits());
            assertEquals(1, cache.misses());
            assertEquals(0.5, cache.hitRate());
            assertEquals(1, cache.blockCount());
            SegmentFileRoundTripTest.readAll(r.cursor(null));
            assertEquals(r.dataBlocks().size(), cache.blockCount());
            assertTrue(cache.weightBytes() > 0 && cache.weightBytes() <= cache.capacity());
        }
        assertEquals(0, cache.blockCount(), "closing a reader drops its blocks");

        BlockCache small = BlockCache.create(8 * 1024);
        try (SegmentFileReader r = SegmentFileReader.open(file, 1, TestEntries.STORE_ID, info.size(), small)) {
            assertEquals(t.expectedFrom(null), SegmentFileRoundTripTest.readAll(r.cursor(null)));
            assertTrue(small.weightBytes() <= 8 * 1024, "weight " + small.weightBytes());
        }
    }

    @Test
    void disabledCacheMissesEveryTime() {
        TestEntries t = TestEntries.random(2, 100, 1, 0, 0);
        Path file = tmp.resolve("d.seg");
        SegmentFileInfo info = t.write(file, 1, SegmentFileOptions.defaults());
        BlockCache cache = BlockCache.disabled();
        try (SegmentFileReader r = SegmentFileReader.open(file, 1, TestEntries.STORE_ID, info.size(), cache)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(t.expectedGet(t.keys.get(0), Long.MAX_VALUE), r.get(t.keys.get(0), Long.MAX_VALUE));
            }
        }
        assertEquals(0, cache.hits());
        assertEquals(3, cache.misses());
        assertEquals(0, cache.blockCount());
    }

    @Test
    void aDamagedBlockNeverEntersTheCache() {
        TestEntries t = TestEntries.random(3, 1000, 1, 0, 0);
        Path file = tmp.resolve("bad.seg");
        SegmentFileInfo info = t.write(file, 1, SegmentFileOptions.builder().blockSize(1024).build());
        BlockCache cache = BlockCache.create(1 << 20);
        try (SegmentFileReader r = SegmentFileReader.open(file, 1, TestEntries.STORE_ID, info.size(), cache)) {
            List<BlockHandle> blocks = r.dataBlocks();
            BlockHandle damaged = blocks.get(1);
            FileDamage.flipBit(file, damaged.offset() + 3, 2);
            byte[] key = r.blockKeyRange(damaged.offset()).last();
            for (int i = 0; i < 3; i++) {
                CorruptionException e = assertThrows(CorruptionException.class, () -> r.get(key, Long.MAX_VALUE));
                assertEquals(damaged.offset(), e.report().offset());
            }
            assertEquals(0, cache.blockCount());
            assertEquals(0, cache.hits());
            assertEquals(3, cache.misses());
        }
        // A new reader of the repaired file starts with no cached blocks of its own.
    }
}
