package io.kintsugi.engine.format;

import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The term history file ({@link TermHistoryFormat}, docs/FORMAT.md section 9): round trips, and the exact
 * {@link CorruptionKind} of every way the file can be damaged. Damaged files that must get past the checksum have
 * their CRC recomputed with an independent CRC32C masking.
 */
class TermHistoryFormatTest {

    private static final Path FILE = Paths.get("store", "terms");
    private static final UUID STORE = GoldenTermHistoryWriter.STORE_ID;
    private static final UUID OTHER = UUID.fromString("0f0f0f0f-1111-4222-8333-444444444444");

    private static TermHistory.Entry e(long term, long start, UUID primary) {
        return new TermHistory.Entry(term, start, primary);
    }

    private static byte[] golden() throws IOException {
        return GoldenTermHistoryTest.golden();
    }

    /** Rewrites the CRC of {@code f} (its last 4 bytes) to match its other bytes. */
    private static byte[] withCrc(byte[] f) {
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(f.length - 4,
                GoldenTermHistoryTest.maskedCrc(f, 0, f.length - 4));
        return f;
    }

    private static CorruptionReport fails(CorruptionKind kind, Executable decode) {
        CorruptionException e = assertThrows(CorruptionException.class, decode);
        assertSame(CorruptionException.class, e.getClass());
        assertEquals(kind, e.report().kind(), e.getMessage());
        assertEquals(FILE, e.report().file());
        return e.report();
    }

    private static CorruptionReport fails(CorruptionKind kind, byte[] f) {
        return fails(kind, () -> TermHistoryFormat.decode(f, FILE, STORE));
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void historiesRoundTrip() {
        List<TermHistory> cases = new ArrayList<>();
        cases.add(TermHistory.empty());
        cases.add(TermHistory.of(List.of(e(0, 1, STORE))));
        cases.add(GoldenTermHistoryWriter.HISTORY);
        cases.add(TermHistory.of(List.of(e(0, 1, OTHER), e(Long.MAX_VALUE - 1, Long.MAX_VALUE, STORE))));
        List<TermHistory.Entry> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(e(2L * i, 1 + 1000L * i, i % 2 == 0 ? STORE : OTHER));
        }
        cases.add(TermHistory.of(many));
        for (TermHistory h : cases) {
            byte[] f = TermHistoryFormat.encode(STORE, h);
            assertEquals(32 + 32 * h.entries().size(), f.length);
            assertEquals(h, TermHistoryFormat.decode(f, FILE, STORE));
        }
    }

    @Test
    void entriesRoundTripThroughPutEntryAndReadEntries() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        TermHistoryFormat.putEntry(b, e(5, 9, OTHER));
        TermHistoryFormat.putEntry(b, e(6, 10, STORE));
        assertEquals(64, b.position());
        b.flip();
        assertEquals(List.of(e(5, 9, OTHER), e(6, 10, STORE)), TermHistoryFormat.readEntries(b, 2));
        assertEquals(TermHistoryFormat.ENTRY_LENGTH * 2, b.position());
    }

    // ------------------------------------------------------------------ checksum and size

    @Test
    void everySingleBitFlipIsAChecksumMismatch() throws IOException {
        byte[] good = golden();
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] f = good.clone();
            f[bit / 8] ^= (byte) (1 << (bit % 8));
            CorruptionReport r = fails(CorruptionKind.CHECKSUM_MISMATCH, f);
            assertEquals(0, r.offset());
            assertEquals(good.length, r.length());
            assertTrue(r.expected().isPresent() && r.actual().isPresent());
        }
    }

    @Test
    void theChecksumIsCheckedBeforeTheHeader() throws IOException {
        byte[] f = golden();
        f[0] = 'X'; // bad magic, and the CRC does not match
        fails(CorruptionKind.CHECKSUM_MISMATCH, f);
        byte[] v = golden();
        v[6] = 9; // a version no build reads, but the CRC does not match: corruption, not "too new"
        fails(CorruptionKind.CHECKSUM_MISMATCH, v);
    }

    @Test
    void aFileShorterThanTheSmallestValidOneIsTruncated() throws IOException {
        byte[] good = golden();
        for (int len = 0; len < 32; len++) {
            CorruptionReport r = fails(CorruptionKind.TRUNCATED, Arrays.copyOf(good, len));
            assertEquals(len, r.length());
        }
        // An empty history is exactly 32 bytes and valid.
        assertEquals(TermHistory.empty(), TermHistoryFormat.decode(TermHistoryFormat.encode(STORE,
                TermHistory.empty()), FILE, STORE));
    }

    @Test
    void aLongerCutLosesTheChecksumAndIsAChecksumMismatch() throws IOException {
        byte[] good = golden();
        for (int len = 32; len < good.length; len++) {
            fails(CorruptionKind.CHECKSUM_MISMATCH, Arrays.copyOf(good, len));
        }
    }

    @Test
    void aCountThatDisagreesWithTheFileSizeIsABadLength() throws IOException {
        for (int count : new int[]{0, 2, 4, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            byte[] f = golden();
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(24, count);
            CorruptionReport r = fails(CorruptionKind.BAD_LENGTH, withCrc(f));
            assertEquals(24, r.offset());
            assertEquals(4, r.length());
        }
        // Bytes that are not a whole entry: the count says 3, the file has room for 3 and a half.
        byte[] longer = Arrays.copyOf(golden(), 128 + 16);
        System.arraycopy(golden(), 124, longer, 140, 4);
        fails(CorruptionKind.BAD_LENGTH, withCrc(longer));
    }

    @Test
    void moreEntriesThanAHistoryMayHoldIsABadLength() {
        int count = TermHistory.MAX_ENTRIES + 1;
        ByteBuffer b = ByteBuffer.allocate(28 + 32 * count + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Arrays.copyOf(TermHistoryFormat.encode(STORE, TermHistory.empty()), 24));
        b.putInt(count);
        for (int i = 0; i < count; i++) {
            TermHistoryFormat.putEntry(b, e(i, i + 1, STORE));
        }
        fails(CorruptionKind.BAD_LENGTH, withCrc(b.array()));
    }

    // ------------------------------------------------------------------ header and owner

    @Test
    void aWrongMagicOrKindIsBadMagic() throws IOException {
        byte[] magic = golden();
        magic[3] = 'H';
        assertEquals(0, fails(CorruptionKind.BAD_MAGIC, withCrc(magic)).offset());
        for (int kind : new int[]{1, 2, 3, 0, 5, 255}) {
            byte[] f = golden();
            f[4] = (byte) kind;
            CorruptionReport r = fails(CorruptionKind.BAD_MAGIC, withCrc(f));
            assertEquals(4, r.offset());
        }
        // A store segment file's header does not pass for a term history file.
        byte[] segmentHeader = golden();
        segmentHeader[4] = 3;
        assertTrue(fails(CorruptionKind.BAD_MAGIC, withCrc(segmentHeader)).detail().contains("STORE_SEGMENT"));
    }

    @Test
    void anotherStoresFileIsForeign() throws IOException {
        CorruptionReport r = fails(CorruptionKind.FOREIGN_FILE, () -> TermHistoryFormat.decode(golden(), FILE, OTHER));
        assertEquals(8, r.offset());
        assertEquals(16, r.length());
        assertTrue(r.detail().contains(STORE.toString()) && r.detail().contains(OTHER.toString()), r.detail());
        // The owner is checked before the count.
        byte[] f = golden();
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 7);
        fails(CorruptionKind.FOREIGN_FILE, () -> TermHistoryFormat.decode(withCrc(f), FILE, OTHER));
    }

    // ------------------------------------------------------------------ entries

    /** The golden file with one 8-byte field of one entry replaced, CRC fixed. */
    private static byte[] withField(int entry, int fieldOffset, long value) throws IOException {
        byte[] f = golden();
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(28 + 32 * entry + fieldOffset, value);
        return withCrc(f);
    }

    @Test
    void entriesThatDoNotStrictlyIncreaseAreInvalidContent() throws IOException {
        // entry 1's term 3 -> 0: the same term as entry 0
        CorruptionReport r = fails(CorruptionKind.INVALID_CONTENT, withField(1, 0, 0));
        assertEquals(28, r.offset());
        assertEquals(96, r.length());
        // entry 2's term 7 -> 3: equal to entry 1's
        fails(CorruptionKind.INVALID_CONTENT, withField(2, 0, 3));
        // entry 2's term 7 -> 2: below entry 1's
        fails(CorruptionKind.INVALID_CONTENT, withField(2, 0, 2));
        // entry 1's start 101 -> 1: equal to entry 0's
        fails(CorruptionKind.INVALID_CONTENT, withField(1, 8, 1));
        // entry 2's start 4242 -> 100: before entry 1's
        fails(CorruptionKind.INVALID_CONTENT, withField(2, 8, 100));
    }

    @Test
    void entryFieldsOutOfRangeAreInvalidContent() throws IOException {
        fails(CorruptionKind.INVALID_CONTENT, withField(0, 0, -1));            // negative term
        fails(CorruptionKind.INVALID_CONTENT, withField(0, 8, 0));             // start 0
        fails(CorruptionKind.INVALID_CONTENT, withField(0, 8, Long.MIN_VALUE)); // negative start
    }

    @Test
    void theFileNameAndKindAreFixed() {
        assertEquals("terms", TermHistoryFormat.FILE_NAME);
        assertEquals(24, TermHistoryFormat.COUNT_OFFSET);
        assertEquals(28, TermHistoryFormat.ENTRIES_OFFSET);
        assertEquals(32, TermHistoryFormat.ENTRY_LENGTH);
    }
}
