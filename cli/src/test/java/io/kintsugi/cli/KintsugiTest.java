package io.kintsugi.cli;

import io.kintsugi.cli.health.HealthCommand;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.StorageException;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dispatch, help, and the mapping from what a command throws to an exit code. */
class KintsugiTest {

    /** A command that does what its first argument says. */
    private static final class Scripted implements Command {
        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public String summary() {
            return "does what it is told";
        }

        @Override
        public String usage() {
            return "Usage: kintsugi scripted WHAT\n";
        }

        @Override
        public int run(List<String> args, PrintStream out, PrintStream err) {
            switch (args.isEmpty() ? "" : args.get(0)) {
                case "ok" -> out.println("done");
                case "usage" -> throw new UsageException("WHAT must be one of ok, usage, corrupt, io");
                case "corrupt" -> throw new CorruptionException(CorruptionReport.of(Path.of("/s/000001.seg"), 4096, 512,
                        CorruptionKind.CHECKSUM_MISMATCH, "block trailer"));
                case "io" -> throw new StorageException("store /s is locked by another process");
                default -> {
                    return 42;
                }
            }
            return ExitCode.OK;
        }
    }

    private static final Kintsugi KINTSUGI = new Kintsugi(Commands.of(new HealthCommand(Clock.systemUTC()),
            new Scripted()));

    @Test
    void helpListsEveryCommandOnStandardOutput() {
        for (String word : new String[] {"help", "--help", "-h"}) {
            CliRun r = CliRun.run(KINTSUGI, word);
            assertEquals(ExitCode.OK, r.code(), r.toString());
            assertTrue(r.out().contains("  health    print a store's health log"), r.toString());
            assertTrue(r.out().contains("scripted  does what it is told"), r.out());
            assertTrue(r.out().contains("3  could not complete"), r.toString());
            assertEquals("", r.err());
        }
    }

    @Test
    void helpForOneCommandPrintsItsUsage() {
        CliRun viaHelp = CliRun.run(KINTSUGI, "help", "health");
        CliRun viaFlag = CliRun.run(KINTSUGI, "health", "--help");
        CliRun viaFlagAfterArgs = CliRun.run(KINTSUGI, "health", "/nowhere", "--limit", "3", "-h");
        assertEquals(ExitCode.OK, viaHelp.code());
        assertTrue(viaHelp.out().startsWith("Usage: kintsugi health DIR [--severity S]"), viaHelp.out());
        assertEquals(viaHelp, viaFlag);
        assertEquals(viaHelp, viaFlagAfterArgs);
    }

    @Test
    void usageErrorsGoToStandardErrorWithExitTwo() {
        CliRun none = CliRun.run(KINTSUGI);
        assertEquals(ExitCode.USAGE_ERROR, none.code());
        assertTrue(none.err().startsWith("kintsugi: no command given\nUsage: kintsugi COMMAND"), none.err());
        assertEquals("", none.out());

        CliRun unknown = CliRun.run(KINTSUGI, "verfiy", "/s");
        assertEquals(ExitCode.USAGE_ERROR, unknown.code());
        assertTrue(unknown.err().startsWith("kintsugi: unknown command 'verfiy'\n"), unknown.err());

        CliRun flag = CliRun.run(KINTSUGI, "--verbose");
        assertEquals(ExitCode.USAGE_ERROR, flag.code());
        assertTrue(flag.err().startsWith("kintsugi: unknown option --verbose; expected a command or --help"));

        CliRun helpUnknown = CliRun.run(KINTSUGI, "help", "nope");
        assertEquals(ExitCode.USAGE_ERROR, helpUnknown.code());
        assertTrue(helpUnknown.err().startsWith("kintsugi help: unknown command 'nope'"), helpUnknown.err());

        CliRun thrown = CliRun.run(KINTSUGI, "scripted", "usage");
        assertEquals(ExitCode.USAGE_ERROR, thrown.code());
        assertEquals("kintsugi scripted: WHAT must be one of ok, usage, corrupt, io\nUsage: kintsugi scripted WHAT\n",
                thrown.err());
    }

    @Test
    void corruptionAndStorageFailuresMapToTheirExitCodes() {
        CliRun corrupt = CliRun.run(KINTSUGI, "scripted", "corrupt");
        assertEquals(ExitCode.CORRUPTION_FOUND, corrupt.code());
        assertTrue(corrupt.err().startsWith("kintsugi scripted: corruption found: "), corrupt.err());
        assertTrue(corrupt.err().contains("/s/000001.seg") && corrupt.err().contains("4096"), corrupt.err());

        CliRun io = CliRun.run(KINTSUGI, "scripted", "io");
        assertEquals(ExitCode.NOT_COMPLETED, io.code());
        assertEquals("kintsugi scripted: could not complete: store /s is locked by another process\n", io.err());

        assertEquals(new CliRun(ExitCode.OK, "done\n", ""), CliRun.run(KINTSUGI, "scripted", "ok"));
        assertEquals(42, CliRun.run(KINTSUGI, "scripted", "other").code(), "a command's own code is passed on");
    }

    @Test
    void theRegistryRefusesClashingNames() {
        assertThrows(IllegalArgumentException.class, () -> Commands.of(new Scripted(), new Scripted()));
        assertTrue(Commands.standard().find("health").isPresent());
    }
}
