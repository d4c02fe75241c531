package io.kintsugi.repair;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.RepairPlan.Replica;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;
import io.kintsugi.validation.scan.RangeProbe;

import java.util.List;
import java.util.Map;

/**
 * The proof of a repair: a new probe of the range on the primary, at which every replica's digest must be there, OK
 * and equal. Anything less (a silent replica too) fails the repair, because an install that cannot be shown to agree
 * is not known to be right.
 */
final class RangeProof {

    private final Validator validator;
    private final DigestPoll<Replica> poll;
    private final List<Replica> replicas;

    RangeProof(Validator validator, DigestPoll<Replica> poll, List<Replica> replicas) {
        this.validator = validator;
        this.poll = poll;
        this.replicas = replicas;
    }

    /** @return the run's report: {@link Outcome#REPAIRED} when proven, {@link Outcome#FAILED} otherwise */
    RepairReport prove(RepairRun run) {
        RangeProbe probe;
        try {
            probe = validator.probe(run.namespace, run.from, run.to);
        } catch (StorageException e) {
            run.step(Severity.ERROR, Verdict.NOT_CHECKED, run.sequence, "the follow-up probe failed: "
                    + e.getMessage());
            return run.report(Outcome.FAILED);
        }
        run.proofSequence = probe.sequence();
        Map<Replica, RangeDigest> digests = poll.at(probe.sequence(), run.noDigest(poll, probe.sequence()));
        ReplicaVote<Replica> vote = ReplicaVote.of(replicas, digests, Replica::id);
        if (vote.majority() != null && vote.outvoted().isEmpty() && vote.silent().isEmpty()) {
            run.step(Severity.INFO, Verdict.CONSISTENT, run.proofSequence, "proven: every replica's digest at "
                    + "sequence " + run.proofSequence + " is equal (" + vote.majority().count() + " pairs, "
                    + vote.majority().bytes() + " bytes)");
            return run.report(Outcome.REPAIRED);
        }
        run.step(Severity.ERROR, Verdict.INCONSISTENT, run.proofSequence, "proof failed at sequence "
                + run.proofSequence + ": " + vote.describe());
        return run.report(Outcome.FAILED);
    }
}
