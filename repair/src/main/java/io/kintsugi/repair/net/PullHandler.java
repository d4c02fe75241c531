package io.kintsugi.repair.net;

/**
 * What a replica does when a coordinator tells it, through its {@link RepairServer}, to pull a range: fetch it from
 * the source, check it against the expected digest, install it. Implementations must be safe for calls from several
 * threads at once.
 */
@FunctionalInterface
public interface PullHandler {

    /**
     * @param order what to pull
     * @return what was installed
     * @throws RuntimeException of any kind when the pull failed; its message (metadata only) goes back to the
     *                          coordinator in an ERROR frame with reason {@link RepairFrameFormat#REASON_PULL_FAILED}
     */
    PullOutcome pull(PullOrder order);
}
