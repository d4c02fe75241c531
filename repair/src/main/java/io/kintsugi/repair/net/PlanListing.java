package io.kintsugi.repair.net;

import java.util.List;

/**
 * The answer to a PLANS request: the plans waiting for approval on a repair server, oldest first, and how many wait
 * in all (more than are listed only past {@link RepairFrameFormat#MAX_LISTED_PLANS}).
 *
 * @param waiting plans waiting in all
 * @param plans   the oldest of them, at most {@link RepairFrameFormat#MAX_LISTED_PLANS}
 */
public record PlanListing(long waiting, List<PendingPlan> plans) {

    /** Copies the list; checks the counts agree. */
    public PlanListing {
        plans = List.copyOf(plans);
        if (waiting < plans.size() || plans.size() > RepairFrameFormat.MAX_LISTED_PLANS
                || waiting > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("a plan listing holds " + plans.size() + " plans of " + waiting
                    + " waiting; it lists at most " + RepairFrameFormat.MAX_LISTED_PLANS + " and no more than wait");
        }
    }
}
