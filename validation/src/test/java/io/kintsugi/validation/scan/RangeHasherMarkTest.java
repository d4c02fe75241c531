package io.kintsugi.validation.scan;

import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RangeHasher#mark()}: the hash kept at a mark is the hash of exactly the pairs added up to it, whatever was
 * added after, and whether the mark fell mid-chunk or just after a chunk was folded.
 */
class RangeHasherMarkTest {

    @Test
    void aMarkHashesExactlyThePairsBeforeIt() {
        long seed = 20261203L;
        Random r = new Random(seed);
        List<byte[][]> pairs = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            // Mostly small values, some larger than a chunk, so that marks fall before, inside and after folds.
            int valueLength = r.nextInt(20) == 0 ? r.nextInt(3 * RangeHasher.CHUNK) : r.nextInt(600);
            byte[] key = new byte[1 + r.nextInt(40)];
            byte[] value = new byte[valueLength];
            r.nextBytes(key);
            r.nextBytes(value);
            pairs.add(new byte[][] {key, value});
        }
        RangeHasher running = new RangeHasher();
        List<RangeHasher.Mark> marks = new ArrayList<>();
        List<Hash128> expected = new ArrayList<>();
        long chains = 0;
        int afterFold = 0;
        for (int i = 0; i < pairs.size(); i++) {
            running.add(pairs.get(i)[0], pairs.get(i)[1]);
            boolean folded = running.chains() != chains;
            chains = running.chains();
            if (folded || r.nextInt(7) == 0) {
                afterFold += folded ? 1 : 0;
                marks.add(running.mark());
                RangeHasher fresh = new RangeHasher();
                for (int j = 0; j <= i; j++) {
                    fresh.add(pairs.get(j)[0], pairs.get(j)[1]);
                }
                expected.add(fresh.hash());
                assertEquals(fresh.hash(), running.hash(), "seed " + seed + ", pair " + i);
            }
        }
        assertTrue(afterFold > 10 && marks.size() > afterFold, "seed " + seed + ": marks of both kinds were taken");
        for (int m = 0; m < marks.size(); m++) {
            assertEquals(expected.get(m), marks.get(m).hash(), "seed " + seed + ", mark " + m);
        }
        RangeHasher.Mark first = marks.get(0);
        assertTrue(first.count() > 0 && first.bytes() > 0);
    }
}
