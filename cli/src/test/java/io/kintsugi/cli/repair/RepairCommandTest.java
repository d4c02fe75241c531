package io.kintsugi.cli.repair;

import io.kintsugi.cli.CliRun;
import io.kintsugi.cli.Commands;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Kintsugi;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.repair.lineage.LineageKind;
import io.kintsugi.repair.lineage.LineageLog;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kintsugi repair status} on a real store with real health and lineage logs: which flagged entries a later
 * verdict, copy or rewrite settles, exit codes, and no key bytes in anything it prints.
 */
class RepairCommandTest {

    /** Every key contains this; no output may. */
    private static final String KEY_MARKER = "SECRETKEY";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Kintsugi KINTSUGI = new Kintsugi(Commands.of(new RepairCommand()));

    @TempDir
    Path work;

    private static byte[] key(int i) {
        return String.format("%s-%06d", KEY_MARKER, i).getBytes(StandardCharsets.US_ASCII);
    }

    private static HealthEntry batch(int minute, Verdict verdict, int from, int to) {
        return new HealthEntry(T0.plusSeconds(60L * minute), verdict == Verdict.CONSISTENT ? Severity.INFO
                : Severity.ERROR, "replica-b", HealthKind.SCAN_BATCH, verdict, "orders", key(from), key(to), 10, 640,
                new Hash128(1, minute), new Hash128(2, minute), 1000 + minute, "batch at minute " + minute);
    }

    private static HealthEntry readDamage(int minute, long fileNumber) {
        return new HealthEntry(T0.plusSeconds(60L * minute), Severity.ERROR, "replica-b", HealthKind.CHECKSUM_FAILURE,
                Verdict.DAMAGED, "orders", null, null, -1, -1, null, null, -1, "found by read in segment file "
                + fileNumber + ": CHECKSUM_MISMATCH at offset 4096");
    }

    /** Damage a checker logged with the marker's range; the report names the segment file by its path. */
    private static HealthEntry rangedDamage(int minute, int from, int to, long fileNumber) {
        return new HealthEntry(T0.plusSeconds(60L * minute), Severity.ERROR, "replica-b", HealthKind.CHECKSUM_FAILURE,
                Verdict.DAMAGED, "orders", key(from), key(to), -1, -1, null, null, 1000 + minute,
                "the range could not be read here: CHECKSUM_MISMATCH in /data/store/"
                        + StoreFiles.segmentFileName(fileNumber) + " at offset 4096 (13478 bytes)");
    }

    private static LineageRecord copy(int minute, int from, int to) {
        return new LineageRecord(T0.plusSeconds(60L * minute), LineageKind.RANGE_COPY, "replica-b", "replica-a",
                "orders", key(from), key(to), 2000 + minute, 10, 640, new Hash128(3, minute), "r" + minute);
    }

    /** A closed store holding keys with the marker, then the given health and lineage logs. */
    private Path store(List<HealthEntry> entries, List<LineageRecord> copies) {
        Path dir = work.resolve("store");
        try (Store store = Store.open(dir)) {
            for (int i = 0; i < 100; i++) {
                store.namespace("orders").put(key(i), ("value-" + KEY_MARKER + i).getBytes(StandardCharsets.UTF_8));
            }
            store.flush();
        }
        try (HealthLog log = HealthLog.open(dir)) {
            entries.forEach(log::append);
        }
        try (LineageLog log = LineageLog.open(dir)) {
            copies.forEach(log::append);
        }
        return dir;
    }

    private static CliRun repair(String... args) {
        String[] a = new String[args.length + 1];
        a[0] = "repair";
        System.arraycopy(args, 0, a, 1, args.length);
        CliRun r = CliRun.run(KINTSUGI, a);
        assertFalse(r.out().contains(KEY_MARKER) || r.err().contains(KEY_MARKER), "key bytes printed:\n" + r);
        return r;
    }

    private static long section(CliRun r, String heading) {
        List<String> lines = r.out().lines().toList();
        int start = lines.indexOf(heading);
        assertTrue(start >= 0, "no section '" + heading + "':\n" + r);
        long n = 0;
        for (int i = start + 1; i < lines.size() && lines.get(i).startsWith("  "); i++) {
            n += lines.get(i).equals("  none") ? 0 : 1;
        }
        return n;
    }

    @Test
    void listsWhatNothingLaterSettlesAndExitsOneWhileAnythingIsOutstanding() {
        long present = 999_999L; // no such segment file
        HealthEntry settledByScan = batch(1, Verdict.INCONSISTENT, 0, 9); // by two later batches together
        HealthEntry settledByCopy = batch(2, Verdict.DAMAGED, 10, 19);
        HealthEntry outstanding = batch(3, Verdict.INCONSISTENT, 20, 29);
        HealthEntry copiedBeforeItWasFlagged = batch(6, Verdict.INCONSISTENT, 40, 49);
        HealthEntry goneFile = readDamage(4, present);
        Path dir = store(List.of(settledByScan, settledByCopy, outstanding, goneFile,
                batch(5, Verdict.CONSISTENT, 0, 4), batch(5, Verdict.CONSISTENT, 4, 9),
                batch(5, Verdict.CONSISTENT, 20, 25), copiedBeforeItWasFlagged),
                List.of(copy(3, 10, 19), copy(5, 40, 50)));
        CliRun r = repair("status", dir.toString(), "--all");
        assertEquals(ExitCode.CORRUPTION_FOUND, r.code(), r.toString());
        assertTrue(r.out().startsWith("Repair status of " + dir + ": 2 outstanding, 3 settled, 2 lineage records"),
                r.out());
        assertEquals(2, section(r, "Outstanding (flagged, nothing later settles them):"));
        assertTrue(r.out().contains("  " + outstanding + "\n"), r.out());
        assertTrue(r.out().contains("  " + copiedBeforeItWasFlagged + "\n"), r.out());
        assertEquals(3, section(r, "Settled (a later consistent verdict, copy or rewrite covers them):"));
        assertEquals(2, section(r, "Lineage (copies into this store):"));
        assertTrue(r.out().contains("Result: 2 flagged entries still need repair"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void damageInASegmentFileStillThereIsOutstandingAndNothingFlaggedExitsZero() {
        Path dir = store(List.of(batch(1, Verdict.CONSISTENT, 0, 9)), List.of());
        CliRun clean = repair("status", dir.toString());
        assertEquals(ExitCode.OK, clean.code(), clean.toString());
        assertTrue(clean.out().contains("Result: nothing outstanding"), clean.out());
        assertEquals(0, section(clean, "Lineage (copies into this store):"));

        // The store's own segment file: damage logged in it without a range stays outstanding.
        // A ranged damage entry is settled by its file being gone, whatever range the checker logged.
        try (HealthLog log = HealthLog.open(dir)) {
            log.append(readDamage(2, 1));
            log.append(rangedDamage(3, 50, 70, 1));
            log.append(rangedDamage(4, 50, 70, 999_999L));
        }
        assertTrue(java.nio.file.Files.exists(dir.resolve(StoreFiles.segmentFileName(1))),
                "the test expects the store's first segment file to be number 1");
        CliRun r = repair("status", dir.toString(), "--all");
        assertEquals(ExitCode.CORRUPTION_FOUND, r.code(), r.toString());
        assertEquals(2, section(r, "Outstanding (flagged, nothing later settles them):"));
        assertEquals(1, section(r, "Settled (a later consistent verdict, copy or rewrite covers them):"));
        assertTrue(r.out().contains("  " + rangedDamage(4, 50, 70, 999_999L) + "\n"), r.out());
    }

    @Test
    void usageErrorsExitTwoAndAMissingDirectoryExitsThree() {
        CliRun none = repair();
        assertEquals(ExitCode.USAGE_ERROR, none.code(), none.toString());
        assertTrue(none.err().contains("expected an action: status"), none.err());
        CliRun plan = repair("plan", work.toString());
        assertEquals(ExitCode.USAGE_ERROR, plan.code(), plan.toString());
        assertTrue(plan.err().contains("unknown action 'plan'"), plan.err());
        CliRun noDir = repair("status");
        assertEquals(ExitCode.USAGE_ERROR, noDir.code(), noDir.toString());
        CliRun unknown = repair("status", work.toString(), "--json");
        assertEquals(ExitCode.USAGE_ERROR, unknown.code(), unknown.toString());
        CliRun missing = repair("status", work.resolve("absent").toString());
        assertEquals(ExitCode.NOT_COMPLETED, missing.code(), missing.toString());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }
}
