package io.kintsugi.repair.lineage;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogReader;
import io.kintsugi.oplog.UnsupportedFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads the checked-in golden lineage records ({@code src/test/resources/lineage/v1/}, written by
 * {@link GoldenLineageRecordWriter}) so that any change to the format fails here. A deliberate change bumps
 * {@link LineageRecordFormat#VERSION_CURRENT}, adds a new golden directory and updates {@code docs/FORMAT.md}
 * section 15. The layout checks use literal bytes, not the format class's constants, so that changing a constant
 * cannot make them pass by accident.
 */
class GoldenLineageRecordTest {

    private static final String GOLDEN = "/lineage/v1/";
    private static final Path DIR = Paths.get("store", "lineage");

    /** The golden files, as documented in docs/FORMAT.md section 15.4. */
    private static final Map<String, String> GOLDEN_HEX = Map.of(
            "range.record", ""
                    + "01" + "01" + "07"                                  // version, RANGE_COPY, from + to + hash
                    + "402aa46900000000" + "15cd5b07"                     // 2026-03-01T12:00:00 + 123456789 ns
                    + "9210000000000000"                                  // sequence 4242
                    + "0a00000000000000" + "8002000000000000"             // count 10, bytes 640
                    + "efcdab8967452301" + "8877665544332211"             // hash 0123456789abcdef1122334455667788
                    + "0900" + "7265706c6963612d61"                       // target "replica-a"
                    + "0900" + "7265706c6963612d62"                       // source "replica-b"
                    + "0600" + "6f7264657273"                             // namespace "orders"
                    + "03000000" + "6b0001"                               // from 6b 00 01
                    + "02000000" + "6bff"                                 // to 6b ff
                    + "0800" + "7265706169722d37",                        // repair id "repair-7"
            "open-range.record", ""
                    + "01" + "01" + "05"                                  // version, RANGE_COPY, from + hash
                    + "01d3a46900000000" + "00000000"                     // 2026-03-02T00:00:01Z
                    + "0700000000000000"                                  // sequence 7
                    + "ffffffffffffffff" + "ffffffffffffffff"             // count -1, bytes -1
                    + "ffffffffffffffff" + "0100000000000000"             // hash ffffffffffffffff0000000000000001
                    + "0200" + "7232" + "0200" + "7231"                   // target "r2", source "r1"
                    + "0500" + "7573657273"                               // namespace "users"
                    + "00000000"                                          // from: present and empty; no to
                    + "0000",                                             // no repair id
            "whole-replica.record", ""
                    + "01" + "02" + "00"                                  // version, WHOLE_REPLICA_COPY, no flags
                    + "0000000000000000" + "00000000"                     // the epoch
                    + "0000000000000000"                                  // sequence 0
                    + "0000000000000000" + "0000000000000000"             // count 0, bytes 0
                    + "00".repeat(16)                                     // no hash
                    + "0200" + "7233" + "0200" + "7231"                   // target "r3", source "r1"
                    + "0000"                                              // no namespace
                    + "0b00" + "72c3a9706172617469" + "6f6e");            // repair id "réparation" (11 bytes)

    @TempDir
    Path work;

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = GoldenLineageRecordTest.class.getResourceAsStream(GOLDEN + name)) {
            if (in == null) {
                throw new IOException("missing golden file " + GOLDEN + name);
            }
            return in.readAllBytes();
        }
    }

    @Test
    void everyGoldenFileHoldsTheDocumentedBytes() throws IOException {
        assertEquals(GOLDEN_HEX.keySet(), GoldenLineageRecordWriter.FILES.keySet());
        for (Map.Entry<String, String> e : GOLDEN_HEX.entrySet()) {
            assertEquals(e.getValue(), HexFormat.of().formatHex(golden(e.getKey())), e.getKey());
        }
        assertEquals(108, golden("range.record").length);
        assertEquals(76, golden("open-range.record").length);
        assertEquals(78, golden("whole-replica.record").length);
    }

    @Test
    void goldenFilesDecodeToTheirRecordsAndEncodeBackByteForByte() throws IOException {
        for (Map.Entry<String, LineageRecord> e : GoldenLineageRecordWriter.FILES.entrySet()) {
            byte[] bytes = golden(e.getKey());
            LineageRecord decoded = LineageRecordFormat.decode(bytes, DIR, 1);
            assertEquals(e.getValue(), decoded, e.getKey());
            assertArrayEquals(bytes, LineageRecordFormat.encode(decoded), e.getKey());
        }
    }

    @Test
    void versionsOutsideTheSupportedRangeAreTooOldOrTooNew() throws IOException {
        byte[] bytes = golden("range.record");
        bytes[0] = 0;
        UnsupportedFormatException old = assertThrows(UnsupportedFormatException.class,
                () -> LineageRecordFormat.decode(bytes, DIR, 3));
        assertTrue(old.getMessage().contains("too old"), old.getMessage());
        bytes[0] = 2;
        UnsupportedFormatException young = assertThrows(UnsupportedFormatException.class,
                () -> LineageRecordFormat.decode(bytes, DIR, 3));
        assertTrue(young.getMessage().contains("too new"), young.getMessage());
    }

    @Test
    void aZeroedPayloadIsInvalidContentNamingTheDirectoryAndSequence() throws IOException {
        byte[] bytes = new byte[golden("range.record").length];
        bytes[0] = 1; // a valid version, then zeros: kind 0 is no code
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> LineageRecordFormat.decode(bytes, DIR, 9));
        assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
        assertEquals(DIR, e.report().file());
        assertTrue(e.report().detail().contains("sequence 9") && e.report().detail().contains("payload offset 1"),
                e.report().detail());
    }

    @Test
    void theLogStoresEachRecordAsOneRecordOfTypeOneAndTermZeroHoldingTheGoldenBytes() throws IOException {
        Path store = work.resolve("store");
        java.nio.file.Files.createDirectories(store);
        try (LineageLog log = LineageLog.open(store)) {
            for (LineageRecord r : GoldenLineageRecordWriter.FILES.values()) {
                log.append(r);
            }
        }
        List<LogRecord> records = new ArrayList<>();
        try (Oplog raw = Oplog.open(LineageLog.directory(store)); OplogReader r = raw.reader(1)) {
            for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                records.add(rec);
            }
        }
        List<String> names = new ArrayList<>(GoldenLineageRecordWriter.FILES.keySet());
        assertEquals(names.size(), records.size());
        for (int i = 0; i < names.size(); i++) {
            assertEquals(1, records.get(i).type());
            assertEquals(0, records.get(i).term());
            assertEquals(i + 1, records.get(i).sequence());
            assertArrayEquals(golden(names.get(i)), records.get(i).payload(), names.get(i));
        }
    }
}
