package io.kintsugi.cli.repair;

import io.kintsugi.cli.ArgumentParser;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.JsonWriter;
import io.kintsugi.cli.Option;
import io.kintsugi.cli.ParsedArguments;
import io.kintsugi.cli.UsageException;
import io.kintsugi.repair.net.PendingPlan;
import io.kintsugi.repair.net.PlanDecision;
import io.kintsugi.repair.net.RepairFrameFormat;
import io.kintsugi.repair.net.RepairRefusedException;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code kintsugi repair approve HOST:PORT ID} and {@code kintsugi repair reject HOST:PORT ID}: decide one waiting
 * plan of the repair service behind that repair server. An approval waits for the repair to run and reports its
 * outcome; a rejection changes nothing and is logged with {@code --why}.
 */
final class DecisionAction {

    /** Default wait for an approval's answer, in seconds: it covers the vote, the copy and the proof. */
    static final int APPROVE_TIMEOUT_SECONDS = 600;
    /** Default wait for a rejection's answer, in seconds. */
    static final int REJECT_TIMEOUT_SECONDS = 30;
    /** The reason logged for a rejection without {@code --why}. */
    static final String DEFAULT_WHY = "rejected with kintsugi repair reject";

    private static final Option JSON = Option.flag("json", "print JSON instead of text");

    static final ArgumentParser APPROVE_PARSER = new ArgumentParser("repair approve", List.of("HOST:PORT", "ID"),
            List.of(RemoteRepairServer.SECRET_FILE, JSON, RemoteRepairServer.timeoutOption(APPROVE_TIMEOUT_SECONDS)));
    static final ArgumentParser REJECT_PARSER = new ArgumentParser("repair reject", List.of("HOST:PORT", "ID"),
            List.of(RemoteRepairServer.SECRET_FILE, Option.withValue("why", "TEXT", "who rejects it and why, for the "
                    + "primary's health log (default '" + DEFAULT_WHY + "'); metadata only, at most "
                    + RepairFrameFormat.MAX_DETAIL_BYTES + " bytes"), JSON,
                    RemoteRepairServer.timeoutOption(REJECT_TIMEOUT_SECONDS)));

    private DecisionAction() {
    }

    /**
     * Approves or rejects one plan.
     *
     * @param approve whether to approve (else reject)
     * @param args    the arguments after {@code approve} or {@code reject}
     * @param out     where the outcome goes
     * @param err     where a refusal is explained
     * @return {@link ExitCode#OK} when the plan was repaired (or found equal already) or rejected;
     *         {@link ExitCode#CORRUPTION_FOUND} when the repair failed or found no majority, or the server refused
     *         the decision (no such plan, decided already)
     */
    static int run(boolean approve, List<String> args, PrintStream out, PrintStream err) {
        ParsedArguments parsed = (approve ? APPROVE_PARSER : REJECT_PARSER).parse(args);
        String id = parsed.positional(1);
        try {
            PendingPlan.checkRepairId(id);
        } catch (IllegalArgumentException e) {
            throw new UsageException("ID " + e.getMessage() + "; copy it from kintsugi repair plans");
        }
        String why = parsed.value("why").orElse(DEFAULT_WHY);
        if (why.getBytes(StandardCharsets.UTF_8).length > RepairFrameFormat.MAX_DETAIL_BYTES) {
            throw new UsageException("--why takes at most " + RepairFrameFormat.MAX_DETAIL_BYTES + " bytes, got "
                    + why.getBytes(StandardCharsets.UTF_8).length);
        }
        RemoteRepairServer server = RemoteRepairServer.of(parsed,
                approve ? APPROVE_TIMEOUT_SECONDS : REJECT_TIMEOUT_SECONDS);
        String verb = approve ? "approve" : "reject";
        PlanDecision d;
        try {
            d = approve ? server.client().approve(server.endpoint(), id)
                    : server.client().reject(server.endpoint(), id, why);
        } catch (RepairRefusedException e) {
            if (!refusesTheDecision(e.reason())) {
                throw e; // no service there, busy, closing: the command could not complete
            }
            err.println("kintsugi repair " + verb + ": refused: " + e.getMessage());
            return ExitCode.CORRUPTION_FOUND;
        }
        if (parsed.has("json")) {
            out.println(json(server.endpoint(), d));
        } else {
            text(d, out);
        }
        return d.settled() || d.outcome() == PlanDecision.Outcome.REJECTED ? ExitCode.OK : ExitCode.CORRUPTION_FOUND;
    }

    /** The server took the request and said no to this decision, rather than failing to serve it. */
    private static boolean refusesTheDecision(int reason) {
        return reason == RepairFrameFormat.REASON_NO_SUCH_PLAN || reason == RepairFrameFormat.REASON_ALREADY_DECIDED
                || reason == RepairFrameFormat.REASON_DECISION_FAILED;
    }

    private static void text(PlanDecision d, PrintStream out) {
        if (d.outcome() == PlanDecision.Outcome.REJECTED) {
            out.println("Plan " + d.repairId() + " rejected: nothing changed");
        } else {
            out.println("Plan " + d.repairId() + " approved: " + d.outcome());
        }
        out.println("  target " + or(d.target()) + ", source " + or(d.source()));
        out.println("  sequence " + d.sequence() + (d.proofSequence() >= 0 ? ", proof at " + d.proofSequence() : ""));
        if (d.outcome() != PlanDecision.Outcome.REJECTED) {
            out.println("  moved " + d.pairs() + " pairs, " + d.bytes() + " key and value bytes (" + d.wireBytes()
                    + " bytes of chunk frames)");
        }
        out.println("  last step: " + d.summary());
    }

    private static String or(String id) {
        return id.isEmpty() ? "none" : id;
    }

    private static String json(String endpoint, PlanDecision d) {
        return new JsonWriter().beginObject()
                .name("version").value(1)
                .name("endpoint").value(endpoint)
                .name("repairId").value(d.repairId())
                .name("outcome").value(d.outcome().name())
                .name("target").value(d.target())
                .name("source").value(d.source())
                .name("sequence").value(d.sequence())
                .name("proofSequence").value(d.proofSequence())
                .name("pairs").value(d.pairs())
                .name("bytes").value(d.bytes())
                .name("wireBytes").value(d.wireBytes())
                .name("summary").value(d.summary())
                .endObject().toString();
    }
}
