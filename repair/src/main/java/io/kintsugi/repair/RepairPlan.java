package io.kintsugi.repair;

import io.kintsugi.repair.net.RangeDigest;

import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link RepairCoordinator} means to do: have {@code target} pull the range at the probe's sequence from
 * {@code source}, checked against the majority's digest. Returned for approval under {@link RepairPolicy#APPROVAL}.
 * Holds the range's bounds (to execute it) but {@link #toString()} shows only their lengths.
 */
public final class RepairPlan {

    private final String repairId;
    private final Replica target;
    private final Replica source;
    private final RangeDigest expected;
    private final Instant damageSince;
    /** When the coordinator made the plan: how long it has waited is what an operator weighs against the hold time. */
    private final Instant plannedAt = Instant.now();

    RepairPlan(String repairId, Replica target, Replica source, RangeDigest expected, Instant damageSince) {
        this.repairId = Objects.requireNonNull(repairId);
        this.target = Objects.requireNonNull(target);
        this.source = Objects.requireNonNull(source);
        this.expected = Objects.requireNonNull(expected);
        this.damageSince = Objects.requireNonNull(damageSince);
    }

    /** A replica as the coordinator knows it: its id and its agent's endpoint. */
    record Replica(String id, String endpoint, LineageView lineage) {
    }

    /** @return the repair's id, as in the health log and the lineage record */
    public String repairId() {
        return repairId;
    }

    /** @return the replica to repair */
    public String target() {
        return target.id();
    }

    /** @return the replica to copy from */
    public String source() {
        return source.id();
    }

    /** @return the namespace of the range */
    public String namespace() {
        return expected.namespace();
    }

    /** @return the sequence the range is copied at (the probe's marker) */
    public long sequence() {
        return expected.sequence();
    }

    /** @return pairs the majority holds in the range */
    public long pairs() {
        return expected.count();
    }

    /** @return estimated bytes to move: the majority's key and value bytes plus 8 bytes of lengths per pair */
    public long bytesEstimate() {
        return expected.bytes() + 8 * expected.count();
    }

    /** @return when the coordinator made this plan */
    public Instant plannedAt() {
        return plannedAt;
    }

    Replica targetReplica() {
        return target;
    }

    Replica sourceReplica() {
        return source;
    }

    RangeDigest expected() {
        return expected;
    }

    Instant damageSince() {
        return damageSince;
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "RepairPlan{" + repairId + ": " + target.id() + " pulls " + expected + " from " + source.id()
                + ", about " + bytesEstimate() + " bytes}";
    }
}
