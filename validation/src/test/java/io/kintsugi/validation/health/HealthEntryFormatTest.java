package io.kintsugi.validation.health;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.UnsupportedFormatException;
import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips, limits and decode failures of {@link HealthEntryFormat}. */
class HealthEntryFormatTest {

    private static final Path DIR = Paths.get("store", "health");

    @Test
    void randomEntriesDecodeToExactlyTheEntryEncoded() {
        Random random = new Random(20260301);
        for (int i = 0; i < 500; i++) {
            HealthEntry e = TestEntries.random(i, random);
            byte[] payload = HealthEntryFormat.encode(e);
            assertEquals(e, HealthEntryFormat.decode(payload, DIR, i + 1));
            assertArrayEquals(payload, HealthEntryFormat.encode(HealthEntryFormat.decode(payload, DIR, i + 1)));
        }
    }

    @Test
    void anEmptyKeyIsNotAnOpenBound() {
        HealthEntry e = new HealthEntry(TestEntries.T0, Severity.INFO, "", HealthKind.REPAIR, Verdict.NONE, "ns",
                new byte[0], null, 0, 0, null, null, 0, "");
        HealthEntry back = HealthEntryFormat.decode(HealthEntryFormat.encode(e), DIR, 1);
        assertArrayEquals(new byte[0], back.minKey());
        assertNull(back.maxKey());
    }

    @Test
    void largestFieldsEncodeAndDecode() {
        HealthEntry e = new HealthEntry(Instant.MAX, Severity.ERROR, "r".repeat(255), HealthKind.CHECKSUM_FAILURE,
                Verdict.DAMAGED, "n".repeat(255), new byte[HealthEntryFormat.MAX_KEY_BYTES],
                new byte[HealthEntryFormat.MAX_KEY_BYTES], Long.MAX_VALUE, Long.MAX_VALUE, new Hash128(-1, -1),
                new Hash128(0, 0), Long.MAX_VALUE, "d".repeat(4096));
        byte[] payload = HealthEntryFormat.encode(e);
        assertEquals(HealthEntryFormat.MAX_ENCODED_LENGTH, payload.length);
        assertEquals(e, HealthEntryFormat.decode(payload, DIR, 1));
        HealthEntry min = new HealthEntry(Instant.MIN, Severity.INFO, "", HealthKind.VERIFY, Verdict.NONE, "",
                null, null, -1, -1, null, null, -1, "");
        assertEquals(min, HealthEntryFormat.decode(HealthEntryFormat.encode(min), DIR, 1));
    }

    @Test
    void fieldsOverTheirLimitsAreRefusedNamingTheLimit() {
        assertLimit("replica id is 256 bytes in UTF-8, over the limit of 255 bytes", b -> b.replica = "r".repeat(256));
        // 2 bytes per character: the limit is on bytes, not characters
        assertLimit("namespace is 256 bytes in UTF-8, over the limit of 255 bytes", b -> b.namespace = "é".repeat(128));
        assertLimit("detail is 4097 bytes in UTF-8, over the limit of 4096 bytes", b -> b.detail = "d".repeat(4097));
        assertLimit("min key of 65537 bytes exceeds the limit of 65536 bytes", b -> b.min = new byte[65537]);
        assertLimit("max key of 65537 bytes exceeds the limit of 65536 bytes", b -> b.max = new byte[65537]);
        assertLimit("count must be -1 (unknown) or at least 0, was -2", b -> b.count = -2);
        assertLimit("bytes must be -1 (unknown) or at least 0, was -5", b -> b.bytes = -5);
        assertLimit("sequence must be -1 (unknown) or at least 0, was -3", b -> b.sequence = -3);
        assertLimit("detail of 1 characters is not well-formed Unicode", b -> b.detail = "\ud800");
    }

    private static void assertLimit(String message, Consumer<Fields> change) {
        Fields f = new Fields();
        change.accept(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HealthEntryFormat.encode(f.entry()));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** A mutable entry for the limit tests. */
    private static final class Fields {
        String replica = "r";
        String namespace = "ns";
        String detail = "";
        byte[] min = TestEntries.key(1);
        byte[] max = TestEntries.key(2);
        long count = 0;
        long bytes = 0;
        long sequence = 0;

        HealthEntry entry() {
            return new HealthEntry(TestEntries.T0, Severity.INFO, replica, HealthKind.SCAN_BATCH, Verdict.CONSISTENT,
                    namespace, min, max, count, bytes, null, null, sequence, detail);
        }
    }

    @Test
    void versionsOutsideTheSupportedRangeAreRejectedAsTooOldOrTooNew() {
        for (int version : new int[]{0, 2, 255}) {
            byte[] p = HealthEntryFormat.encode(TestEntries.inconsistent(1));
            p[0] = (byte) version;
            UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
                    () -> HealthEntryFormat.decode(p, DIR, 7));
            assertTrue(e.getMessage().contains(version == 0 ? "too old" : "too new"), e.getMessage());
            assertTrue(e.getMessage().contains("sequence 7"), e.getMessage());
        }
    }

    @Test
    void undecodablePayloadsAreCorruptionNamingTheSequence() {
        byte[] good = HealthEntryFormat.encode(TestEntries.inconsistent(3));
        assertBad(CorruptionKind.INVALID_CONTENT, "unknown severity code 0", p -> p[1] = 0);
        assertBad(CorruptionKind.INVALID_CONTENT, "unknown severity code 4", p -> p[1] = 4);
        assertBad(CorruptionKind.INVALID_CONTENT, "unknown kind code 6", p -> p[2] = 6);
        assertBad(CorruptionKind.INVALID_CONTENT, "unknown verdict code 0", p -> p[3] = 0);
        assertBad(CorruptionKind.INVALID_CONTENT, "set reserved bits", p -> p[4] |= 0x10);
        assertBad(CorruptionKind.INVALID_CONTENT, "time nanos 1000000000",
                p -> le(p).putInt(HealthEntryFormat.TIME_NANOS_OFFSET, 1_000_000_000));
        assertBad(CorruptionKind.INVALID_CONTENT, "outside the range of an Instant",
                p -> le(p).putLong(HealthEntryFormat.TIME_SECONDS_OFFSET, Long.MAX_VALUE));
        assertBad(CorruptionKind.INVALID_CONTENT, "count -2 is below -1",
                p -> le(p).putLong(HealthEntryFormat.COUNT_OFFSET, -2));
        assertBad(CorruptionKind.INVALID_CONTENT, "expected hash is flagged absent",
                p -> p[HealthEntryFormat.FLAGS_OFFSET] &= ~HealthEntryFormat.FLAG_EXPECTED);
        assertBad(CorruptionKind.BAD_LENGTH, "replica id length 65535 exceeds the limit of 255",
                p -> le(p).putShort(HealthEntryFormat.FIXED_LENGTH, (short) 0xffff));
        assertBad(CorruptionKind.INVALID_CONTENT, "replica id of 9 bytes is not valid UTF-8",
                p -> p[HealthEntryFormat.FIXED_LENGTH + 2] = (byte) 0xff);
        int minKeyLength = HealthEntryFormat.FIXED_LENGTH + 2 + 9 + 2 + 6;
        assertEquals(TestEntries.key(30).length, le(good).getInt(minKeyLength), "min key length field located");
        assertBad(CorruptionKind.BAD_LENGTH, "min key length -1 is outside 0..65536",
                p -> le(p).putInt(minKeyLength, -1));
        assertBad(CorruptionKind.BAD_LENGTH, "min key needs 60000 bytes", p -> le(p).putInt(minKeyLength, 60000));

        byte[] longer = Arrays.copyOf(good, good.length + 1);
        CorruptionException e = assertThrows(CorruptionException.class, () -> HealthEntryFormat.decode(longer, DIR, 9));
        assertEquals(CorruptionKind.INVALID_CONTENT, e.report().kind());
        assertTrue(e.getMessage().contains("1 bytes left over"), e.getMessage());
        for (int cut = 0; cut < good.length; cut++) {
            byte[] shorter = Arrays.copyOf(good, cut);
            CorruptionException s = assertThrows(CorruptionException.class,
                    () -> HealthEntryFormat.decode(shorter, DIR, 9), "cut at " + cut);
            assertTrue(s.getMessage().contains("sequence 9"), s.getMessage());
        }
    }

    private static void assertBad(CorruptionKind kind, String message, Consumer<byte[]> damage) {
        byte[] p = HealthEntryFormat.encode(TestEntries.inconsistent(3));
        damage.accept(p);
        CorruptionException e = assertThrows(CorruptionException.class, () -> HealthEntryFormat.decode(p, DIR, 42));
        assertEquals(kind, e.report().kind(), e.getMessage());
        assertEquals(DIR, e.report().file());
        assertTrue(e.getMessage().contains("health-log entry at sequence 42"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(e.getMessage().contains(TestEntries.KEY_MARKER), e.getMessage());
    }

    private static ByteBuffer le(byte[] p) {
        return ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void codesAreExplicitAndDistinct() {
        assertEquals(3, HealthEntryFormat.severityCode(Severity.ERROR));
        assertEquals(2, HealthEntryFormat.kindCode(HealthKind.CHECKSUM_FAILURE));
        assertEquals(5, HealthEntryFormat.verdictCode(Verdict.NONE));
        assertEquals(Severity.values().length, Arrays.stream(Severity.values())
                .mapToInt(HealthEntryFormat::severityCode).distinct().count());
        assertEquals(HealthKind.values().length, Arrays.stream(HealthKind.values())
                .mapToInt(HealthEntryFormat::kindCode).distinct().count());
        assertEquals(Verdict.values().length, Arrays.stream(Verdict.values())
                .mapToInt(HealthEntryFormat::verdictCode).distinct().count());
        assertEquals(73, HealthEntryFormat.FIXED_LENGTH);
        assertEquals(9, "replica-a".getBytes(StandardCharsets.UTF_8).length, "the replica id TestEntries use");
    }
}
