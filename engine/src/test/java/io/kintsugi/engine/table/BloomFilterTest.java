package io.kintsugi.engine.table;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.BlockLocation;
import io.kintsugi.engine.format.BlockType;
import io.kintsugi.engine.format.BloomFilter;
import io.kintsugi.engine.format.ByteSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The filter has no false negatives, a false-positive rate near what its size promises, and a segment file's reads
 * skip its data blocks for most absent keys.
 */
class BloomFilterTest {

    private static final BlockLocation LOCATION = new BlockLocation(Path.of("test"), 1, BlockType.FILTER,
            new BlockHandle(100, 1000));

    @TempDir
    Path tmp;

    @Test
    void noFalseNegativesAndAboutOnePercentFalsePositivesAtTenBitsPerKey() {
        BloomFilter.Builder b = new BloomFilter.Builder(10);
        for (int i = 0; i < 20_000; i++) {
            b.add(key(i));
        }
        ByteSink encoded = b.encode();
        BloomFilter f = BloomFilter.decode(encoded.toByteArray(), LOCATION);
        assertEquals(7, f.probes());
        assertEquals(200_000, f.bitCount());
        for (int i = 0; i < 20_000; i++) {
            assertTrue(f.mayContain(key(i)));
        }
        int falsePositives = 0;
        for (int i = 20_000; i < 120_000; i++) {
            if (f.mayContain(key(i))) {
                falsePositives++;
            }
        }
        // Theory: 0.82%; allow a wide margin, since this is a sanity check of the hashing, not a benchmark.
        assertTrue(falsePositives < 2_000, "false positives: " + falsePositives + " of 100000");
        assertTrue(falsePositives > 100, "suspiciously few false positives: " + falsePositives);
    }

    @Test
    void zeroBitsPerKeyMeansNoFilter() {
        BloomFilter.Builder b = new BloomFilter.Builder(0);
        b.add(key(1));
        BloomFilter f = BloomFilter.decode(b.encode().toByteArray(), LOCATION);
        assertEquals(0, f.probes());
        assertTrue(f.mayContain(key(12345)));
    }

    @Test
    void absentKeysRarelyReachADataBlock() {
        TestEntries t = TestEntries.random(17, 5000, 1, 0, 0);
        Path file = tmp.resolve("f.seg");
        SegmentFileInfo info = t.write(file, 1, SegmentFileOptions.builder().blockSize(1024).build());
        BlockCache cache = BlockCache.disabled();
        try (SegmentFileReader r = SegmentFileReader.open(file, 1, TestEntries.STORE_ID, info.size(), cache)) {
            Random rnd = new Random(1);
            for (int i = 0; i < 10_000; i++) {
                byte[] k = new byte[12];
                rnd.nextBytes(k);
                k[0] = 0;
                k[1] = 0;
                k[2] = 0;
                k[3] = (byte) rnd.nextInt(4);
                assertEquals(t.expectedGet(k, Long.MAX_VALUE), r.get(k, Long.MAX_VALUE));
            }
        }
        // Every lookup that passes the filter and the index's key ranges costs one block read (a cache miss).
        assertTrue(cache.misses() < 300, "block reads for 10000 absent keys: " + cache.misses());
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(8).putInt(0x5eed).putInt(i).array();
    }
}
