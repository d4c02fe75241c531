package io.kintsugi.engine.format;

import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.UnsupportedFormatException;
import io.kintsugi.oplog.format.FileKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads the checked-in golden term history file ({@code src/test/resources/golden/terms-v1/terms}, written by
 * {@link GoldenTermHistoryWriter}) so that any change to the format fails here. A deliberate change bumps
 * {@link TermHistoryFormat#VERSION_CURRENT}, adds a new golden directory and updates {@code docs/FORMAT.md}
 * section 9.
 *
 * <p>The layout checks use literal bytes and offsets and an independent CRC32C masking, not the format class's
 * constants, so that changing a constant cannot make them pass by accident.
 */
class GoldenTermHistoryTest {

    private static final String GOLDEN = "/golden/terms-v1/";
    private static final Path FILE = Paths.get("golden", "terms");

    /** The whole golden file, as documented in docs/FORMAT.md section 9.6. */
    private static final String GOLDEN_HEX = ""
            + "4b545347" + "04" + "00" + "0100" + "efcdab8967452301" + "dec0000000000080"   // header, store id
            + "03000000"                                                                   // count 3
            + "0000000000000000" + "0100000000000000" + "efcdab8967452301" + "dec0000000000080" // term 0 from 1
            + "0300000000000000" + "6500000000000000" + "1032547698badcfe" + "b200000000000080" // term 3 from 101
            + "0700000000000000" + "9210000000000000" + "efcdab8967452301" + "dec0000000000080" // term 7 from 4242
            + "47f4c4b5";                                                                  // masked CRC32C

    @Test
    void theGoldenDirectoryHoldsExactlyTheTermsFile() throws Exception {
        Path dir = Paths.get(GoldenTermHistoryTest.class.getResource(GOLDEN + GoldenTermHistoryWriter.FILE).toURI())
                .getParent();
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("terms"), s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .sorted().toList());
        }
        assertEquals("terms", TermHistoryFormat.FILE_NAME);
    }

    @Test
    void currentCodeDecodesTheGoldenFileToTheDocumentedEntries() throws IOException {
        TermHistory h = TermHistoryFormat.decode(golden(), FILE, GoldenTermHistoryWriter.STORE_ID);
        UUID store = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");
        UUID other = UUID.fromString("fedcba98-7654-3210-8000-0000000000b2");
        assertEquals(List.of(new TermHistory.Entry(0, 1, store), new TermHistory.Entry(3, 101, other),
                new TermHistory.Entry(7, 4242, store)), h.entries());
        assertEquals(GoldenTermHistoryWriter.HISTORY, h);
    }

    @Test
    void currentCodeEncodesExactlyTheGoldenBytes() throws IOException {
        assertArrayEquals(golden(), GoldenTermHistoryWriter.encode(),
                "the term history file is no longer written as the golden file: a format change needs a version "
                        + "bump, new golden files and docs/FORMAT.md section 9");
        byte[] reencoded = TermHistoryFormat.encode(GoldenTermHistoryWriter.STORE_ID,
                TermHistoryFormat.decode(golden(), FILE, GoldenTermHistoryWriter.STORE_ID));
        assertArrayEquals(golden(), reencoded);
    }

    @Test
    void theGoldenBytesAreAsDocumented() throws IOException {
        byte[] f = golden();
        assertEquals(GOLDEN_HEX, HexFormat.of().formatHex(f));
        assertEquals(128, f.length, "24 header + 4 count + 3 x 32 entries + 4 crc");
        assertEquals(4, f[4], "file kind code 4");
        assertEquals(4, FileKind.TERM_HISTORY.code());
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(maskedCrc(f, 0, 124), b.getInt(124), "the CRC covers every byte before it");
    }

    @Test
    void versionsOutsideTheSupportedRangeAreRejected() throws IOException {
        for (int version : new int[]{0, 2}) {
            byte[] f = golden();
            f[6] = (byte) version;
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(124, maskedCrc(f, 0, 124));
            UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
                    () -> TermHistoryFormat.decode(f, FILE, GoldenTermHistoryWriter.STORE_ID));
            assertTrue(e.getMessage().contains(version == 0 ? "too old" : "too new"), e.getMessage());
            assertTrue(e.getMessage().contains("TERM_HISTORY"), e.getMessage());
        }
        assertEquals(1, TermHistoryFormat.VERSION_START);
        assertEquals(1, TermHistoryFormat.VERSION_CURRENT);
    }

    static int maskedCrc(byte[] b, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(b, from, to - from);
        return Integer.rotateRight((int) crc.getValue(), 15) + 0xa282ead8;
    }

    static byte[] golden() throws IOException {
        try (InputStream in = GoldenTermHistoryTest.class.getResourceAsStream(GOLDEN + GoldenTermHistoryWriter.FILE)) {
            if (in == null) {
                throw new IOException("golden file " + GOLDEN + GoldenTermHistoryWriter.FILE + " is missing");
            }
            return in.readAllBytes();
        }
    }
}
