package io.kintsugi.cli.health;

import io.kintsugi.cli.ArgumentParser;
import io.kintsugi.cli.Command;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Option;
import io.kintsugi.cli.ParsedArguments;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.health.HealthLogStats;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * {@code kintsugi health DIR}: prints the entries of a store's health log that match the options, with counts per
 * severity, kind and verdict. The log is opened {@link HealthLog#openReadOnly read-only}, so this works on a closed
 * store and on one that another process has open. Exits {@link ExitCode#CORRUPTION_FOUND} when any ERROR entry
 * matches, so that a cron job or a monitoring check can run it as it is.
 */
public final class HealthCommand implements Command {

    private static final ArgumentParser PARSER = new ArgumentParser("health", List.of("DIR"), List.of(
            Option.withValue("severity", "S", "show entries of at least this severity: INFO (all, the default),"
                    + " WARNING or ERROR"),
            Option.withValue("kind", "K", "show only these kinds, comma-separated: SCAN_BATCH, CHECKSUM_FAILURE,"
                    + " INVARIANT_VIOLATION, VERIFY, REPAIR"),
            Option.withValue("namespace", "NS", "show only entries about this namespace"),
            Option.withValue("since", "T", "show entries from T on: an ISO-8601 instant (2026-03-01T12:00:00Z) or"
                    + " a span back from now (30m, 1h, 1h30m, 7d, PT1H)"),
            Option.withValue("limit", "N", "print only the newest N matching entries (the counts and the exit"
                    + " code still cover all of them)"),
            Option.flag("json", "print one JSON document instead of text (see docs/CLI.md)")));

    private final Clock clock;

    /**
     * @param clock what "now" is, for {@code --since 1h}
     */
    public HealthCommand(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return "health";
    }

    @Override
    public String summary() {
        return "print a store's health log: scan verdicts, checksum failures, repairs (read-only)";
    }

    @Override
    public String usage() {
        return "Usage: kintsugi " + PARSER.synopsis() + "\n\n"
                + "Prints the entries of the health log of the store in DIR that match every option given, oldest\n"
                + "first, then their counts per severity, kind and verdict. Reads a copy of the log, so the store may\n"
                + "be open in another process. Key ranges are shown as fingerprints, never as key bytes.\n\n"
                + "Options:\n" + PARSER.describeOptions() + "\n"
                + "Exit codes:\n"
                + "  0  no ERROR entry matches\n"
                + "  1  at least one ERROR entry matches, or the health log itself is damaged\n"
                + "  2  usage error\n"
                + "  3  could not complete: DIR is missing, or the log cannot be read\n";
    }

    /**
     * @throws io.kintsugi.cli.UsageException          if an option is unknown or malformed
     * @throws io.kintsugi.oplog.CorruptionException   if the health log is damaged
     * @throws io.kintsugi.oplog.StorageException      if the store directory is missing or the log cannot be read
     */
    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        ParsedArguments parsed = PARSER.parse(args);
        HealthRequest request = HealthRequest.from(parsed, clock);
        HealthLogView view = read(request);
        if (request.json()) {
            out.println(HealthJsonReport.render(view));
        } else {
            HealthTextReport.print(view, out);
        }
        return view.summary().errors() > 0 ? ExitCode.CORRUPTION_FOUND : ExitCode.OK;
    }

    private static HealthLogView read(HealthRequest request) {
        Path logDir = HealthLog.directory(request.store());
        try (HealthLog log = HealthLog.openReadOnly(request.store())) {
            // Every match is read so that the counts and the exit code do not depend on --limit; the log is
            // size-bounded, so this stays bounded too.
            List<HealthEntry> matching = log.query(request.query());
            HealthLogStats stats = log.stats();
            int shown = Math.min(matching.size(), request.limit().orElse(Integer.MAX_VALUE));
            return new HealthLogView(request, logDir, Files.isDirectory(logDir), stats, HealthSummary.of(matching),
                    List.copyOf(matching.subList(matching.size() - shown, matching.size())));
        }
    }
}
