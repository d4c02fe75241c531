package io.kintsugi.repair.net;

/**
 * No repair plan with the given id waits for approval: either none ever did here (or it was forgotten), or it was
 * approved or rejected already. An {@link IllegalArgumentException}, as asking for a plan that does not wait is
 * the caller's mistake.
 */
public final class PlanNotWaitingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String repairId;
    private final boolean decided;

    /**
     * @param repairId the id asked for
     * @param decided  whether a plan of that id was approved or rejected already
     * @param message  what to tell the caller, metadata only
     */
    public PlanNotWaitingException(String repairId, boolean decided, String message) {
        super(message);
        this.repairId = repairId;
        this.decided = decided;
    }

    /** @return the repair id asked for */
    public String repairId() {
        return repairId;
    }

    /** @return whether the plan was approved or rejected already (otherwise the id is unknown) */
    public boolean decided() {
        return decided;
    }
}
