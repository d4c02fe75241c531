package io.kintsugi.repair.net;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What came of approving or rejecting a waiting plan (a DECISION), as a repair server tells the client: the
 * repair's outcome and a one-line summary, metadata only.
 *
 * @param repairId      the plan's repair id
 * @param outcome       how it ended
 * @param target        the replica repaired (or that would have been), or empty
 * @param source        the replica copied from (or that would have been), or empty
 * @param sequence      the sequence the range was copied at, or -1
 * @param proofSequence the follow-up probe's sequence, or -1 when there was none
 * @param pairs         pairs installed on the target
 * @param bytes         key and value bytes installed
 * @param wireBytes     bytes of chunk frames the target received
 * @param summary       the last step as the health log has it (at most {@value RepairFrameFormat#MAX_DETAIL_BYTES}
 *                      UTF-8 bytes; longer text is cut)
 */
public record PlanDecision(String repairId, Outcome outcome, String target, String source, long sequence,
                           long proofSequence, long pairs, long bytes, long wireBytes, String summary) {

    /** How a decided plan ended; the codes are those of the DECIDED frame. */
    public enum Outcome {
        /** Approved; the target was repaired and the proof found every replica equal. */
        REPAIRED(1),
        /** Approved; by then every replica's digest was equal: nothing to repair. */
        CONSISTENT(2),
        /** Approved; the vote found no majority: nothing changed. */
        NO_MAJORITY(3),
        /** Approved; a step failed (the pull, the proof): the repair service retries the job as usual. */
        FAILED(4),
        /** Rejected: nothing changed. */
        REJECTED(5);

        private final int code;

        Outcome(int code) {
            this.code = code;
        }

        /** @return the outcome's code in a DECIDED frame */
        public int code() {
            return code;
        }

        /**
         * @param code a DECIDED frame's outcome code
         * @return its outcome
         * @throws IllegalArgumentException if the code is unknown
         */
        public static Outcome ofCode(int code) {
            for (Outcome o : values()) {
                if (o.code == code) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown plan outcome code " + code);
        }
    }

    /** Cuts the summary to its limit; checks the rest. */
    public PlanDecision {
        PendingPlan.checkRepairId(repairId);
        Objects.requireNonNull(outcome, "outcome");
        PendingPlan.checkReplica("target", target, 0);
        PendingPlan.checkReplica("source", source, 0);
        if (sequence < -1 || proofSequence < -1 || pairs < 0 || bytes < 0 || wireBytes < 0) {
            throw new IllegalArgumentException("a decision's sequences are -1 or more and its pairs, bytes and wire "
                    + "bytes 0 or more, were " + sequence + ", " + proofSequence + ", " + pairs + ", " + bytes + ", "
                    + wireBytes);
        }
        summary = cut(Objects.requireNonNull(summary, "summary"));
    }

    /** @return whether the plan's range is now known to be equal on every replica (repaired, or already equal) */
    public boolean settled() {
        return outcome == Outcome.REPAIRED || outcome == Outcome.CONSISTENT;
    }

    /** Cuts text to its first {@value RepairFrameFormat#MAX_DETAIL_BYTES} UTF-8 bytes, on a character boundary. */
    static String cut(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length <= RepairFrameFormat.MAX_DETAIL_BYTES) {
            return text;
        }
        int end = text.length();
        while (text.substring(0, end).getBytes(StandardCharsets.UTF_8).length > RepairFrameFormat.MAX_DETAIL_BYTES) {
            end = Math.max(0, end - Math.max(1, (b.length - RepairFrameFormat.MAX_DETAIL_BYTES) / 4));
            if (end > 0 && Character.isLowSurrogate(text.charAt(end))) {
                end--;
            }
        }
        return text.substring(0, end);
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "PlanDecision{" + repairId + ": " + outcome + (target.isEmpty() ? "" : ", target " + target)
                + (source.isEmpty() ? "" : ", source " + source) + ", sequence " + sequence + ", proof "
                + proofSequence + ", " + pairs + " pairs, " + bytes + " bytes, " + wireBytes + " wire bytes: "
                + summary + '}';
    }
}
