package io.kintsugi.repair.net;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repair plan waiting for approval, as a repair server lists it to a client in another process (a PLANS
 * request): metadata only. The range is given by its bounds' fingerprints, never their bytes.
 *
 * @param repairId      the plan's repair id (health log, lineage), 1 to 64 printable ASCII characters
 * @param namespace     the namespace of the range
 * @param from          the range's first key as a fingerprint, or null for the start of the namespace
 * @param to            the range's end (exclusive) as a fingerprint, or null for the end of the namespace
 * @param target        the replica to repair
 * @param source        the replica to copy from
 * @param sequence      the sequence the range would be copied at (the probe's marker)
 * @param pairs         pairs the majority holds in the range
 * @param bytesEstimate estimated bytes to move
 * @param age           how long the plan has waited, as of the answer
 */
public record PendingPlan(String repairId, String namespace, KeyFingerprint from, KeyFingerprint to, String target,
                          String source, long sequence, long pairs, long bytesEstimate, Duration age) {

    /** Printable ASCII without spaces: what a repair id is made of, so that it can be typed on a command line. */
    private static final Pattern REPAIR_ID = Pattern.compile("[\\x21-\\x7e]{1," + RepairFrameFormat.MAX_REPAIR_ID_BYTES
            + "}");

    /** @throws IllegalArgumentException if a field breaks its limit (FORMAT.md 14.3, PLANS) */
    public PendingPlan {
        checkRepairId(repairId);
        RepairFrameFormat.checkNamespace(Objects.requireNonNull(namespace, "namespace"));
        checkReplica("target", target, 1);
        checkReplica("source", source, 1);
        Objects.requireNonNull(age, "age");
        if (sequence < 0 || pairs < 0 || bytesEstimate < 0 || age.isNegative()) {
            throw new IllegalArgumentException("a pending plan's sequence, pairs, byte estimate and age are 0 or "
                    + "more, were " + sequence + ", " + pairs + ", " + bytesEstimate + " and " + age);
        }
    }

    /** @return the range as health entries print it: {@code [key#1a2b3c4d/16B .. end)} */
    public String range() {
        return KeyFingerprint.range(from, to);
    }

    /**
     * @param repairId a repair id
     * @return it
     * @throws IllegalArgumentException if it is not 1 to 64 printable ASCII characters without spaces
     */
    public static String checkRepairId(String repairId) {
        Objects.requireNonNull(repairId, "repairId");
        if (!REPAIR_ID.matcher(repairId).matches()) {
            throw new IllegalArgumentException("a repair id is 1 to " + RepairFrameFormat.MAX_REPAIR_ID_BYTES
                    + " printable ASCII characters without spaces; got one of " + repairId.length()
                    + " characters that is not");
        }
        return repairId;
    }

    static void checkReplica(String what, String id, int min) {
        Objects.requireNonNull(id, what);
        int n = id.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (n < min || n > RepairFrameFormat.MAX_PULL_NAME_BYTES) {
            throw new IllegalArgumentException("a plan's " + what + " replica id of " + n + " UTF-8 bytes is outside "
                    + min + ".." + RepairFrameFormat.MAX_PULL_NAME_BYTES);
        }
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "PendingPlan{" + repairId + ": " + target + " pulls " + namespace + " " + range() + " at sequence "
                + sequence + " from " + source + ", " + pairs + " pairs, about " + bytesEstimate + " bytes, waiting "
                + age.toSeconds() + " s}";
    }
}
