package io.kintsugi.validation.health;

import io.kintsugi.validation.Hash128;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the golden health-log entry payloads {@code validation/src/test/resources/golden/health-v1/*.entry} and
 * holds the definition of what they contain, which {@link GoldenHealthEntryTest} checks the checked-in files
 * against.
 *
 * <p>The files pin the health-log entry format, version 1 ({@code docs/FORMAT.md}, section 11). Regenerate them
 * <em>only</em> when the format version changes, into a new directory named after the new version, and keep the
 * old directory so that the old version stays tested:
 *
 * <pre>
 * mvn -B -q -pl validation -am test-compile
 * java -cp oplog/target/classes:engine/target/classes:validation/target/classes:validation/target/test-classes \
 *     io.kintsugi.validation.health.GoldenHealthEntryWriter validation/src/test/resources/golden/health-vN
 * </pre>
 *
 * <p>The output is deterministic: every field is fixed.
 */
public final class GoldenHealthEntryWriter {

    /** An ERROR mismatch with every field present; the hashes' halves have distinct bytes to show the order. */
    public static final HealthEntry INCONSISTENT = new HealthEntry(Instant.parse("2026-03-01T12:00:00.123456789Z"),
            Severity.ERROR, "replica-a", HealthKind.SCAN_BATCH, Verdict.INCONSISTENT, "orders",
            new byte[]{'k', 0, 1}, new byte[]{'k', (byte) 0xff}, 10, 640,
            new Hash128(0x0123456789abcdefL, 0x1122334455667788L), new Hash128(0x0123456789abcdefL, 0x1122334455667799L),
            4242, "hash mismatch");
    /** Every optional field absent, every number unknown, every text empty, at the epoch. */
    public static final HealthEntry MINIMAL = new HealthEntry(Instant.EPOCH, Severity.INFO, "", HealthKind.VERIFY,
            Verdict.NONE, "", null, null, -1, -1, null, null, -1, "");
    /** An empty (present) min key and an open max key, only a found hash, and non-ASCII detail text. */
    public static final HealthEntry OPEN_RANGE = new HealthEntry(Instant.parse("2026-03-02T00:00:01Z"),
            Severity.WARNING, "r2", HealthKind.CHECKSUM_FAILURE, Verdict.DAMAGED, "users", new byte[0], null, 0, -1,
            null, new Hash128(-1L, 1L), 7, "bloc endommagé");

    /** The golden files by name, in the order the test reads them. */
    public static final Map<String, HealthEntry> FILES = files();

    private GoldenHealthEntryWriter() {
    }

    private static Map<String, HealthEntry> files() {
        Map<String, HealthEntry> m = new LinkedHashMap<>();
        m.put("inconsistent.entry", INCONSISTENT);
        m.put("minimal.entry", MINIMAL);
        m.put("open-range.entry", OPEN_RANGE);
        return m;
    }

    /**
     * Writes the golden files into {@code args[0]}.
     *
     * @param args the target directory; it must not hold the files already
     * @throws IOException if writing fails
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GoldenHealthEntryWriter <target directory>");
        }
        Path dir = Paths.get(args[0]).toAbsolutePath();
        Files.createDirectories(dir);
        for (Map.Entry<String, HealthEntry> e : FILES.entrySet()) {
            Files.write(dir.resolve(e.getKey()), HealthEntryFormat.encode(e.getValue()), StandardOpenOption.CREATE_NEW);
        }
        Files.write(dir.resolve(".gitattributes"), ("# Golden files are compared byte for byte: never convert line"
                + " endings or run filters on them.\n*.entry binary\n").getBytes(StandardCharsets.US_ASCII),
                StandardOpenOption.CREATE_NEW);
        System.out.println("wrote the golden health-log entries to " + dir);
    }
}
