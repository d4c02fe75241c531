package io.kintsugi.engine.table;

import io.kintsugi.engine.format.BlockCompression;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.BlockTrailerFormat;
import io.kintsugi.engine.format.DataBlockFormat;
import io.kintsugi.oplog.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes seeded random segment files and reads them back against a {@link java.util.TreeSet} oracle: every
 * entry, point reads at many sequence numbers, cursors from random positions, with and without compression and
 * filter, with small and default blocks, large values and keys at the size limit.
 */
class SegmentFileRoundTripTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "compression={0}, blockSize={1}, bloomBitsPerKey={2}")
    @CsvSource({"true, 1024, 10", "false, 1024, 10", "true, 16384, 10", "false, 16384, 0", "true, 4096, 1"})
    void everyReadMatchesTheOracle(boolean compression, int blockSize, int bloomBits) {
        TestEntries t = TestEntries.random(42 + blockSize + bloomBits, 1500, 5, 200, 40_000);
        SegmentFileOptions options = SegmentFileOptions.builder().compression(compression).blockSize(blockSize)
                .bloomBitsPerKey(bloomBits).build();
        Path file = tmp.resolve("7.seg");
        SegmentFileInfo written = t.write(file, 7, options);
        try (SegmentFileReader r = SegmentFileReader.open(file, 7, TestEntries.STORE_ID, written.size(),
                BlockCache.create(1 << 20))) {
            assertEquals(written, r.info());
            assertEquals(t.entries.size(), r.info().entryCount());
            assertArrayEquals(t.entries.first().key(), r.info().smallestKey());
            assertArrayEquals(t.entries.last().key(), r.info().largestKey());
            assertEquals(t.entries.stream().filter(Entry::isDelete).count(), r.deleteCount());
            assertEquals(t.entries.size(), r.putCount() + r.deleteCount());
            assertTrue(r.dataBlocks().size() > 1);

            assertEquals(t.expectedFrom(null), readAll(r.cursor(null)));

            Random rnd = new Random(7);
            long maxSeq = t.maxSequence();
            for (byte[] key : t.keys) {
                for (long seq : new long[]{Long.MAX_VALUE, maxSeq, 0, 1 + rnd.nextInt((int) maxSeq),
                        1 + rnd.nextInt((int) maxSeq)}) {
                    assertEquals(t.expectedGet(key, seq), r.get(key, seq));
                }
                for (Entry e : t.entries.subSet(new Entry(key, Long.MAX_VALUE, EntryKind.DELETE, new byte[0]), true,
                        new Entry(key, Long.MIN_VALUE, EntryKind.DELETE, new byte[0]), true)) {
                    assertEquals(e, r.get(key, e.sequence()));
                    assertEquals(t.expectedGet(key, e.sequence() - 1), r.get(key, e.sequence() - 1));
                }
            }
            for (int i = 0; i < 2000; i++) {
                byte[] absent = randomKey(rnd);
                assertEquals(t.expectedGet(absent, Long.MAX_VALUE), r.get(absent, Long.MAX_VALUE));
            }

            for (int i = 0; i < 60; i++) {
                byte[] from = rnd.nextBoolean() ? t.keys.get(rnd.nextInt(t.keys.size())) : randomKey(rnd);
                assertEquals(t.expectedFrom(from), readAll(r.cursor(from)));
            }
            assertEquals(List.of(), readAll(r.cursor(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff,
                    (byte) 0xff, 1})));
            assertEquals(t.expectedFrom(null), readAll(r.cursor(new byte[0])));

            r.verifyAllBlocks();
        }
    }

    @Test
    void keysAtTheLimitValuesLargerThanABlockAndEmptyValues() {
        Random rnd = new Random(3);
        List<Entry> list = new ArrayList<>();
        byte[] big = new byte[DataBlockFormat.MAX_KEY_LENGTH];
        rnd.nextBytes(big);
        big[0] = 1;
        byte[] big2 = big.clone();
        big2[big2.length - 1] ^= 1;
        byte[] maxValue = new byte[DataBlockFormat.MAX_VALUE_LENGTH];
        rnd.nextBytes(maxValue);
        byte[] large = new byte[100_000];
        Arrays.fill(large, (byte) 'x');
        list.add(Entry.put(new byte[0], 9, new byte[0]));
        list.add(Entry.put(new byte[]{0}, 3, large));
        list.add(Entry.delete(new byte[]{0}, 2));
        list.add(Entry.put(new byte[]{0}, 1, new byte[0]));
        list.add(Entry.put(big, 5, maxValue));
        list.add(Entry.put(big, 4, new byte[]{1}));
        list.add(Entry.delete(big2, 8));
        list.add(Entry.put(big2, 7, new byte[0]));
        list.sort(InternalKeys.COMPARATOR);
        TestEntries t = TestEntries.of(list);
        for (boolean compression : new boolean[]{true, false}) {
            Path file = tmp.resolve("big-" + compression + ".seg");
            SegmentFileInfo info = t.write(file, 11, SegmentFileOptions.builder().compression(compression)
                    .blockSize(1024).build());
            try (SegmentFileReader r = SegmentFileReader.open(file, 11, TestEntries.STORE_ID, info.size(),
                    BlockCache.disabled())) {
                assertEquals(list, readAll(r.cursor(null)));
                for (byte[] key : t.keys) {
                    for (long seq = 0; seq <= 10; seq++) {
                        assertEquals(t.expectedGet(key, seq), r.get(key, seq));
                    }
                }
                r.verifyAllBlocks();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void compressionIsRecordedPerBlockAndOnlyUsedWhenItSavesAnEighth(boolean compression) throws IOException {
        // Half the values compress very well, half not at all (random bytes).
        List<Entry> list = new ArrayList<>();
        Random rnd = new Random(5);
        for (int i = 0; i < 400; i++) {
            byte[] value = new byte[500];
            if (i < 200) {
                Arrays.fill(value, (byte) i);
            } else {
                rnd.nextBytes(value);
            }
            list.add(Entry.put(new byte[]{(byte) (i >> 8), (byte) i}, 1, value));
        }
        Path file = tmp.resolve("c.seg");
        SegmentFileInfo info = TestEntries.of(list).write(file, 1, SegmentFileOptions.builder()
                .compression(compression).blockSize(4096).build());
        byte[] bytes = Files.readAllBytes(file);
        int zstd = 0;
        int none = 0;
        try (SegmentFileReader r = SegmentFileReader.open(file, 1, TestEntries.STORE_ID, info.size(),
                BlockCache.disabled())) {
            for (BlockHandle h : r.dataBlocks()) {
                int code = bytes[(int) h.end() - BlockTrailerFormat.LENGTH + BlockTrailerFormat.COMPRESSION_OFFSET];
                if (code == BlockCompression.ZSTD.code()) {
                    zstd++;
                    int uncompressed = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .getInt((int) h.end() - BlockTrailerFormat.LENGTH
                                    + BlockTrailerFormat.UNCOMPRESSED_LENGTH_OFFSET);
                    assertTrue(h.payloadLength() <= uncompressed - uncompressed / 8);
                } else {
                    assertEquals(BlockCompression.NONE.code(), code);
                    none++;
                }
            }
            assertEquals(list, readAll(r.cursor(null)));
        }
        if (compression) {
            assertTrue(zstd > 0, "compressible blocks are compressed");
            assertTrue(none > 0, "random blocks are stored as they are");
        } else {
            assertEquals(0, zstd);
        }
    }

    @Test
    void manyThreadsReadOneFileAtOnce() throws Exception {
        TestEntries t = TestEntries.random(99, 3000, 3, 0, 0);
        Path file = tmp.resolve("mt.seg");
        SegmentFileInfo info = t.write(file, 3, SegmentFileOptions.builder().blockSize(1024).build());
        BlockCache cache = BlockCache.create(64 * 1024);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (SegmentFileReader r = SegmentFileReader.open(file, 3, TestEntries.STORE_ID, info.size(), cache)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                int seed = thread;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 3000; i++) {
                        byte[] key = t.keys.get(rnd.nextInt(t.keys.size()));
                        long seq = rnd.nextBoolean() ? Long.MAX_VALUE : rnd.nextInt((int) t.maxSequence() + 1);
                        assertEquals(t.expectedGet(key, seq), r.get(key, seq));
                    }
                    if (seed == 0) {
                        r.verifyAllBlocks();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(cache.hits() > 0);
        assertTrue(cache.misses() > 0);
    }

    @Test
    void blockKeyRangeComesFromTheIndex() {
        TestEntries t = TestEntries.random(5, 500, 2, 0, 0);
        Path file = tmp.resolve("kr.seg");
        SegmentFileInfo info = t.write(file, 4, SegmentFileOptions.builder().blockSize(1024).build());
        try (SegmentFileReader r = SegmentFileReader.open(file, 4, TestEntries.STORE_ID, info.size(),
                BlockCache.disabled())) {
            List<KeyRange> ranges = new ArrayList<>();
            for (BlockHandle h : r.dataBlocks()) {
                KeyRange range = r.blockKeyRange(h.offset());
                assertTrue(InternalKeys.compareKeys(range.first(), range.last()) <= 0);
                if (!ranges.isEmpty()) {
                    // a key's versions may continue into the next block, so neighbours may share one key
                    assertTrue(InternalKeys.compareKeys(ranges.get(ranges.size() - 1).last(),
                            range.first()) <= 0);
                }
                ranges.add(range);
                assertFalse(range.toString().contains("[B"), "no key bytes or array ids in toString");
            }
            assertArrayEquals(info.smallestKey(), ranges.get(0).first());
            assertArrayEquals(info.largestKey(), ranges.get(ranges.size() - 1).last());
            for (byte[] key : t.keys) {
                assertTrue(ranges.stream().anyMatch(range -> range.contains(key)));
            }
            assertNull(r.blockKeyRange(r.dataBlocks().get(0).offset() + 1));
            assertNull(r.blockKeyRange(0));
            assertNull(r.blockKeyRange(-1));
        }
    }

    @Test
    void aClosedReaderThrowsStorageException() {
        TestEntries t = TestEntries.random(6, 50, 1, 0, 0);
        Path file = tmp.resolve("closed.seg");
        SegmentFileInfo info = t.write(file, 5, SegmentFileOptions.defaults());
        SegmentFileReader r = SegmentFileReader.open(file, 5, TestEntries.STORE_ID, info.size(),
                BlockCache.create(1 << 20));
        EntryCursor c = r.cursor(null);
        r.close();
        r.close();
        assertEquals(StorageException.class, assertThrows(StorageException.class,
                () -> r.get(t.keys.get(0), 1)).getClass());
        assertEquals(StorageException.class, assertThrows(StorageException.class, c::next).getClass());
        assertEquals(StorageException.class, assertThrows(StorageException.class, () -> r.cursor(null)).getClass());
        assertEquals(StorageException.class, assertThrows(StorageException.class, r::verifyAllBlocks).getClass());
    }

    @Test
    void cursorStatesAreChecked() {
        TestEntries t = TestEntries.random(8, 10, 1, 0, 0);
        Path file = tmp.resolve("cur.seg");
        SegmentFileInfo info = t.write(file, 6, SegmentFileOptions.defaults());
        try (SegmentFileReader r = SegmentFileReader.open(file, 6, TestEntries.STORE_ID, info.size(),
                BlockCache.disabled())) {
            EntryCursor c = r.cursor(null);
            assertThrows(IllegalStateException.class, c::entry);
            List<Entry> seen = new ArrayList<>();
            while (c.next()) {
                seen.add(c.entry());
            }
            assertFalse(c.next());
            assertThrows(IllegalStateException.class, c::entry);
            c.close();
            assertThrows(IllegalStateException.class, c::next);
            assertEquals(t.expectedFrom(null), seen);
            assertNull(r.get(new byte[]{9, 9, 9, 9, 9, 9}, Long.MAX_VALUE));
        }
    }

    static List<Entry> readAll(EntryCursor c) {
        List<Entry> out = new ArrayList<>();
        try (c) {
            while (c.next()) {
                out.add(c.entry());
            }
        }
        return out;
    }

    private static byte[] randomKey(Random rnd) {
        byte[] k = new byte[rnd.nextInt(30)];
        rnd.nextBytes(k);
        if (k.length >= 4 && rnd.nextBoolean()) {
            k[0] = 0;
            k[1] = 0;
            k[2] = 0;
            k[3] = (byte) rnd.nextInt(4);
        }
        return k;
    }
}
