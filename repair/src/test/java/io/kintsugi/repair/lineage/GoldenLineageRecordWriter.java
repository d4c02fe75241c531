package io.kintsugi.repair.lineage;

import io.kintsugi.validation.Hash128;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the golden lineage-record payloads {@code repair/src/test/resources/lineage/v1/*.record} and holds the
 * definition of what they contain, which {@link GoldenLineageRecordTest} checks the checked-in files against.
 *
 * <p>The files pin the lineage record format, version 1 ({@code docs/FORMAT.md}, section 15). Regenerate them
 * <em>only</em> when the format version changes, into a new directory named after the new version, and keep the
 * old one so that the old version stays tested:
 *
 * <pre>
 * mvn -B -q -pl repair -am test-compile
 * java -cp oplog/target/classes:engine/target/classes:validation/target/classes:repair/target/classes:\
 *     repair/target/test-classes io.kintsugi.repair.lineage.GoldenLineageRecordWriter \
 *     repair/src/test/resources/lineage/vN
 * </pre>
 */
public final class GoldenLineageRecordWriter {

    /** A range copy with both bounds, a hash whose halves have distinct bytes, and a repair id. */
    public static final LineageRecord RANGE = new LineageRecord(Instant.parse("2026-03-01T12:00:00.123456789Z"),
            LineageKind.RANGE_COPY, "replica-a", "replica-b", "orders", new byte[]{'k', 0, 1},
            new byte[]{'k', (byte) 0xff}, 4242, 10, 640, new Hash128(0x0123456789abcdefL, 0x1122334455667788L),
            "repair-7");
    /** A range copy from an empty (present) first key to the open end, with counts unknown and no repair id. */
    public static final LineageRecord OPEN_RANGE = new LineageRecord(Instant.parse("2026-03-02T00:00:01Z"),
            LineageKind.RANGE_COPY, "r2", "r1", "users", new byte[0], null, 7, -1, -1, new Hash128(-1L, 1L), "");
    /** A whole-replica copy: no namespace, no bounds, no hash, non-ASCII repair id. */
    public static final LineageRecord WHOLE = new LineageRecord(Instant.EPOCH, LineageKind.WHOLE_REPLICA_COPY,
            "r3", "r1", "", null, null, 0, 0, 0, null, "réparation");

    /** The golden files by name, in the order the test reads them. */
    public static final Map<String, LineageRecord> FILES = files();

    private GoldenLineageRecordWriter() {
    }

    private static Map<String, LineageRecord> files() {
        Map<String, LineageRecord> m = new LinkedHashMap<>();
        m.put("range.record", RANGE);
        m.put("open-range.record", OPEN_RANGE);
        m.put("whole-replica.record", WHOLE);
        return m;
    }

    /**
     * @param args the output directory
     * @throws IOException if a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GoldenLineageRecordWriter <output directory>");
        }
        Path dir = Files.createDirectories(Paths.get(args[0]));
        for (Map.Entry<String, LineageRecord> e : FILES.entrySet()) {
            Files.write(dir.resolve(e.getKey()), LineageRecordFormat.encode(e.getValue()));
        }
    }
}
