package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.StoreFiles;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Segment file names: the pattern {@link ManifestChecks#checkFiles} relies on. */
class StoreFilesNamingTest {

    @Test
    void namesAreTwelveDigitsAndSeg() {
        assertEquals("000000000001.seg", StoreFiles.segmentFileName(1));
        assertEquals("000000000042.seg", StoreFiles.segmentFileName(42));
        assertEquals("999999999999.seg", StoreFiles.segmentFileName(StoreFiles.MAX_FILE_NUMBER));
        assertThrows(IllegalArgumentException.class, () -> StoreFiles.segmentFileName(0));
        assertThrows(IllegalArgumentException.class, () -> StoreFiles.segmentFileName(-1));
        assertThrows(IllegalArgumentException.class, () -> StoreFiles.segmentFileName(StoreFiles.MAX_FILE_NUMBER + 1));
        assertThrows(IllegalArgumentException.class, () -> StoreFiles.segmentFileName(Long.MAX_VALUE));
    }

    @Test
    void parsingIsTheInverseAndRejectsEverythingElse() {
        for (long n : new long[] {1, 9, 10, 123456789012L, StoreFiles.MAX_FILE_NUMBER}) {
            assertEquals(n, StoreFiles.parseSegmentFileName(StoreFiles.segmentFileName(n)));
        }
        for (String bad : new String[] {"000000000000.seg", "00000000001.seg", "0000000000001.seg",
                "000000000001.sst", "000000000001.seg.tmp", "00000000000a.seg", "-00000000001.seg",
                "+00000000001.seg", "000000000001.SEG", "", "manifest", "00000000000000000001.oplog",
                "٠٠٠٠٠٠٠٠٠٠٠١.seg"}) {
            assertEquals(-1, StoreFiles.parseSegmentFileName(bad), bad);
        }
        assertEquals(-1, StoreFiles.parseSegmentFileName(null));
    }
}
