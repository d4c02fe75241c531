package io.kintsugi.repair;

import io.kintsugi.repair.RepairPlan.Replica;
import io.kintsugi.repair.net.LineageRequest;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which replicas may be the source of a repair: those of the majority whose lineage shows no copy of an overlapping
 * range from the target since the damage could have started, since such a copy may carry the damage into the
 * majority. A replica whose lineage is unknown or cannot be read is not a source. Each refusal is a logged step.
 */
final class SourceChoice {

    /**
     * Stands for "ask the replica's agent over the wire" in {@link Replica#lineage()}: the coordinator's client is
     * made only when the coordinator is built.
     */
    static final LineageView OVER_THE_WIRE = (source, namespace, from, to, since) -> {
        throw new IllegalStateException("the over-the-wire lineage view is a marker, never called");
    };

    private final RepairClient client;

    SourceChoice(RepairClient client) {
        this.client = client;
    }

    /** @return the agreeing replicas that may be sources, in the vote's order: the first is the one to pull from */
    List<Replica> sources(RepairRun run, ReplicaVote<Replica> vote, Replica target, Instant since) {
        List<Replica> out = new ArrayList<>();
        for (Replica r : vote.agreeing()) {
            LineageView lineage = lineageOf(r);
            if (lineage == null) {
                run.step(Severity.WARNING, Verdict.NONE, run.sequence, "not a source: the lineage of " + r.id()
                        + " is not known to this coordinator");
                continue;
            }
            String refusal = lineage.refusal(r.id(), target.id(), run.namespace, run.from, run.to, since);
            if (refusal != null) {
                run.step(Severity.WARNING, Verdict.NONE, run.sequence, refusal);
                continue;
            }
            out.add(r);
        }
        return out;
    }

    private LineageView lineageOf(Replica r) {
        if (r.lineage() != OVER_THE_WIRE) {
            return r.lineage();
        }
        return (source, namespace, from, to, since) -> client.lineage(r.endpoint(),
                new LineageRequest(source, namespace, from, to, since));
    }
}
