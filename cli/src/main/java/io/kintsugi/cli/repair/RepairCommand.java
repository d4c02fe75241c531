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
 * {@code kintsugi repair}: four actions.
 *
 * <ul>
 *   <li>{@code status DIR}: what of a store's flagged health entries still needs a repair, and the copies its
 *   lineage log records. Read-only: both logs are read from copies, so the store may be closed or open in another
 *   process. Exits {@link ExitCode#CORRUPTION_FOUND} while anything is outstanding.</li>
 *   <li>{@code plans HOST:PORT}, {@code approve HOST:PORT ID}, {@code reject HOST:PORT ID}: the repair plans waiting
 *   for approval in the process that runs the repair service (under the approval policy), over the repair protocol
 *   to the repair server the service is attached to ({@link PlansAction}, {@link DecisionAction}).</li>
 * </ul>
 */
public final class RepairCommand implements Command {

    /** Reads a store's logs and lists what is outstanding. */
    static final String STATUS = "status";
    /** Lists the plans waiting for approval on a repair server. */
    static final String PLANS = "plans";
    /** Approves one waiting plan. */
    static final String APPROVE = "approve";
    /** Rejects one waiting plan. */
    static final String REJECT = "reject";
    private static final String ACTIONS = "status, plans, approve or reject";

    private static final ArgumentParser STATUS_PARSER = new ArgumentParser("repair status", List.of("DIR"), List.of(
            Option.flag("all", "also list the flagged entries that are settled, not only the outstanding ones")));

    @Override
    public String name() {
        return "repair";
    }

    @Override
    public String summary() {
        return "repair status DIR: flagged ranges still to repair; repair plans|approve|reject HOST:PORT: plans "
                + "awaiting approval";
    }

    @Override
    public String usage() {
        return "Usage: kintsugi repair status DIR [--all]\n"
                + "       kintsugi " + PlansAction.PARSER.synopsis() + "\n"
                + "       kintsugi " + DecisionAction.APPROVE_PARSER.synopsis() + "\n"
                + "       kintsugi " + DecisionAction.REJECT_PARSER.synopsis() + "\n\n"
                + "status reads the health log and the lineage log of the store in DIR (from copies: the store\n"
                + "may be open in another process) and prints every INCONSISTENT or DAMAGED entry that nothing later\n"
                + "settles: a later CONSISTENT verdict over its range, a lineage copy of its range into this store,\n"
                + "or, for damage logged without a range, its segment file gone. Then every lineage record. Key\n"
                + "ranges are shown as fingerprints, never as key bytes.\n\n"
                + "Options of status:\n" + STATUS_PARSER.describeOptions() + "\n"
                + "Repairs are run by the process beside the primary (RepairService). Under the approval policy\n"
                + "its plans wait; plans, approve and reject reach them through the repair server the service is\n"
                + "attached to (RepairAgent.serveApprovals), authenticated with the agents' shared secret. plans\n"
                + "lists each plan's repair id, namespace, range (fingerprints), target, source, sequence, pairs,\n"
                + "byte estimate and age. approve waits until the repair ran and prints its outcome; reject changes\n"
                + "nothing and logs --why in the primary's health log. A timeout does not cancel an approval.\n\n"
                + "Options of plans:\n" + PlansAction.PARSER.describeOptions()
                + "Options of approve:\n" + DecisionAction.APPROVE_PARSER.describeOptions()
                + "Options of reject:\n" + DecisionAction.REJECT_PARSER.describeOptions() + "\n"
                + "Exit codes:\n"
                + "  0  status: nothing outstanding; plans: listed; approve: repaired (or equal already);\n"
                + "     reject: rejected\n"
                + "  1  status: a flagged range still needs repair, or a log is damaged; approve: the repair failed\n"
                + "     or found no majority; approve, reject: refused (no such plan, decided already)\n"
                + "  2  usage error\n"
                + "  3  could not complete: DIR is missing or a log cannot be read; the server is unreachable, did\n"
                + "     not answer in time, refused the secret, or has no repair service attached\n";
    }

    /**
     * @throws UsageException                        if the action or an option is unknown or malformed
     * @throws io.kintsugi.oplog.CorruptionException if the health or lineage log is damaged, or a repair frame
     *                                               arrived damaged
     * @throws StorageException                      if DIR is missing or a log cannot be read; or the repair
     *                                               server is unreachable, silent, refuses the secret or has no
     *                                               repair service attached
     */
    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            throw new UsageException("expected an action: " + ACTIONS);
        }
        String action = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (action) {
            case STATUS -> {
                return status(rest, out);
            }
            case PLANS -> {
                return PlansAction.run(rest, out);
            }
            case APPROVE, REJECT -> {
                return DecisionAction.run(action.equals(APPROVE), rest, out, err);
            }
            default -> throw new UsageException("unknown action '" + action + "'; expected " + ACTIONS);
        }
    }

    private static int status(List<String> args, PrintStream out) {
        ParsedArguments parsed = STATUS_PARSER.parse(args);
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
