package io.kintsugi.repair;

import java.util.List;
import java.util.Optional;

/**
 * What a {@link RepairCoordinator} did for one range, metadata only (no key or value bytes): the outcome, the
 * sequences it compared at, who was wrong, who was copied from, what moved, and every step as it was also written
 * to the primary's health log.
 *
 * @param repairId      the repair's id (health log, lineage)
 * @param outcome       how it ended
 * @param namespace     the namespace of the range
 * @param sequence      the probe's sequence (the vote and the copy), or -1 when the probe failed
 * @param proofSequence the follow-up probe's sequence, or -1 when there was none
 * @param target        the replica repaired (or to be repaired), or empty
 * @param source        the replica copied from, or empty
 * @param pairs         pairs installed on the target
 * @param bytes         key and value bytes installed
 * @param wireBytes     bytes of chunk frames the target received
 * @param plan          the plan waiting for approval ({@link Outcome#AWAITING_APPROVAL}), or null
 * @param steps         each step, in order, as logged
 */
public record RepairReport(String repairId, Outcome outcome, String namespace, long sequence, long proofSequence,
                           String target, String source, long pairs, long bytes, long wireBytes, RepairPlan plan,
                           List<String> steps) {

    /** How a repair ended. */
    public enum Outcome {
        /** Every replica's digest was equal: nothing to repair. */
        CONSISTENT,
        /** No digest had a majority of the replicas (two that disagree, three all different): nothing changed. */
        NO_MAJORITY,
        /** The plan waits for {@link RepairCoordinator#approve(RepairPlan)}; nothing changed yet. */
        AWAITING_APPROVAL,
        /** The target was repaired and a follow-up probe found every replica equal. */
        REPAIRED,
        /** A step failed (no trustworthy source, the pull failed, the proof found a difference); see the steps. */
        FAILED
    }

    /** Copies the steps. */
    public RepairReport {
        steps = List.copyOf(steps);
    }

    /** @return the plan waiting for approval, if any */
    public Optional<RepairPlan> pendingPlan() {
        return Optional.ofNullable(plan);
    }
}
