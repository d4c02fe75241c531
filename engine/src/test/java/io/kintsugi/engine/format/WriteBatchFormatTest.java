package io.kintsugi.engine.format;

import io.kintsugi.engine.table.EntryKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The payloads of the store's oplog records: golden bytes (so a change to the layout is deliberate, see
 * docs/FORMAT.md section 8), round trips, and rejection of malformed payloads.
 */
class WriteBatchFormatTest {

    private static final byte[] K = "k1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V = "v".getBytes(StandardCharsets.US_ASCII);

    /** Golden: a put of "k1" = "v" in namespace 1 and a delete of "k1" in namespace 2. */
    private static final String GOLDEN_BATCH = "02000000" + "01" + "01000000" + "02000000" + "6b31" + "01000000" + "76"
            + "02" + "02000000" + "02000000" + "6b31";
    /** Golden: namespace 7 called "orders". */
    private static final String GOLDEN_NAMESPACE = "07000000" + "06" + "6f7264657273";

    private static final List<WriteBatchFormat.Operation> OPS = List.of(
            new WriteBatchFormat.Operation(EntryKind.PUT, 1, K, V),
            new WriteBatchFormat.Operation(EntryKind.DELETE, 2, K, new byte[0]));

    @Test
    void aBatchEncodesToTheGoldenBytesAndBack() {
        byte[] encoded = WriteBatchFormat.encode(OPS);
        assertEquals(GOLDEN_BATCH, HexFormat.of().formatHex(encoded));
        List<WriteBatchFormat.Operation> decoded = WriteBatchFormat.decode(HexFormat.of().parseHex(GOLDEN_BATCH));
        assertEquals(2, decoded.size());
        assertEquals(EntryKind.PUT, decoded.get(0).kind());
        assertEquals(1, decoded.get(0).namespace());
        assertArrayEquals(K, decoded.get(0).key());
        assertArrayEquals(V, decoded.get(0).value());
        assertEquals(EntryKind.DELETE, decoded.get(1).kind());
        assertEquals(2, decoded.get(1).namespace());
        assertArrayEquals(new byte[0], decoded.get(1).value());
        assertEquals(1, WriteBatchFormat.TYPE_WRITE_BATCH);
        assertEquals(2, WriteBatchFormat.TYPE_NAMESPACE);
    }

    @Test
    void aNamespaceRecordEncodesToTheGoldenBytesAndBack() {
        assertEquals(GOLDEN_NAMESPACE, HexFormat.of().formatHex(WriteBatchFormat.encodeNamespace(7, "orders")));
        WriteBatchFormat.NamespaceRecord r = WriteBatchFormat.decodeNamespace(HexFormat.of().parseHex(GOLDEN_NAMESPACE));
        assertEquals(7, r.id());
        assertEquals("orders", r.name());
    }

    @Test
    void everyTruncationOrTrailingByteOfABatchIsRejected() {
        byte[] good = HexFormat.of().parseHex(GOLDEN_BATCH);
        for (int len = 0; len < good.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            assertThrows(WriteBatchFormat.MalformedPayloadException.class, () -> WriteBatchFormat.decode(cut),
                    "a batch cut to " + len + " bytes");
        }
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        WriteBatchFormat.MalformedPayloadException e = assertThrows(WriteBatchFormat.MalformedPayloadException.class,
                () -> WriteBatchFormat.decode(longer));
        assertTrue(e.getMessage().contains("follow the last"), e.getMessage());
    }

    @Test
    void fieldsOutsideTheirRangesAreRejected() {
        byte[] badKind = HexFormat.of().parseHex(GOLDEN_BATCH);
        badKind[4] = 9;
        assertThrows(WriteBatchFormat.MalformedPayloadException.class, () -> WriteBatchFormat.decode(badKind));
        byte[] zeroNamespace = HexFormat.of().parseHex(GOLDEN_BATCH);
        zeroNamespace[5] = 0;
        assertThrows(WriteBatchFormat.MalformedPayloadException.class, () -> WriteBatchFormat.decode(zeroNamespace));
        byte[] hugeKey = HexFormat.of().parseHex(GOLDEN_BATCH);
        hugeKey[12] = (byte) 0xFF;
        assertThrows(WriteBatchFormat.MalformedPayloadException.class, () -> WriteBatchFormat.decode(hugeKey));
        byte[] noOps = HexFormat.of().parseHex("00000000");
        assertThrows(WriteBatchFormat.MalformedPayloadException.class, () -> WriteBatchFormat.decode(noOps));
        assertThrows(WriteBatchFormat.MalformedPayloadException.class,
                () -> WriteBatchFormat.decodeNamespace(HexFormat.of().parseHex("0700000007" + "6f7264657273")));
    }
}
