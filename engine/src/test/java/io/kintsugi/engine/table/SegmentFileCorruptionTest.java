package io.kintsugi.engine.table;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.SegmentFileHeaderFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.format.Crc32c;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded corruption of segment files: a bit flipped in every kind of block, blocks swapped, a file in another
 * file's place or another store's, truncation, extension, zeroed and junk 4 KiB regions. Each case asserts the
 * exact exception type and where it points, that reads elsewhere keep working, and that no read ever returns a
 * wrong value.
 */
class SegmentFileCorruptionTest {

    private static final int CASES = Math.min(200, Integer.getInteger("kintsugi.corruption.cases", 200));
    private static final long FILE_NUMBER = 21;

    @TempDir
    Path tmp;

    /** A written file, its original bytes and where its blocks are. */
    private final class Fixture {
        final TestEntries entries;
        final Path file;
        final SegmentFileInfo info;
        final byte[] original;
        final Map<String, BlockHandle> regions = new LinkedHashMap<>();
        final List<BlockHandle> dataBlocks;

        Fixture(String name, TestEntries entries, SegmentFileOptions options) throws IOException {
            this.entries = entries;
            this.file = tmp.resolve(name);
            this.info = entries.write(file, FILE_NUMBER, options);
            this.original = Files.readAllBytes(file);
            try (SegmentFileReader r = open(BlockCache.disabled())) {
                dataBlocks = r.dataBlocks();
            }
            ByteBuffer b = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
            int footer = original.length - FooterFormat.LENGTH;
            regions.put("header", new BlockHandle(0, SegmentFileHeaderFormat.LENGTH));
            for (int i = 0; i < dataBlocks.size(); i++) {
                regions.put("data " + i, dataBlocks.get(i));
            }
            regions.put("filter", handle(b, footer + FooterFormat.FILTER_HANDLE_OFFSET));
            regions.put("index", handle(b, footer + FooterFormat.INDEX_HANDLE_OFFSET));
            regions.put("metadata", handle(b, footer + FooterFormat.METADATA_HANDLE_OFFSET));
            regions.put("footer", new BlockHandle(footer, FooterFormat.LENGTH));
        }

        SegmentFileReader open(BlockCache cache) {
            return SegmentFileReader.open(file, FILE_NUMBER, TestEntries.STORE_ID, original.length, cache);
        }

        void restore() throws IOException {
            Files.write(file, original);
        }

        private BlockHandle handle(ByteBuffer b, int at) {
            return new BlockHandle(b.getLong(at), b.getInt(at + 8));
        }
    }

    private Fixture fixture(String name, boolean compression) throws IOException {
        return new Fixture(name, TestEntries.random(1234, 600, 3, 50, 3000),
                SegmentFileOptions.builder().blockSize(1024).compression(compression).build());
    }

    @ParameterizedTest(name = "compression={0}")
    @ValueSource(booleans = {false, true})
    void aBitFlippedInAnyBlockIsFoundWhereItIs(boolean compression) throws IOException {
        Fixture f = fixture("flip.seg", compression);
        Random rnd = new Random(compression ? 11 : 12);
        for (Map.Entry<String, BlockHandle> region : f.regions.entrySet()) {
            BlockHandle h = region.getValue();
            long at = h.offset() + rnd.nextInt(h.length());
            FileDamage.flipBit(f.file, at, rnd.nextInt(8));
            String what = region.getKey() + " block at " + h.offset() + ", flipped byte " + at;
            if (region.getKey().startsWith("data")) {
                try (SegmentFileReader r = f.open(BlockCache.create(1 << 20))) {
                    assertOnlyTheDamagedBlockFails(f, r, h, what);
                    CorruptionException e = assertThrows(CorruptionException.class, r::verifyAllBlocks, what);
                    assertReport(e, f.file, h, what);
                }
            } else {
                CorruptionException e = assertThrows(CorruptionException.class, () -> f.open(BlockCache.disabled()),
                        what);
                assertReport(e, f.file, h, what);
            }
            f.restore();
        }
    }

    @Test
    void twoEqualSizedDataBlocksSwappedAreDetected() throws IOException {
        List<Entry> list = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            list.add(Entry.put(ByteBuffer.allocate(8).putLong(i).array(), 1000 - i, new byte[100]));
        }
        Fixture f = new Fixture("swap.seg", TestEntries.of(list),
                SegmentFileOptions.builder().blockSize(1024).compression(false).build());
        BlockHandle a = f.dataBlocks.get(1);
        BlockHandle b = f.dataBlocks.get(2);
        assertEquals(a.length(), b.length(), "the test needs equal-sized blocks");
        byte[] bytesA = Arrays.copyOfRange(f.original, (int) a.offset(), (int) a.end());
        byte[] bytesB = Arrays.copyOfRange(f.original, (int) b.offset(), (int) b.end());
        FileDamage.overwrite(f.file, a.offset(), bytesB);
        FileDamage.overwrite(f.file, b.offset(), bytesA);
        try (SegmentFileReader r = f.open(BlockCache.create(1 << 20))) {
            for (Entry e : list) {
                byte[] k = e.key();
                boolean inA = r.blockKeyRange(a.offset()).contains(k);
                boolean inB = r.blockKeyRange(b.offset()).contains(k);
                if (inA || inB) {
                    CorruptionException ex = assertThrows(CorruptionException.class, () -> r.get(k, Long.MAX_VALUE));
                    assertReport(ex, f.file, inA ? a : b, "swapped block");
                } else {
                    assertEquals(e, r.get(k, Long.MAX_VALUE));
                }
            }
            assertEquals(CorruptionException.class, assertThrows(CorruptionException.class, r::verifyAllBlocks)
                    .getClass());
        }
    }

    @Test
    void aFileInAnotherFilesPlaceOrFromAnotherStoreIsRejectedAtOpen() throws IOException {
        Fixture f = fixture("21.seg", true);
        Path other = tmp.resolve("22.seg");
        Files.copy(f.file, other, StandardCopyOption.REPLACE_EXISTING);
        CorruptionException e = assertThrows(CorruptionException.class, () -> SegmentFileReader.open(other, 22,
                TestEntries.STORE_ID, f.original.length, BlockCache.disabled()));
        assertEquals(CorruptionException.class, e.getClass());
        assertEquals(CorruptionKind.BAD_HEADER, e.report().kind());
        assertEquals(other, e.report().file());
        assertTrue(e.getMessage().contains("file number 21"), e.getMessage());

        // Even with a header rewritten to say 22 (and a valid header CRC), the footer's checksum context catches it.
        byte[] header = SegmentFileHeaderFormat.encode(TestEntries.STORE_ID, 22);
        FileDamage.overwrite(other, 0, header);
        e = assertThrows(CorruptionException.class, () -> SegmentFileReader.open(other, 22, TestEntries.STORE_ID,
                f.original.length, BlockCache.disabled()));
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, e.report().kind());
        assertEquals(f.original.length - FooterFormat.LENGTH, e.report().offset());

        UUID stranger = UUID.fromString("00000000-0000-0000-0000-00000000beef");
        e = assertThrows(CorruptionException.class, () -> SegmentFileReader.open(f.file, FILE_NUMBER, stranger,
                f.original.length, BlockCache.disabled()));
        assertEquals(CorruptionKind.FOREIGN_FILE, e.report().kind());

        e = assertThrows(CorruptionException.class, () -> SegmentFileReader.open(tmp.resolve("missing.seg"), 9,
                TestEntries.STORE_ID, 100, BlockCache.disabled()));
        assertEquals(CorruptionKind.MISSING_FILE, e.report().kind());
    }

    @Test
    void aFileOfTheWrongSizeIsRejectedAtOpen() throws IOException {
        Fixture f = fixture("size.seg", false);
        Random rnd = new Random(3);
        for (int i = 0; i < 20; i++) {
            long cut = i == 0 ? 0 : rnd.nextInt(f.original.length);
            FileDamage.truncate(f.file, cut);
            CorruptionException e = assertThrows(CorruptionException.class, () -> f.open(BlockCache.disabled()));
            assertEquals(CorruptionKind.TRUNCATED, e.report().kind());
            assertTrue(e.getMessage().contains(cut + " bytes long, expected " + f.original.length), e.getMessage());
            // An engine that recorded the wrong size still cannot read the cut file.
            if (cut > 0) {
                assertEquals(CorruptionException.class, assertThrows(CorruptionException.class,
                        () -> SegmentFileReader.open(f.file, FILE_NUMBER, TestEntries.STORE_ID, cut,
                                BlockCache.disabled())).getClass());
            }
            f.restore();
        }
        FileDamage.overwrite(f.file, f.original.length, new byte[]{0});
        CorruptionException e = assertThrows(CorruptionException.class, () -> f.open(BlockCache.disabled()));
        assertEquals(CorruptionKind.BAD_LENGTH, e.report().kind());
    }

    @Test
    void aDataBlockZeroedWhileTheReaderIsOpenFailsOnlyItsReads() throws IOException {
        Fixture f = fixture("zero.seg", true);
        try (SegmentFileReader r = f.open(BlockCache.disabled())) {
            BlockHandle h = f.dataBlocks.get(f.dataBlocks.size() / 2);
            FileDamage.overwrite(f.file, h.offset(), new byte[h.length()]);
            assertOnlyTheDamagedBlockFails(f, r, h, "zeroed block");
        }
    }

    /**
     * Seeded random damage: flipped bits, zeroed or junk 4 KiB regions, truncation and extension. After each,
     * every read returns the oracle's answer or throws {@link CorruptionException}, nothing else; and a full
     * verification fails whenever a byte changed.
     */
    @ParameterizedTest(name = "compression={0}")
    @ValueSource(booleans = {false, true})
    void randomDamageNeverYieldsAWrongValue(boolean compression) throws IOException {
        Fixture f = fixture("random.seg", compression);
        Random rnd = new Random(compression ? 2024 : 2025);
        int opened = 0;
        for (int c = 0; c < CASES / 2; c++) {
            String what = damage(f, rnd, c);
            boolean changed = !Arrays.equals(f.original, Files.readAllBytes(f.file));
            SegmentFileReader r;
            try {
                r = f.open(BlockCache.create(64 * 1024));
            } catch (Throwable t) {
                assertEquals(CorruptionException.class, t.getClass(), what + ": " + t);
                f.restore();
                continue;
            }
            opened++;
            try (r) {
                assertEquals(CorruptionException.class, tryVerify(r), what + ": verifyAllBlocks");
                for (byte[] key : f.entries.keys) {
                    for (long seq : new long[]{Long.MAX_VALUE, rnd.nextInt((int) f.entries.maxSequence() + 1)}) {
                        try {
                            assertEquals(f.entries.expectedGet(key, seq), r.get(key, seq), what);
                        } catch (Throwable t) {
                            assertEquals(CorruptionException.class, t.getClass(), what + ": " + t);
                        }
                    }
                }
                List<Entry> expected = f.entries.expectedFrom(null);
                List<Entry> seen = new ArrayList<>();
                try (EntryCursor cursor = r.cursor(null)) {
                    while (cursor.next()) {
                        seen.add(cursor.entry());
                    }
                    assertEquals(expected, seen, what);
                } catch (Throwable t) {
                    assertEquals(CorruptionException.class, t.getClass(), what + ": " + t);
                    assertEquals(expected.subList(0, seen.size()), seen, what);
                }
            }
            assertTrue(changed, what);
            f.restore();
        }
        assertTrue(opened > 0, "some damage must leave the file openable, or data-block damage is not tested");
    }

    private static Class<?> tryVerify(SegmentFileReader r) {
        try {
            r.verifyAllBlocks();
            return null;
        } catch (Throwable t) {
            return t.getClass();
        }
    }

    private String damage(Fixture f, Random rnd, int c) throws IOException {
        int n = f.original.length;
        switch (c % 5) {
            case 0, 1: {
                long at = rnd.nextInt(n);
                FileDamage.flipBit(f.file, at, rnd.nextInt(8));
                return "case " + c + ": bit flipped at " + at;
            }
            case 2: {
                long at = rnd.nextInt(n);
                int len = (int) Math.min(4096, n - at);
                FileDamage.overwrite(f.file, at, new byte[len]);
                if (Arrays.equals(f.original, Files.readAllBytes(f.file))) {
                    FileDamage.flipBit(f.file, at, 0);
                }
                return "case " + c + ": 4 KiB zeroed at " + at;
            }
            case 3: {
                long at = rnd.nextInt(n);
                byte[] junk = new byte[(int) Math.min(4096, n - at)];
                rnd.nextBytes(junk);
                FileDamage.overwrite(f.file, at, junk);
                return "case " + c + ": 4 KiB of junk at " + at;
            }
            default: {
                long cut = rnd.nextInt(n);
                FileDamage.truncate(f.file, cut);
                return "case " + c + ": truncated to " + cut;
            }
        }
    }

    private static void assertOnlyTheDamagedBlockFails(Fixture f, SegmentFileReader r, BlockHandle damaged,
                                                       String what) {
        KeyRange range = r.blockKeyRange(damaged.offset());
        long maxSeq = f.entries.maxSequence();
        for (byte[] key : f.entries.keys) {
            boolean inside = InternalKeys.compareKeys(range.first(), key) < 0
                    && InternalKeys.compareKeys(key, range.last()) < 0;
            for (long seq : new long[]{Long.MAX_VALUE, maxSeq / 2, 0}) {
                if (inside) {
                    CorruptionException e = assertThrows(CorruptionException.class, () -> r.get(key, seq), what);
                    assertReport(e, f.file, damaged, what);
                } else if (!range.contains(key)) {
                    assertEquals(f.entries.expectedGet(key, seq), r.get(key, seq), what);
                } else {
                    try {
                        assertEquals(f.entries.expectedGet(key, seq), r.get(key, seq), what);
                    } catch (CorruptionException e) {
                        assertReport(e, f.file, damaged, what);
                    }
                }
            }
        }
        // A scan from the start stops at the damaged block, having returned exactly the entries before it.
        List<Entry> seen = new ArrayList<>();
        EntryCursor c = r.cursor(null);
        CorruptionException e = assertThrows(CorruptionException.class, () -> {
            while (c.next()) {
                seen.add(c.entry());
            }
        }, what);
        assertReport(e, f.file, damaged, what);
        List<Entry> all = f.entries.expectedFrom(null);
        assertEquals(all.subList(0, seen.size()), seen);
        for (Entry seenEntry : seen) {
            assertTrue(InternalKeys.compareKeys(seenEntry.key(), range.first()) <= 0, what);
        }
        // A scan that starts after the damaged block reads to the end.
        byte[] after = Arrays.copyOf(range.last(), range.last().length + 1);
        assertEquals(f.entries.expectedFrom(after), SegmentFileRoundTripTest.readAll(r.cursor(after)), what);
    }

    private static void assertReport(CorruptionException e, Path file, BlockHandle where, String what) {
        assertEquals(CorruptionException.class, e.getClass(), what);
        assertEquals(file, e.report().file(), what);
        assertEquals(where.offset(), e.report().offset(), what + ": " + e.getMessage());
        assertEquals(where.length(), e.report().length(), what + ": " + e.getMessage());
        if (e.report().kind() == CorruptionKind.CHECKSUM_MISMATCH) {
            assertTrue(e.getMessage().matches(".*expected checksum 0x[0-9a-f]{8}, actual 0x[0-9a-f]{8}.*"),
                    e.getMessage());
            assertNotEquals(e.report().expected(), e.report().actual());
        }
    }

    @Test
    void theWholeFileCrcCoversEveryByteBeforeTheFooter() throws IOException {
        Fixture f = fixture("crc.seg", true);
        int footer = f.original.length - FooterFormat.LENGTH;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(f.original, 0, footer);
        assertEquals((int) crc.getValue(), f.info.wholeFileCrc());
        assertEquals(Crc32c.mask((int) crc.getValue()), ByteBuffer.wrap(f.original).order(ByteOrder.LITTLE_ENDIAN)
                .getInt(footer + FooterFormat.WHOLE_FILE_CRC_OFFSET));
        try (SegmentFileReader r = f.open(BlockCache.disabled())) {
            r.verifyAllBlocks();
            assertArrayEquals(f.info.smallestKey(), r.info().smallestKey());
        }
        if (f.dataBlocks.isEmpty()) {
            fail("no data blocks");
        }
    }
}
