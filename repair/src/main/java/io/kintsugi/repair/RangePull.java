package io.kintsugi.repair;

import io.kintsugi.repair.RepairPlan.Replica;
import io.kintsugi.repair.net.PullOrder;
import io.kintsugi.repair.net.PullOutcome;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.util.List;

/**
 * Pull and install: tells a plan's target to pull its range from a source, check it against the majority's digest
 * and install it, trying the next source when one fails. The target does the work; this step only orders it and
 * logs what moved.
 */
final class RangePull {

    private final RepairClient client;

    RangePull(RepairClient client) {
        this.client = client;
    }

    /**
     * @param sources the sources to try, in order
     * @return whether a pull succeeded; the run then holds what moved
     */
    boolean pull(RepairRun run, RepairPlan plan, List<Replica> sources) {
        Replica target = plan.targetReplica();
        PullOutcome pulled = null;
        for (Replica source : sources) {
            run.source = source.id();
            run.step(Severity.INFO, Verdict.NONE, run.sequence, "source chosen: " + source.id() + " (digest OK, "
                    + "in the majority, no copy of the range from " + target.id() + " in its lineage since "
                    + plan.damageSince() + "); " + target.id() + " pulls about " + plan.bytesEstimate() + " bytes");
            try {
                pulled = client.pull(target.endpoint(), new PullOrder(source.endpoint(), source.id(), run.repairId,
                        plan.expected()));
                break;
            } catch (RuntimeException e) {
                run.step(Severity.ERROR, Verdict.NONE, run.sequence, "the pull from " + source.id() + " failed: "
                        + e.getMessage());
            }
        }
        if (pulled == null) {
            return false;
        }
        run.pairs = pulled.count();
        run.bytes = pulled.bytes();
        run.wireBytes = pulled.wireBytes();
        run.step(Severity.INFO, Verdict.NONE, run.sequence, "copied " + pulled.count() + " pairs, " + pulled.bytes()
                + " key and value bytes (" + pulled.wireBytes() + " bytes of chunk frames) from " + run.source
                + " to " + target.id() + (pulled.stagedOnDisk() ? ", staged on disk" : ""));
        run.step(Severity.INFO, Verdict.NONE, run.sequence, "installed on " + target.id() + " at sequence "
                + run.sequence + ": " + pulled.bytesWritten() + " bytes written");
        return true;
    }
}
