package io.kintsugi.cli.repair;

import io.kintsugi.cli.ArgumentParser;
import io.kintsugi.cli.Command;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Option;
import io.kintsugi.cli.ParsedArguments;
import io.kintsugi.cli.UsageException;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.lineage.LineageLog;
import io.kintsugi.repair.lineage.LineageQuery;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.health.HealthQuery;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kintsugi repair status DIR}: what of a store's flagged health entries still needs a repair, and the
 * copies its lineage log records. Read-only: both logs are read from copies, so the store may be closed or open in
 * another process. Exits {@link ExitCode#CORRUPTION_FOUND} while anything is outstanding.
 *
 * <p>A repair itself needs the live replicas and the process that coordinates them (a {@code RepairService} beside
 * the primary); the repair protocol has no request yet to list, approve or reject that process's plans, so
 * {@code plan} and {@code approve} are not offered here (see docs/CLI.md).
 */
public final class RepairCommand implements Command {

    /** The one action this build offers. */
    static final String STATUS = "status";

    private static final ArgumentParser STATUS_PARSER = new ArgumentParser("repair status", List.of("DIR"), List.of(
            Option.flag("all", "also list the flagged entries that are settled, not only the outstanding ones")));

    @Override
    public String name() {
        return "repair";
    }

    @Override
    public String summary() {
        return "repair status DIR: a store's flagged ranges that still need repair, and its lineage (read-only)";
    }

    @Override
    public String usage() {
        return "Usage: kintsugi repair status DIR [--all]\n\n"
                + "Reads the health log and the lineage log of the store in DIR (from copies: the store may be open\n"
                + "in another process) and prints every INCONSISTENT or DAMAGED entry that nothing later settles: a\n"
                + "later CONSISTENT verdict over its range, a lineage copy of its range into this store, or, for\n"
                + "damage logged without a range, its segment file gone. Then every lineage record. Key ranges are\n"
                + "shown as fingerprints, never as key bytes.\n\n"
                + "Repairs are run by the process beside the primary (RepairService, RepairCoordinator); this\n"
                + "command cannot plan or approve them yet.\n\n"
                + "Options:\n" + STATUS_PARSER.describeOptions() + "\n"
                + "Exit codes:\n"
                + "  0  nothing outstanding\n"
                + "  1  a flagged range still needs repair, or a log is damaged\n"
                + "  2  usage error\n"
                + "  3  could not complete: DIR is missing, or a log cannot be read\n";
    }

    /**
     * @throws UsageException                        if the action or an option is unknown or malformed
     * @throws io.kintsugi.oplog.CorruptionException if the health or lineage log is damaged
     * @throws StorageException                      if DIR is missing or a log cannot be read
     */
    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            throw new UsageException("expected an action: status");
        }
        String action = args.get(0);
        if (!action.equals(STATUS)) {
            throw new UsageException("unknown action '" + action + "'; this build offers: status (plan and approve "
                    + "need a protocol request the agents do not serve yet)");
        }
        ParsedArguments parsed = STATUS_PARSER.parse(args.subList(1, args.size()));
        Path dir = Path.of(parsed.positional(0));
        if (!Files.isDirectory(dir)) {
            throw new StorageException("store directory " + dir + " does not exist or is not a directory");
        }
        List<HealthEntry> entries;
        try (HealthLog log = HealthLog.openReadOnly(dir)) {
            entries = log.query(HealthQuery.builder().order(HealthQuery.Order.OLDEST_FIRST).build());
        }
        List<LineageRecord> copies;
        try (LineageLog lineage = LineageLog.openReadOnly(dir)) {
            copies = lineage.query(LineageQuery.all());
        }
        OutstandingDamage damage = OutstandingDamage.of(dir, entries, copies);
        print(dir, damage, copies, parsed.has("all"), out);
        return damage.outstanding().isEmpty() ? ExitCode.OK : ExitCode.CORRUPTION_FOUND;
    }

    private static void print(Path dir, OutstandingDamage damage, List<LineageRecord> copies, boolean all,
                              PrintStream out) {
        out.println("Repair status of " + dir + ": " + damage.outstanding().size() + " outstanding, "
                + damage.settled().size() + " settled, " + copies.size() + " lineage records");
        out.println("Outstanding (flagged, nothing later settles them):");
        list(damage.outstanding(), out);
        if (all) {
            out.println("Settled (a later consistent verdict, copy or rewrite covers them):");
            list(damage.settled(), out);
        }
        out.println("Lineage (copies into this store):");
        if (copies.isEmpty()) {
            out.println("  none");
        }
        for (LineageRecord r : copies) {
            out.println("  " + r);
        }
        out.println(damage.outstanding().isEmpty() ? "Result: nothing outstanding"
                : "Result: " + damage.outstanding().size() + " flagged entries still need repair");
    }

    private static void list(List<HealthEntry> entries, PrintStream out) {
        if (entries.isEmpty()) {
            out.println("  none");
        }
        for (HealthEntry e : entries) {
            out.println("  " + e);
        }
    }
}
