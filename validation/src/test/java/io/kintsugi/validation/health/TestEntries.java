package io.kintsugi.validation.health;

import io.kintsugi.validation.Hash128;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;

/**
 * Health entries for tests. Key bytes spell {@link #KEY_MARKER} so that a test can search any output for them: no
 * rendering may ever contain it.
 */
public final class TestEntries {

    /** Every key made here contains this text. */
    public static final String KEY_MARKER = "SECRETKEY";
    /** The time of entry 0; entry i is i seconds later. */
    public static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456789Z");

    private TestEntries() {
    }

    /**
     * @param i a number
     * @return a key holding {@link #KEY_MARKER} and {@code i}, ordered by {@code i}
     */
    public static byte[] key(int i) {
        return String.format("%s-%08d", KEY_MARKER, i).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param i a number
     * @return an INFO consistent scan batch over keys [10 i, 10 i + 9] of namespace "orders" or "users"
     */
    public static HealthEntry consistent(int i) {
        Hash128 h = new Hash128(0x1111_0000L + i, 0x2222_0000L + i);
        return new HealthEntry(T0.plusSeconds(i), Severity.INFO, "replica-a", HealthKind.SCAN_BATCH,
                Verdict.CONSISTENT, i % 2 == 0 ? "orders" : "users", key(10 * i), key(10 * i + 9), 10, 640, h, h,
                1000 + i, "batch " + i);
    }

    /**
     * @param i a number
     * @return an ERROR inconsistent scan batch over keys [10 i, 10 i + 9] of namespace "orders"
     */
    public static HealthEntry inconsistent(int i) {
        return new HealthEntry(T0.plusSeconds(i), Severity.ERROR, "replica-a", HealthKind.SCAN_BATCH,
                Verdict.INCONSISTENT, "orders", key(10 * i), key(10 * i + 9), 10, 640,
                new Hash128(0xaaaaL, 0xbbbbL), new Hash128(0xccccL, 0xddddL), 1000 + i, "mismatch in batch " + i);
    }

    /**
     * @param i a number
     * @return a WARNING not-checked verify entry without namespace or range
     */
    public static HealthEntry warning(int i) {
        return new HealthEntry(T0.plusSeconds(i), Severity.WARNING, "replica-a", HealthKind.VERIFY,
                Verdict.NOT_CHECKED, "", null, null, -1, -1, null, null, -1, "verify skipped file " + i);
    }

    /**
     * @param i      a number (its time)
     * @param random source of the field values
     * @return an entry with random fields, some absent
     */
    public static HealthEntry random(int i, Random random) {
        Severity[] severities = Severity.values();
        HealthKind[] kinds = HealthKind.values();
        Verdict[] verdicts = Verdict.values();
        byte[] min = random.nextInt(4) == 0 ? null : key(random.nextInt(1000));
        byte[] max = random.nextInt(4) == 0 ? null : key(1000 + random.nextInt(1000));
        return new HealthEntry(T0.plusSeconds(i).plusNanos(random.nextInt(1_000_000_000)),
                severities[random.nextInt(severities.length)], "replica-" + random.nextInt(3),
                kinds[random.nextInt(kinds.length)], verdicts[random.nextInt(verdicts.length)],
                random.nextBoolean() ? "" : "ns" + random.nextInt(3), min, max, random.nextInt(100) - 1,
                random.nextInt(100_000) - 1, random.nextBoolean() ? null : new Hash128(random.nextLong(),
                random.nextLong()), random.nextBoolean() ? null : new Hash128(random.nextLong(), random.nextLong()),
                random.nextInt(5000) - 1, "detail " + random.nextInt());
    }
}
