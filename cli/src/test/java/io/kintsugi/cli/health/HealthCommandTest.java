package io.kintsugi.cli.health;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kintsugi.cli.CliRun;
import io.kintsugi.cli.Commands;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Kintsugi;
import io.kintsugi.engine.Store;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kintsugi health} on a real store with a real health log: filters, limits, counts, exit codes, JSON, and no
 * key bytes in anything it prints.
 */
class HealthCommandTest {

    /** Every key written contains this; no output may. */
    private static final String KEY_MARKER = "SECRETKEY";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    /** "Now" for --since spans: one hour after entry 20. */
    private static final Clock CLOCK = Clock.fixed(T0.plusSeconds(20 * 60 + 3600), ZoneOffset.UTC);
    private static final Kintsugi KINTSUGI = new Kintsugi(Commands.of(new HealthCommand(CLOCK)));

    @TempDir
    Path work;

    private static byte[] key(int i) {
        return String.format("%s-%06d", KEY_MARKER, i).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Entry i, a minute after entry i - 1: every fifth (0, 5, ...) an ERROR inconsistent batch of "orders", every
     * seventh otherwise a WARNING verify entry without range, the rest INFO consistent batches of "orders" (even)
     * or "users" (odd).
     */
    private static HealthEntry entry(int i) {
        Instant t = T0.plusSeconds(60L * i);
        if (i % 5 == 0) {
            return new HealthEntry(t, Severity.ERROR, "replica-b", HealthKind.SCAN_BATCH, Verdict.INCONSISTENT,
                    "orders", key(10 * i), key(10 * i + 9), 10, 640, new Hash128(0xaaL, i), new Hash128(0xbbL, i),
                    1000 + i, "mismatch in batch " + i);
        }
        if (i % 7 == 0) {
            return new HealthEntry(t, Severity.WARNING, "replica-b", HealthKind.VERIFY, Verdict.NOT_CHECKED, "",
                    null, null, -1, -1, null, null, -1, "verify skipped file " + i);
        }
        Hash128 h = new Hash128(0x11L, i);
        return new HealthEntry(t, Severity.INFO, "replica-b", HealthKind.SCAN_BATCH, Verdict.CONSISTENT,
                i % 2 == 0 ? "orders" : "users", key(10 * i), key(10 * i + 9), 10, 640, h, h, 1000 + i,
                "batch " + i);
    }

    private static final int ENTRIES = 30;

    private static List<HealthEntry> entries() {
        List<HealthEntry> out = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            out.add(entry(i));
        }
        return out;
    }

    /** A store with data under keys holding the marker, then a health log of {@link #entries()}. */
    private Path storeWithHealthLog() {
        Path dir = work.resolve("store");
        try (Store store = Store.open(dir)) {
            for (int i = 0; i < 100; i++) {
                store.namespace("orders").put(key(i), ("value-" + KEY_MARKER + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        try (HealthLog log = HealthLog.open(dir)) {
            entries().forEach(log::append);
        }
        return dir;
    }

    private static CliRun health(Object... args) {
        String[] a = new String[args.length + 1];
        a[0] = "health";
        for (int i = 0; i < args.length; i++) {
            a[i + 1] = args[i].toString();
        }
        CliRun r = CliRun.run(KINTSUGI, a);
        assertFalse(r.out().contains(KEY_MARKER) || r.err().contains(KEY_MARKER), "key bytes printed:\n" + r);
        return r;
    }

    /** The entry lines of a text report, which are the only lines that start with a year. */
    private static List<String> entryLines(CliRun r) {
        return r.out().lines().filter(l -> l.startsWith("2026-")).toList();
    }

    private static List<String> expectedLines(List<HealthEntry> entries) {
        return entries.stream().map(HealthTextReport::line).toList();
    }

    @Test
    void printsEveryEntryOldestFirstWithCountsAndExitsOneOnErrors() {
        Path dir = storeWithHealthLog();
        CliRun r = health(dir);
        assertEquals(ExitCode.CORRUPTION_FOUND, r.code(), r.toString());
        assertEquals(expectedLines(entries()), entryLines(r));
        assertTrue(r.out().startsWith("Health log of " + dir + ": 30 entries, "), r.out());
        assertTrue(r.out().contains("Matching: 30 entries\n"), r.out());
        assertTrue(r.out().contains("  by severity: INFO 20, WARNING 4, ERROR 6\n"), r.out());
        assertTrue(r.out().contains("  by kind:     SCAN_BATCH 26, CHECKSUM_FAILURE 0, INVARIANT_VIOLATION 0,"
                + " VERIFY 4, REPAIR 0\n"), r.out());
        assertTrue(r.out().contains("Result: 6 ERROR entries match"), r.out());
        assertTrue(r.out().contains("range=[key#"), "ranges as fingerprints: " + r.out());
        assertEquals("", r.err());
    }

    @Test
    void filtersBySeverityKindNamespaceAndSince() {
        Path dir = storeWithHealthLog();
        List<HealthEntry> all = entries();

        CliRun errors = health(dir, "--severity", "error");
        assertEquals(ExitCode.CORRUPTION_FOUND, errors.code());
        assertEquals(expectedLines(all.stream().filter(e -> e.severity() == Severity.ERROR).toList()),
                entryLines(errors));

        CliRun warnings = health(dir, "--severity=WARNING", "--kind", "verify");
        assertEquals(ExitCode.OK, warnings.code(), "no ERROR matches: " + warnings);
        assertEquals(expectedLines(all.stream().filter(e -> e.kind() == HealthKind.VERIFY).toList()),
                entryLines(warnings));
        assertTrue(warnings.out().contains("Result: no ERROR entries match (exit 0)"), warnings.out());

        CliRun users = health(dir, "--namespace", "users");
        assertEquals(ExitCode.OK, users.code());
        assertEquals(expectedLines(all.stream().filter(e -> e.namespace().equals("users")).toList()),
                entryLines(users));

        CliRun kinds = health(dir, "--kind", "scan-batch,repair", "--namespace", "orders");
        assertEquals(expectedLines(all.stream().filter(e -> e.kind() == HealthKind.SCAN_BATCH
                && e.namespace().equals("orders")).toList()), entryLines(kinds));

        // CLOCK is one hour after entry 20, so "1h" keeps entries 20..29 and the instant form the same.
        List<String> lastTen = expectedLines(all.subList(20, ENTRIES));
        CliRun span = health(dir, "--since", "1h");
        assertEquals(lastTen, entryLines(span));
        assertEquals(ExitCode.CORRUPTION_FOUND, span.code(), "entry 25 is an ERROR");
        assertEquals(lastTen, entryLines(health(dir, "--since", T0.plusSeconds(20 * 60).toString())));
        CliRun quiet = health(dir, "--since", T0.plusSeconds(26 * 60).toString(), "--severity", "warning");
        assertEquals(ExitCode.OK, quiet.code(), "entries 26..29 hold a WARNING (28) and no ERROR: " + quiet);
        assertEquals(expectedLines(List.of(entry(28))), entryLines(quiet));
    }

    @Test
    void limitPrintsTheNewestButCountsEveryMatch() {
        Path dir = storeWithHealthLog();
        CliRun r = health(dir, "--limit", "3");
        assertEquals(expectedLines(entries().subList(ENTRIES - 3, ENTRIES)), entryLines(r), "newest last");
        assertTrue(r.out().contains("Matching: 30 entries (the newest 3 shown)"), r.out());
        assertEquals(ExitCode.CORRUPTION_FOUND, r.code(), "ERRORs beyond the limit still count");
    }

    @Test
    void jsonIsVersionedAndCarriesTheSameFacts() {
        Path dir = storeWithHealthLog();
        CliRun r = health(dir, "--json", "--severity", "warning", "--limit", "4");
        assertEquals(ExitCode.CORRUPTION_FOUND, r.code(), r.toString());
        JsonObject doc = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(HealthJsonReport.VERSION, doc.get("version").getAsInt());
        assertEquals(dir.toString(), doc.get("store").getAsString());
        assertEquals("WARNING", doc.getAsJsonObject("filter").get("minSeverity").getAsString());
        assertEquals(4, doc.getAsJsonObject("filter").get("limit").getAsInt());
        assertTrue(doc.getAsJsonObject("filter").get("namespace").isJsonNull());

        JsonObject log = doc.getAsJsonObject("log");
        assertTrue(log.get("exists").getAsBoolean());
        assertEquals(ENTRIES, log.get("entries").getAsLong());
        assertEquals(T0.toString(), log.get("oldest").getAsString());
        assertEquals(T0.plusSeconds(60L * (ENTRIES - 1)).toString(), log.get("newest").getAsString());

        JsonObject summary = doc.getAsJsonObject("summary");
        assertEquals(10, summary.get("matched").getAsLong());
        assertEquals(4, summary.get("shown").getAsLong());
        assertEquals(6, summary.get("errors").getAsLong());
        assertEquals(0, summary.getAsJsonObject("bySeverity").get("INFO").getAsLong());
        assertEquals(4, summary.getAsJsonObject("bySeverity").get("WARNING").getAsLong());
        assertEquals(6, summary.getAsJsonObject("byVerdict").get("INCONSISTENT").getAsLong());
        assertEquals(0, summary.getAsJsonObject("byKind").get("REPAIR").getAsLong());

        // The newest four with severity >= WARNING are entries 20, 21, 25 and 28, oldest first.
        JsonArray shown = doc.getAsJsonArray("entries");
        assertEquals(4, shown.size());
        int[] expected = {20, 21, 25, 28};
        for (int i = 0; i < expected.length; i++) {
            HealthEntry e = entry(expected[i]);
            JsonObject o = shown.get(i).getAsJsonObject();
            assertEquals(e.time().toString(), o.get("time").getAsString());
            assertEquals(e.severity().name(), o.get("severity").getAsString());
            assertEquals(e.kind().name(), o.get("kind").getAsString());
            assertEquals(e.verdict().name(), o.get("verdict").getAsString());
            assertEquals(e.detail(), o.get("detail").getAsString());
        }
        JsonObject error = shown.get(2).getAsJsonObject();
        assertEquals("orders", error.get("namespace").getAsString());
        assertEquals(entry(25).rangeFingerprint(), error.get("range").getAsString());
        assertEquals(10, error.get("count").getAsLong());
        assertEquals(entry(25).expected().toString(), error.get("expected").getAsString());
        assertEquals(entry(25).found().toString(), error.get("found").getAsString());
        assertEquals(1025, error.get("sequence").getAsLong());
        JsonObject warning = shown.get(3).getAsJsonObject();
        for (String absent : new String[] {"namespace", "range", "count", "bytes", "expected", "found", "sequence"}) {
            assertTrue(warning.get(absent).isJsonNull(), absent + " of an entry without it is null");
        }
    }

    @Test
    void readsWhileTheStoreAndItsHealthLogAreOpen() throws IOException {
        Path dir = storeWithHealthLog();
        try (Store store = Store.open(dir); HealthLog log = HealthLog.open(dir)) {
            log.append(entry(ENTRIES));
            Map<String, byte[]> before = contents(HealthLog.directory(dir));
            CliRun r = health(dir, "--json");
            assertEquals(ENTRIES + 1, JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonObject("summary")
                    .get("matched").getAsLong(), "the entry appended by the open log is read");
            Map<String, byte[]> after = contents(HealthLog.directory(dir));
            assertEquals(before.keySet(), after.keySet(), "reading adds or removes no file");
            before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name + " changed"));
            log.append(entry(ENTRIES + 1));
        }
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void aStoreWithoutHealthLogIsCleanAndIsNotChanged() throws IOException {
        Path dir = work.resolve("fresh");
        try (Store store = Store.open(dir)) {
            store.namespace("orders").put(key(1), key(2));
        }
        CliRun r = health(dir);
        assertEquals(ExitCode.OK, r.code(), r.toString());
        assertTrue(r.out().startsWith("Health log of " + dir + ": none yet"), r.out());
        assertTrue(r.out().contains("Matching: 0 entries"), r.out());
        assertFalse(Files.exists(HealthLog.directory(dir)), "a read-only look creates nothing");

        JsonObject doc = JsonParser.parseString(health(dir, "--json").out()).getAsJsonObject();
        assertFalse(doc.getAsJsonObject("log").get("exists").getAsBoolean());
        assertEquals(0, doc.getAsJsonArray("entries").size());
    }

    @Test
    void aMissingDirectoryCannotComplete() {
        CliRun r = health(work.resolve("absent"));
        assertEquals(ExitCode.NOT_COMPLETED, r.code());
        assertEquals("kintsugi health: could not complete: no store directory at " + work.resolve("absent")
                + " (it does not exist)\n", r.err());
        assertEquals("", r.out());
    }

    /**
     * A flipped byte inside any record but the last (seeded) is corruption of the health log itself: exit 1 with
     * the file named, no entry printed, and the file left as it was.
     */
    @Test
    void aDamagedHealthLogIsReportedAsCorruption() throws IOException {
        Path dir = storeWithHealthLog();
        Path segment;
        try (Stream<Path> s = Files.list(HealthLog.directory(dir))) {
            segment = s.filter(p -> p.getFileName().toString().endsWith(".oplog")).sorted().findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        // Oplog segment: a 36-byte header, then records of a 29-byte frame and a payload whose length is the
        // frame's first int (FORMAT.md, the oplog record).
        List<long[]> records = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 36; at < bytes.length; at += 29 + buf.getInt(at)) {
            records.add(new long[] {at, 29 + buf.getInt(at)});
        }
        assertEquals(ENTRIES, records.size(), "one segment holds every entry");
        Random random = new Random(0x6ea17L);
        long[] victim = records.get(random.nextInt(records.size() - 1));
        int offset = (int) (victim[0] + 29 + random.nextInt((int) victim[1] - 29));
        bytes[offset] ^= (byte) (1 << random.nextInt(8));
        Files.write(segment, bytes);

        CliRun r = health(dir);
        assertEquals(ExitCode.CORRUPTION_FOUND, r.code(), r.toString());
        assertTrue(r.err().startsWith("kintsugi health: corruption found: "), r.err());
        assertTrue(r.err().contains(segment.getFileName().toString()), r.err());
        assertEquals("", r.out(), "nothing is printed from a damaged log");
        assertArrayEquals(bytes, Files.readAllBytes(segment), "a read-only look changes nothing");
    }

    @Test
    void badOptionValuesAreUsageErrorsThatSayWhatWasExpected() {
        Path dir = work.resolve("any");
        String[][] cases = {
                {"--severity", "loud", "--severity expects one of INFO, WARNING, ERROR (the lowest severity to"
                        + " show), got 'loud'"},
                {"--kind", "scan_batch,oops", "--kind expects one or more of SCAN_BATCH, CHECKSUM_FAILURE,"
                        + " INVARIANT_VIOLATION, VERIFY, REPAIR, separated by commas, got 'oops' in 'scan_batch,oops'"},
                {"--namespace", "Orders!", "--namespace expects a namespace name of 1 to 64 characters from a-z, 0-9,"
                        + " '_', '.' and '-', got 'Orders!'"},
                {"--since", "yesterday", "--since expects an ISO-8601 instant such as 2026-03-01T12:00:00Z, or a"
                        + " span back from now such as 30m, 1h, 1h30m, 7d or PT1H, got 'yesterday'"},
                {"--limit", "0", "--limit expects a whole number from 1 to 2147483647, got 0"},
                {"--limit", "many", "--limit expects a whole number from 1 to 2147483647, got 'many'"},
                {"--colour", "red", "unknown option --colour; health accepts --severity, --kind, --namespace,"
                        + " --since, --limit, --json"},
        };
        for (String[] c : cases) {
            CliRun r = health(dir, c[0], c[1]);
            assertEquals(ExitCode.USAGE_ERROR, r.code(), r.toString());
            assertTrue(r.err().startsWith("kintsugi health: " + c[2] + "\nUsage: kintsugi health DIR"), r.err());
            assertEquals("", r.out());
        }
        CliRun missing = health("--json");
        assertEquals(ExitCode.USAGE_ERROR, missing.code());
        assertTrue(missing.err().startsWith("kintsugi health: missing DIR; expected health DIR [--severity S]"),
                missing.err());
        CliRun noValue = health(dir, "--limit");
        assertTrue(noValue.err().startsWith("kintsugi health: option --limit needs a value: --limit N\n"),
                noValue.err());
    }
}
