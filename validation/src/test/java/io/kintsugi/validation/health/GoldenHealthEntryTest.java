package io.kintsugi.validation.health;

import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogReader;
import io.kintsugi.oplog.UnsupportedFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads the checked-in golden health-log entries ({@code src/test/resources/golden/health-v1/}, written by
 * {@link GoldenHealthEntryWriter}) so that any change to the format fails here. A deliberate change bumps
 * {@link HealthEntryFormat#VERSION_CURRENT}, adds a new golden directory and updates {@code docs/FORMAT.md}
 * section 11.
 *
 * <p>The layout checks use literal bytes and offsets, not the format class's constants, so that changing a constant
 * cannot make them pass by accident.
 */
class GoldenHealthEntryTest {

    private static final String GOLDEN = "/golden/health-v1/";
    private static final Path DIR = Paths.get("golden", "health");

    /** The golden files, as documented in docs/FORMAT.md section 11.5. */
    private static final Map<String, String> GOLDEN_HEX = Map.of(
            "inconsistent.entry", ""
                    + "01" + "03" + "01" + "02" + "0f"                    // version, ERROR, SCAN_BATCH, INCONSISTENT, flags
                    + "402aa46900000000" + "15cd5b07"                     // 2026-03-01T12:00:00 + 123456789 ns
                    + "0a00000000000000" + "8002000000000000"             // count 10, bytes 640
                    + "9210000000000000"                                  // sequence 4242
                    + "efcdab8967452301" + "8877665544332211"             // expected 0123456789abcdef1122334455667788
                    + "efcdab8967452301" + "9977665544332211"             // found    0123456789abcdef1122334455667799
                    + "0900" + "7265706c6963612d61"                       // replica id "replica-a"
                    + "0600" + "6f7264657273"                             // namespace "orders"
                    + "03000000" + "6b0001"                               // min key 6b 00 01
                    + "02000000" + "6bff"                                 // max key 6b ff
                    + "0d00" + "68617368206d69736d61746368",              // detail "hash mismatch"
            "minimal.entry", ""
                    + "01" + "01" + "04" + "05" + "00"                    // version, INFO, VERIFY, NONE, no flags
                    + "0000000000000000" + "00000000"                     // the epoch
                    + "ffffffffffffffff" + "ffffffffffffffff"             // count -1, bytes -1
                    + "ffffffffffffffff"                                  // sequence -1
                    + "00".repeat(32)                                     // no hashes
                    + "0000" + "0000" + "0000",                           // empty replica id, namespace, detail
            "open-range.entry", ""
                    + "01" + "02" + "02" + "03" + "09"                    // WARNING, CHECKSUM_FAILURE, DAMAGED, min key + found
                    + "01d3a46900000000" + "00000000"                     // 2026-03-02T00:00:01Z
                    + "0000000000000000" + "ffffffffffffffff"             // count 0, bytes -1
                    + "0700000000000000"                                  // sequence 7
                    + "00".repeat(16)                                     // no expected hash
                    + "ffffffffffffffff" + "0100000000000000"             // found ffffffffffffffff0000000000000001
                    + "0200" + "7232"                                     // replica id "r2"
                    + "0500" + "7573657273"                               // namespace "users"
                    + "00000000"                                          // min key: present and empty
                    + "0f00" + "626c6f6320656e646f6d6d6167c3a9");         // detail "bloc endommagé" in UTF-8

    @TempDir
    Path work;

    @Test
    void theGoldenDirectoryHoldsExactlyTheseFiles() throws Exception {
        Path dir = Paths.get(GoldenHealthEntryTest.class.getResource(GOLDEN + "minimal.entry").toURI()).getParent();
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("inconsistent.entry", "minimal.entry", "open-range.entry"),
                    s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList());
        }
        assertEquals(GoldenHealthEntryWriter.FILES.keySet(), GOLDEN_HEX.keySet());
    }

    @Test
    void theGoldenBytesAreAsDocumented() throws IOException {
        for (String name : GOLDEN_HEX.keySet()) {
            assertEquals(GOLDEN_HEX.get(name), HexFormat.of().formatHex(golden(name)), name);
        }
        assertEquals(120, golden("inconsistent.entry").length);
        assertEquals(79, golden("minimal.entry").length, "73 fixed bytes and three empty u16-length texts");
    }

    @Test
    void currentCodeDecodesTheGoldenFilesToTheDocumentedEntries() throws IOException {
        for (Map.Entry<String, HealthEntry> e : GoldenHealthEntryWriter.FILES.entrySet()) {
            assertEquals(e.getValue(), HealthEntryFormat.decode(golden(e.getKey()), DIR, 1), e.getKey());
        }
        HealthEntry open = HealthEntryFormat.decode(golden("open-range.entry"), DIR, 1);
        assertArrayEquals(new byte[0], open.minKey());
        assertNull(open.maxKey());
        assertNull(open.expected());
        assertEquals("ffffffffffffffff0000000000000001", open.found().toString());
        assertEquals(Instant.parse("2026-03-01T12:00:00.123456789Z"),
                HealthEntryFormat.decode(golden("inconsistent.entry"), DIR, 1).time());
    }

    @Test
    void currentCodeEncodesExactlyTheGoldenBytes() throws IOException {
        for (Map.Entry<String, HealthEntry> e : GoldenHealthEntryWriter.FILES.entrySet()) {
            assertArrayEquals(golden(e.getKey()), HealthEntryFormat.encode(e.getValue()), e.getKey()
                    + " is no longer encoded as the golden file: a format change needs a version bump, new golden"
                    + " files and docs/FORMAT.md section 11");
        }
    }

    @Test
    void theHealthLogStoresEachEntryAsOneRecordOfTypeOneAndTermZero() throws IOException {
        Path store = Files.createDirectories(work.resolve("store"));
        try (HealthLog health = HealthLog.open(store)) {
            for (HealthEntry e : GoldenHealthEntryWriter.FILES.values()) {
                health.append(e);
            }
        }
        List<LogRecord> records = new ArrayList<>();
        try (Oplog log = Oplog.open(HealthLog.directory(store)); OplogReader r = log.reader(log.firstSequence())) {
            for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                records.add(rec);
            }
        }
        assertEquals(List.of(1L, 2L, 3L), records.stream().map(LogRecord::sequence).toList());
        assertTrue(records.stream().allMatch(r -> r.type() == 1 && r.term() == 0));
        List<String> names = List.copyOf(GoldenHealthEntryWriter.FILES.keySet());
        for (int i = 0; i < names.size(); i++) {
            assertArrayEquals(golden(names.get(i)), records.get(i).payload(), names.get(i));
        }
    }

    @Test
    void versionsOutsideTheSupportedRangeAreRejected() throws IOException {
        for (int version : new int[]{0, 2}) {
            byte[] p = golden("minimal.entry");
            p[0] = (byte) version;
            UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
                    () -> HealthEntryFormat.decode(p, DIR, 5));
            assertTrue(e.getMessage().contains(version == 0 ? "too old" : "too new"), e.getMessage());
        }
        assertEquals(1, HealthEntryFormat.VERSION_START);
        assertEquals(1, HealthEntryFormat.VERSION_CURRENT);
        ByteBuffer b = ByteBuffer.wrap(golden("inconsistent.entry")).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4242, b.getLong(33), "sequence at offset 33");
        assertEquals(9, b.getShort(73), "replica id length at offset 73");
    }

    static byte[] golden(String name) throws IOException {
        try (InputStream in = GoldenHealthEntryTest.class.getResourceAsStream(GOLDEN + name)) {
            if (in == null) {
                throw new IOException("golden file " + GOLDEN + name + " is missing");
            }
            return in.readAllBytes();
        }
    }
}
