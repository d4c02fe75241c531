package io.kintsugi.engine.table;

import io.kintsugi.engine.format.DataBlockFormat;
import io.kintsugi.oplog.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Options validation, the writer's order and size rules, and its life cycle.
 */
class SegmentFileArgumentsTest {

    @TempDir
    Path tmp;

    @Test
    void optionsHaveDocumentedDefaultsAndRanges() {
        SegmentFileOptions d = SegmentFileOptions.defaults();
        assertEquals(16 * 1024, d.blockSize());
        assertTrue(d.compression());
        assertEquals(3, d.zstdLevel());
        assertEquals(10, d.bloomBitsPerKey());
        SegmentFileOptions.Builder b = SegmentFileOptions.builder();
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.blockSize(1023)), "blockSize");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.blockSize(4 * 1024 * 1024 + 1)),
                "blockSize");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.zstdLevel(0)), "zstdLevel");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.zstdLevel(23)), "zstdLevel");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.bloomBitsPerKey(-1)), "bloomBitsPerKey");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> b.bloomBitsPerKey(65)), "bloomBitsPerKey");
        SegmentFileOptions o = b.blockSize(1024).zstdLevel(22).bloomBitsPerKey(0).compression(false).build();
        assertEquals(1024, o.blockSize());
        assertEquals(22, o.zstdLevel());
        assertEquals(0, o.bloomBitsPerKey());
        assertFalse(o.compression());
        assertEquals(4 * 1024 * 1024, SegmentFileOptions.builder().blockSize(4 * 1024 * 1024).build().blockSize());
    }

    @Test
    void entriesMustStrictlyIncreaseInInternalKeyOrder() {
        Path file = tmp.resolve("order.seg");
        try (SegmentFileWriter w = SegmentFileWriter.create(file, 1, TestEntries.STORE_ID,
                SegmentFileOptions.defaults())) {
            w.add(Entry.put(new byte[]{5}, 10, new byte[]{1}));
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> w.add(Entry.put(new byte[]{5}, 10, new byte[]{2}))), "same key and sequence");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> w.add(Entry.put(new byte[]{5}, 11, new byte[]{2}))), "sequence descending");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> w.add(Entry.put(new byte[]{4}, 1, new byte[]{2}))), "key ascending");
            // Unsigned order: 0x80 sorts after 0x05.
            w.add(Entry.put(new byte[]{5}, 9, new byte[0]));
            w.add(Entry.delete(new byte[]{(byte) 0x80}, 1));
            assertEquals(3, w.entryCount());
            SegmentFileInfo info = w.finish();
            assertEquals(3, info.entryCount());
            assertEquals(1, info.minSequence());
            assertEquals(10, info.maxSequence());
            assertEquals(Files.size(file), info.size());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(Files.exists(file), "closing a finished writer keeps the file");
    }

    @Test
    void messagesNeverCarryKeyBytes() {
        Path file = tmp.resolve("secret.seg");
        byte[] secret = "SECRET-KEY".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (SegmentFileWriter w = SegmentFileWriter.create(file, 1, TestEntries.STORE_ID,
                SegmentFileOptions.defaults())) {
            w.add(Entry.put(secret, 3, secret));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> w.add(Entry.put(secret, 3, secret)));
            assertFalse(e.getMessage().contains("SECRET"));
            assertFalse(e.getMessage().contains(java.util.Arrays.toString(secret)));
            assertFalse(w.toString().contains("SECRET"));
        }
    }

    @Test
    void sizeLimitsAreEnforcedAndNamed() {
        Path file = tmp.resolve("limits.seg");
        try (SegmentFileWriter w = SegmentFileWriter.create(file, 1, TestEntries.STORE_ID,
                SegmentFileOptions.defaults())) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> w.add(Entry.put(
                    new byte[DataBlockFormat.MAX_KEY_LENGTH + 1], 1, new byte[0]))), "65540 bytes");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> w.add(Entry.put(
                    new byte[1], 1, new byte[DataBlockFormat.MAX_VALUE_LENGTH + 1]))), "16777216 bytes");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> w.add(new Entry(new byte[1], 1,
                    EntryKind.DELETE, new byte[1]))), "delete");
            assertThrows(NullPointerException.class, () -> w.add(null));
            assertEquals(0, w.entryCount());
        }
        assertFalse(Files.exists(file), "closing an unfinished writer deletes the file");
    }

    @Test
    void lifeCycle() {
        Path file = tmp.resolve("life.seg");
        assertThrows(IllegalArgumentException.class, () -> SegmentFileWriter.create(file, -1,
                TestEntries.STORE_ID, SegmentFileOptions.defaults()));
        assertThrows(NullPointerException.class, () -> SegmentFileWriter.create(file, 1, null,
                SegmentFileOptions.defaults()));
        SegmentFileWriter w = SegmentFileWriter.create(file, 1, TestEntries.STORE_ID, SegmentFileOptions.defaults());
        assertMessage(assertThrows(StorageException.class, () -> SegmentFileWriter.create(file, 1,
                TestEntries.STORE_ID, SegmentFileOptions.defaults())), "already exists");
        assertMessage(assertThrows(IllegalStateException.class, w::finish), "at least one entry");
        w.add(Entry.put(new byte[]{1}, 1, new byte[]{1}));
        w.abort();
        assertFalse(Files.exists(file));
        assertThrows(IllegalStateException.class, () -> w.add(Entry.put(new byte[]{2}, 1, new byte[0])));
        assertThrows(IllegalStateException.class, w::finish);
        w.abort();

        SegmentFileWriter w2 = SegmentFileWriter.create(file, 1, TestEntries.STORE_ID, SegmentFileOptions.defaults());
        w2.add(Entry.put(new byte[]{1}, 1, new byte[]{1}));
        w2.finish();
        assertThrows(IllegalStateException.class, w2::finish);
        assertThrows(IllegalStateException.class, () -> w2.add(Entry.put(new byte[]{2}, 1, new byte[0])));
        w2.abort();
        assertTrue(Files.exists(file), "abort after finish leaves the finished file alone");
    }

    @Test
    void blockCacheCapacityIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> BlockCache.create(-1));
        assertEquals(0, BlockCache.create(0).capacity());
        assertEquals(0, BlockCache.disabled().capacity());
    }

    private static void assertMessage(Exception e, String part) {
        assertTrue(e.getMessage().contains(part), () -> "message '" + e.getMessage() + "' should contain '" + part
                + "'");
    }
}
