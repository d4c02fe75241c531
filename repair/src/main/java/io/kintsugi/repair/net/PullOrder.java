package io.kintsugi.repair.net;

import java.util.Objects;

/**
 * What a replica is told to pull: the range {@code expected} describes, as of its sequence, from the replica at
 * {@code sourceEndpoint}, checked against {@code expected} while it streams. Carried by a PULL frame so that a
 * coordinator can direct replicas in other processes.
 *
 * @param sourceEndpoint the source's repair server, {@code host:port}
 * @param sourceReplica  the source's replica id, for the lineage record
 * @param repairId       the repair this pull belongs to (health log and lineage cross-reference); may be empty
 * @param expected       the majority's digest of the range (status OK); the pulled pairs must match it
 */
public record PullOrder(String sourceEndpoint, String sourceReplica, String repairId, RangeDigest expected) {

    /**
     * @throws NullPointerException     if a component is null
     * @throws IllegalArgumentException if a name is empty or the expected digest is not OK
     */
    public PullOrder {
        Objects.requireNonNull(sourceEndpoint, "sourceEndpoint");
        Objects.requireNonNull(sourceReplica, "sourceReplica");
        Objects.requireNonNull(repairId, "repairId");
        Objects.requireNonNull(expected, "expected");
        if (sourceEndpoint.isEmpty() || sourceReplica.isEmpty()) {
            throw new IllegalArgumentException("a pull order names its source's endpoint and replica id");
        }
        if (expected.status() != RangeDigest.Status.OK) {
            throw new IllegalArgumentException("a pull order's expected digest must be OK, was "
                    + expected.status());
        }
    }
}
