package io.kintsugi.cli.verify;

import io.kintsugi.cli.ArgumentParser;
import io.kintsugi.cli.Command;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Option;
import io.kintsugi.cli.ParsedArguments;
import io.kintsugi.cli.UsageException;
import io.kintsugi.validation.verify.Verifier;
import io.kintsugi.validation.verify.VerifyLevel;
import io.kintsugi.validation.verify.VerifyOptions;
import io.kintsugi.validation.verify.VerifyReport;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code kintsugi verify DIR}: checks a closed store's files read-only at a {@link VerifyLevel} and prints the
 * report. Exits {@link ExitCode#OK} when everything checked is sound, {@link ExitCode#CORRUPTION_FOUND} when
 * anything is damaged, and {@link ExitCode#NOT_COMPLETED} when some part could not be checked (for example a file
 * written by a newer version) or the directory is not a store.
 */
public final class VerifyCommand implements Command {

    private static final ArgumentParser PARSER = new ArgumentParser("verify", List.of("DIR"), List.of(
            Option.withValue("level", "L", "how much to read: quick (headers, footers, index and filter blocks,"
                    + " manifest cross-checks), checksums (also every block and record; the default) or full"
                    + " (also decode every entry: key order, sequences, counts, filter and index)"),
            Option.withValue("rate", "MIB", "read at most this many MiB per second (default: no limit)"),
            Option.flag("json", "print the report as one JSON document (see docs/VALIDATION.md)")));

    /** The largest --rate, in MiB/s: far above any disk, and small enough that the byte rate fits a long. */
    private static final int MAX_RATE_MIB = 1 << 20;

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "check every file of a closed store at a level: quick, checksums or full (read-only)";
    }

    @Override
    public String usage() {
        return "Usage: kintsugi " + PARSER.synopsis() + "\n\n"
                + "Reads the files of the store in DIR without changing anything (no recovery runs, no file is\n"
                + "created) and prints a status per component and per file, counts, and every problem found with\n"
                + "its file, offset and kind. Never prints key or value bytes. Run it on a closed store; on an open\n"
                + "one, call Verifier.verify(Store, ...) from the application instead.\n\n"
                + "Options:\n" + PARSER.describeOptions() + "\n"
                + "Exit codes:\n"
                + "  0  every file checked is sound\n"
                + "  1  corruption found\n"
                + "  2  usage error\n"
                + "  3  could not complete: DIR is not a store, or some part could not be checked\n";
    }

    /**
     * @throws UsageException if an option is unknown or malformed
     */
    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        ParsedArguments parsed = PARSER.parse(args);
        Path dir = Path.of(parsed.positional(0));
        VerifyOptions.Builder options = VerifyOptions.builder().level(level(parsed));
        parsed.intValue("rate", 1, MAX_RATE_MIB).ifPresent(mib -> options.bytesPerSecond((long) mib << 20));
        VerifyReport report;
        try {
            report = Verifier.verify(dir, options.build());
        } catch (IllegalArgumentException e) {
            // The verifier refuses a path that is missing, not a directory or not a store.
            err.println("kintsugi verify: could not complete: " + e.getMessage());
            return ExitCode.NOT_COMPLETED;
        }
        out.print(parsed.has("json") ? report.toJson() + "\n" : report.toText());
        switch (report.status()) {
            case OK:
                return ExitCode.OK;
            case CORRUPT:
                return ExitCode.CORRUPTION_FOUND;
            default:
                return ExitCode.NOT_COMPLETED;
        }
    }

    private static VerifyLevel level(ParsedArguments parsed) {
        String value = parsed.value("level").orElse(VerifyLevel.CHECKSUMS.name());
        try {
            return VerifyLevel.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--level must be quick, checksums or full, was '" + value + "'");
        }
    }
}
