package io.kintsugi.repair.net;

import java.util.List;

/**
 * What a {@link RepairServer} asks when a client in another process lists the repair plans waiting for approval
 * (a PLANS request) or approves or rejects one (a DECIDE request). A {@code RepairService} offers one
 * ({@code RepairService.approvals()}); a server without one answers those requests with ERROR reason
 * {@link RepairFrameFormat#REASON_NO_REPAIR_SERVICE}. Implementations must be safe for calls from several threads
 * at once.
 */
public interface ApprovalHandler {

    /**
     * @return the plans waiting for approval, oldest first
     * @throws IllegalStateException if the service behind it is closed
     */
    List<PendingPlan> pendingPlans();

    /**
     * Executes a waiting plan and returns once the repair ran.
     *
     * @param repairId the plan's repair id
     * @return what came of it
     * @throws PlanNotWaitingException if no plan with that id waits (unknown, or decided already)
     * @throws IllegalStateException   if the service behind it is closed
     * @throws RuntimeException        of another kind if the repair threw; its message (metadata only) goes back
     *                                 with ERROR reason {@link RepairFrameFormat#REASON_DECISION_FAILED}
     */
    PlanDecision approve(String repairId);

    /**
     * Drops a waiting plan: nothing changes, and the rejection is logged with {@code why}.
     *
     * @param repairId the plan's repair id
     * @param why      who rejected it and why, metadata only
     * @return the rejection
     * @throws PlanNotWaitingException if no plan with that id waits (unknown, or decided already)
     * @throws IllegalStateException   if the service behind it is closed
     */
    PlanDecision reject(String repairId, String why);
}
