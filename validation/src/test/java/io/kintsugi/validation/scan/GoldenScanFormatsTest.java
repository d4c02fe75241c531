package io.kintsugi.validation.scan;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checked-in marker and scan-state bytes decode to what they pin, and the code still writes them exactly. */
class GoldenScanFormatsTest {

    private static byte[] read(String name) throws IOException {
        try (InputStream in = GoldenScanFormatsTest.class.getResourceAsStream("/golden/" + name)) {
            assertNotNull(in, "missing golden file " + name);
            return in.readAllBytes();
        }
    }

    @Test
    void rangeHashMarkers() throws IOException {
        for (String[] c : new String[][]{{"marker.bin", "closed"}, {"open-end.bin", "open"}, {"probe.bin", "probe"},
                {"primary-damaged.bin", "damaged"}}) {
            RangeHashMarker expected = switch (c[1]) {
                case "closed" -> GoldenScanFormatsWriter.MARKER;
                case "open" -> GoldenScanFormatsWriter.OPEN_END;
                case "damaged" -> GoldenScanFormatsWriter.PRIMARY_DAMAGED;
                default -> GoldenScanFormatsWriter.PROBE;
            };
            byte[] golden = read("range-hash-marker-v1/" + c[0]);
            assertEquals(expected, RangeHashMarkerFormat.decode(golden, Path.of("oplog"), 1));
            assertArrayEquals(golden, RangeHashMarkerFormat.encode(expected));
            for (int bit = 0; bit < golden.length * 8; bit++) {
                byte[] flipped = golden.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                try {
                    assertNotEquals(expected, RangeHashMarkerFormat.decode(flipped, Path.of("oplog"), 1),
                            "bit " + bit);
                } catch (CorruptionException e) {
                    assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind(), "bit " + bit);
                }
            }
            assertThrows(CorruptionException.class, () -> RangeHashMarkerFormat.decode(
                    Arrays.copyOf(golden, golden.length - 1), Path.of("oplog"), 1));
            assertThrows(CorruptionException.class, () -> RangeHashMarkerFormat.decode(
                    Arrays.copyOf(golden, golden.length + 1), Path.of("oplog"), 1));
        }
    }

    /** The hold flag is bit 1 of the flags byte and nothing else differs from a scan batch's marker. */
    @Test
    void probeMarkerSetsOnlyTheHoldFlag() throws IOException {
        byte[] golden = read("range-hash-marker-v1/probe.bin");
        assertEquals(RangeHashMarkerFormat.FLAG_HOLD, golden[3]);
        assertTrue(RangeHashMarkerFormat.decode(golden, Path.of("oplog"), 1).hold());
        assertFalse(RangeHashMarkerFormat.decode(read("range-hash-marker-v1/marker.bin"), Path.of("oplog"), 1).hold());
        byte[] unknown = golden.clone();
        unknown[3] |= 8;
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> RangeHashMarkerFormat.decode(unknown, Path.of("oplog"), 9));
        assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
    }

    /**
     * The primary-damaged flag is bit 2, set only with the hold flag, and such a marker asserts no count, bytes or
     * hash; a payload that breaks that was written wrong.
     */
    @Test
    void primaryDamagedMarkerSetsHoldAndDamagedAndAssertsNoHash() throws IOException {
        byte[] golden = read("range-hash-marker-v1/primary-damaged.bin");
        assertEquals(RangeHashMarkerFormat.FLAG_HOLD | RangeHashMarkerFormat.FLAG_PRIMARY_DAMAGED, golden[3]);
        RangeHashMarker m = RangeHashMarkerFormat.decode(golden, Path.of("oplog"), 1);
        assertTrue(m.hold() && m.primaryDamaged());
        assertFalse(RangeHashMarkerFormat.decode(read("range-hash-marker-v1/probe.bin"), Path.of("oplog"), 1)
                .primaryDamaged());
        byte[] notHeld = golden.clone();
        notHeld[3] = (byte) RangeHashMarkerFormat.FLAG_PRIMARY_DAMAGED;
        assertEquals(CorruptionKind.INVALID_CONTENT, assertThrows(CorruptionException.class,
                () -> RangeHashMarkerFormat.decode(notHeld, Path.of("oplog"), 2)).report().kind());
        byte[] counted = golden.clone();
        counted[44] = 1; // count's low byte
        assertEquals(CorruptionKind.INVALID_CONTENT, assertThrows(CorruptionException.class,
                () -> RangeHashMarkerFormat.decode(counted, Path.of("oplog"), 3)).report().kind());
        assertThrows(IllegalArgumentException.class, () -> new RangeHashMarker(GoldenScanFormatsWriter.STORE_ID, 1,
                0, 1, HashAlgorithm.XXH3_128_CHAINED, "orders", new byte[0], null, 1, 0, new Hash128(0, 0), true,
                true));
    }

    @Test
    void scanState() throws IOException {
        byte[] golden = read("scan-state-v1/" + ScanStateFormat.FILE_NAME);
        UUID id = GoldenScanFormatsWriter.STORE_ID;
        assertEquals(GoldenScanFormatsWriter.STATE, ScanStateFormat.decode(golden, Path.of("scan-state"), id));
        assertArrayEquals(golden, ScanStateFormat.encode(id, GoldenScanFormatsWriter.STATE));
        for (int bit = 0; bit < golden.length * 8; bit++) {
            byte[] flipped = golden.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(CorruptionException.class, () -> ScanStateFormat.decode(flipped, Path.of("s"), id),
                    "bit " + bit);
        }
        CorruptionException foreign = assertThrows(CorruptionException.class,
                () -> ScanStateFormat.decode(golden, Path.of("s"), UUID.randomUUID()));
        assertEquals(CorruptionKind.FOREIGN_FILE, foreign.report().kind());
    }

    /** Pinned values of the range hash: a change to its definition must show here. */
    @Test
    void rangeHashValues() {
        RangeHasher h = new RangeHasher();
        Hash128 empty = h.hash();
        h.add("k1".getBytes(StandardCharsets.US_ASCII), "v".getBytes(StandardCharsets.US_ASCII));
        Hash128 one = h.hash();
        h.reset();
        for (int i = 0; i < 300; i++) {
            byte[] v = new byte[1000];
            Arrays.fill(v, (byte) i);
            h.add(String.format("k%04d", i).getBytes(StandardCharsets.US_ASCII), v);
        }
        Hash128 chained = h.hash(); // 301 500 bytes of stream: four full 64 KiB chunks and a partial one
        assertEquals(EMPTY, empty.toString());
        assertEquals(ONE_PAIR, one.toString());
        assertEquals(CHAINED, chained.toString());
        assertEquals(300, h.count());
        assertEquals(300 * 1005, h.bytes());
    }

    @Test
    void theHashDependsOnOrderAndOnHowBytesSplitBetweenKeyAndValue() {
        RangeHasher a = new RangeHasher();
        a.add(new byte[]{1}, new byte[]{2, 3});
        a.add(new byte[]{4}, new byte[]{5});
        RangeHasher b = new RangeHasher();
        b.add(new byte[]{1, 2}, new byte[]{3});
        b.add(new byte[]{4}, new byte[]{5});
        RangeHasher c = new RangeHasher();
        c.add(new byte[]{4}, new byte[]{5});
        c.add(new byte[]{1}, new byte[]{2, 3});
        assertNotEquals(a.hash(), b.hash());
        assertNotEquals(a.hash(), c.hash());
        assertEquals(a.hash(), a.hash(), "hash() does not disturb the running state");
    }

    static final String EMPTY = "f5d818248fc92d0a3c862b0efc395c42";
    static final String ONE_PAIR = "a51a61720fa653424322c168c3876c0e";
    static final String CHAINED = "9c3b1aeec2e050cc8ea0ed8a7616146d";
}
