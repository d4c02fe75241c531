package io.kintsugi.cli.demo;

import io.kintsugi.cli.CliRun;
import io.kintsugi.cli.Commands;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Kintsugi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kintsugi demo} in process, with a fixed seed and a small load: every step must be verified, the narrative
 * must say what was found and repaired, and nothing printed may hold a key.
 */
class DemoCommandTest {

    private final Kintsugi kintsugi = new Kintsugi(Commands.standard());

    @TempDir
    Path dir;

    @Test
    void theDemoFindsRepairsAndProvesBothFaultsAndExitsZero() throws IOException {
        Path demo = Files.createDirectory(dir.resolve("demo"));
        CliRun run = CliRun.run(kintsugi, "demo", "--seed", "20261203", "--keys", "2000", "--dir", demo.toString());

        // The failed checks come first: a long narrative may be cut short where the failure is shown.
        assertEquals(ExitCode.OK, run.code(), failedChecks(run) + run);
        String out = run.out();
        for (int step = 1; step <= 7; step++) {
            assertTrue(out.contains("step " + step + " verified"), "step " + step + "\n" + run);
        }
        assertFalse(out.contains("FAILED"), run.toString());
        assertTrue(out.contains("seed 20261203 (replay with --seed 20261203)"), run.toString());
        assertTrue(out.contains("ok      one bit flipped in a data block of a segment file"), run.toString());
        assertTrue(out.contains("follower-1: ERROR DAMAGED namespace=orders"), run.toString());
        assertTrue(out.contains("follower-2: ERROR INCONSISTENT namespace=orders"), run.toString());
        // A block holds more pairs than a scanned range (about 120 against 100 here, and the writers insert keys
        // between the block's), so the rotten block meets one range or several: all of them are flagged, never none.
        assertTrue(out.matches("(?s).*ok      follower-1 flagged DAMAGED exactly the scanned ranges that hold the"
                + " rotten block \\([1-9]\\).*"), run.toString());
        assertTrue(out.contains("ok      follower-2 flagged INCONSISTENT exactly one range, the one holding the"
                + " corrupted key (1)"), run.toString());
        assertTrue(out.contains(": REPAIRED, target follower-1, source "), run.toString());
        assertTrue(out.contains(": REPAIRED, target follower-2, source "), run.toString());
        assertTrue(out.contains("outvoted: follower-1"), run.toString());
        assertTrue(out.contains("outvoted: follower-2"), run.toString());
        assertTrue(out.contains("proven: every replica's digest at sequence"), run.toString());
        assertTrue(out.contains("ok      follower-1 lists no damaged range any more, without a reopen"),
                run.toString());
        assertTrue(out.contains("ok      'orders' is equal on all three"), run.toString());
        assertTrue(out.contains("ok      follower-2: verify (checksums) OK"), run.toString());
        assertTrue(out.contains("Result: every step verified (exit 0)"), run.toString());
        // Keys are "order-NNNNNNNN" and "customer-NNNNNNNN": none may appear in what is printed.
        assertFalse(run.out().contains("order-") || run.err().contains("order-"), run.toString());
        assertFalse(run.out().contains("customer-") || run.err().contains("customer-"), run.toString());

        assertTrue(Files.isDirectory(demo), "a directory that existed before is left in place");
        try (Stream<Path> left = Files.list(demo)) {
            assertEquals(0, left.count(), "the replicas are deleted without --keep");
        }
    }

    @Test
    void aDirectoryThatIsNotEmptyIsRefusedBeforeAnythingRuns() throws IOException {
        Files.writeString(dir.resolve("precious.txt"), "data");
        CliRun run = CliRun.run(kintsugi, "demo", "--dir", dir.toString());
        assertEquals(ExitCode.NOT_COMPLETED, run.code(), run.toString());
        assertTrue(run.err().contains("is not empty; give a new or empty directory"), run.toString());
        assertEquals("data", Files.readString(dir.resolve("precious.txt")));
    }

    @Test
    void malformedOptionsAreUsageErrors() {
        CliRun keys = CliRun.run(kintsugi, "demo", "--keys", "10");
        assertEquals(ExitCode.USAGE_ERROR, keys.code(), keys.toString());
        assertTrue(keys.err().contains("--keys expects a whole number from 1000 to 1000000, got 10"), keys.toString());
        CliRun seed = CliRun.run(kintsugi, "demo", "--seed", "forty-two");
        assertEquals(ExitCode.USAGE_ERROR, seed.code(), seed.toString());
        assertTrue(seed.err().contains("--seed expects a whole number"), seed.toString());
        CliRun extra = CliRun.run(kintsugi, "demo", "somewhere");
        assertEquals(ExitCode.USAGE_ERROR, extra.code(), extra.toString());
    }

    /** The demo's failed checks, one per line, or nothing. */
    private static String failedChecks(CliRun run) {
        StringBuilder b = new StringBuilder();
        run.out().lines().filter(l -> l.contains("FAILED") || l.contains("failed: ")).forEach(l -> b.append(l)
                .append('\n'));
        return b.isEmpty() ? "" : "failed checks:\n" + b + "\n";
    }
}
