package io.kintsugi.repair;

/** Whether a {@link RepairCoordinator} repairs as soon as it has a plan, or waits for someone to approve it. */
public enum RepairPolicy {
    /** Vote, choose a source, pull, install and prove without asking. */
    AUTOMATIC,
    /**
     * Vote and choose a source, then return the plan ({@link RepairReport.Outcome#AWAITING_APPROVAL}) and change
     * nothing until {@link RepairCoordinator#approve(RepairPlan)}.
     */
    APPROVAL
}
