package io.kintsugi.repair.lineage;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.UnsupportedFormatException;
import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a lineage payload can fail to decode is a {@link CorruptionException} of the documented kind. */
class LineageRecordFormatTest {

    private static final Path DIR = Paths.get("store", "lineage");

    @TempDir
    Path store;

    private static CorruptionException fails(byte[] payload) {
        return assertThrows(CorruptionException.class, () -> LineageRecordFormat.decode(payload, DIR, 5));
    }

    private static byte[] range() {
        return LineageRecordFormat.encode(GoldenLineageRecordWriter.RANGE);
    }

    @Test
    void eachKindOfDamageIsReportedAsDocumented() {
        byte[] flags = range();
        flags[LineageRecordFormat.FLAGS_OFFSET] |= (byte) 0x80;
        CorruptionException e = fails(flags);
        assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());

        byte[] hash = LineageRecordFormat.encode(GoldenLineageRecordWriter.WHOLE);
        hash[LineageRecordFormat.RANGE_HASH_OFFSET + 3] = 1;
        assertTrue(fails(hash).getMessage().contains("flagged absent"));

        byte[] nanos = range();
        nanos[LineageRecordFormat.TIME_NANOS_OFFSET + 3] = (byte) 0x80;
        assertTrue(fails(nanos).getMessage().contains("time nanos"));

        byte[] seq = range();
        seq[LineageRecordFormat.SEQUENCE_OFFSET + 7] = (byte) 0x80;
        assertTrue(fails(seq).getMessage().contains("sequence must be 0 or more"));

        byte[] count = range();
        Arrays.fill(count, LineageRecordFormat.COUNT_OFFSET, LineageRecordFormat.COUNT_OFFSET + 8, (byte) 0xfe);
        assertTrue(fails(count).getMessage().contains("count"));

        byte[] shortPayload = Arrays.copyOf(range(), range().length - 1);
        assertEquals(CorruptionKind.BAD_LENGTH, fails(shortPayload).report().kind());

        byte[] longPayload = Arrays.copyOf(range(), range().length + 1);
        assertTrue(fails(longPayload).getMessage().contains("left over"));

        byte[] utf8 = range();
        utf8[LineageRecordFormat.FIXED_LENGTH + 2] = (byte) 0xff; // first byte of the target id
        assertTrue(fails(utf8).getMessage().contains("not valid UTF-8"));

        byte[] textLength = range();
        textLength[LineageRecordFormat.FIXED_LENGTH + 1] = 1; // target id length 265, over 255
        assertEquals(CorruptionKind.BAD_LENGTH, fails(textLength).report().kind());

        byte[] keyLength = range();
        keyLength[LineageRecordFormat.FIXED_LENGTH + 30 + 3] = (byte) 0x80; // from length negative
        assertEquals(CorruptionKind.BAD_LENGTH, fails(keyLength).report().kind());
    }

    @Test
    void seededMutationsEitherDecodeToAValidRecordOrFailWithAFormatException() {
        Random random = new Random(0x5eed1);
        for (byte[] golden : new byte[][]{range(), LineageRecordFormat.encode(GoldenLineageRecordWriter.OPEN_RANGE),
                LineageRecordFormat.encode(GoldenLineageRecordWriter.WHOLE)}) {
            for (int i = 0; i < 2000; i++) {
                byte[] b = golden.clone();
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(b.length);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                }
                try {
                    LineageRecord r = LineageRecordFormat.decode(b, DIR, 1);
                    // Whatever decodes re-encodes to the same bytes: no field is read two ways.
                    assertTrue(Arrays.equals(b, LineageRecordFormat.encode(r)), "mutation " + i);
                } catch (CorruptionException e) {
                    assertEquals(DIR, e.report().file());
                    assertFalse(e.getMessage().contains("k\u0000\u0001"), e.getMessage());
                } catch (UnsupportedFormatException e) {
                    assertTrue(e.getMessage().contains("version"), e.getMessage());
                }
            }
        }
    }

    @Test
    void aRecordAtEveryLimitEncodesToTheMaximumLengthAndTheLogTakesIt() {
        LineageRecord big = new LineageRecord(Instant.parse("2026-05-01T10:00:00Z"), LineageKind.RANGE_COPY,
                "t".repeat(255), "s".repeat(255), "n".repeat(255), new byte[LineageRecordFormat.MAX_KEY_BYTES],
                filled(LineageRecordFormat.MAX_KEY_BYTES), 1, 1, 1, new Hash128(1, 2), "r".repeat(255));
        byte[] payload = LineageRecordFormat.encode(big);
        assertEquals(LineageRecordFormat.MAX_ENCODED_LENGTH, payload.length);
        assertEquals(132_163, payload.length, "docs/FORMAT.md 15.1");
        try (LineageLog log = LineageLog.open(store)) {
            log.append(big);
            assertEquals(big, log.query(LineageQuery.all()).get(0));
        }
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 1);
        return b;
    }
}
