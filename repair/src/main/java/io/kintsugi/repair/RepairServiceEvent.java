package io.kintsugi.repair;

import io.kintsugi.repair.RepairReport.Outcome;

import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link RepairService} did with a job, metadata only: the key range appears as bound lengths and
 * fingerprints, never as key bytes, so an event may be shipped to monitoring as it is.
 *
 * @param time      when it happened
 * @param kind      what happened
 * @param jobId     the job, numbered from 1 in the order the service created them
 * @param namespace the namespace of the job's range
 * @param range     the job's range as fingerprints, e.g. {@code [key#1a2b3c4d/16B .. end)}
 * @param attempt   the attempt the event is about (1 for the first), 0 before any
 * @param repairId  the coordinator's repair id (health log, lineage, plan), or "" when none yet
 * @param outcome   the coordinator's outcome for {@link Kind#FINISHED}, {@link Kind#RETRY_SCHEDULED},
 *                  {@link Kind#GAVE_UP} and {@link Kind#AWAITING_APPROVAL}; null otherwise
 * @param detail    metadata-only text: what was detected, why it was merged, what failed
 */
public record RepairServiceEvent(Instant time, Kind kind, long jobId, String namespace, String range, int attempt,
                                 String repairId, Outcome outcome, String detail) {

    /** What happened to a job. */
    public enum Kind {
        /** A detection became a new job. */
        QUEUED,
        /** A detection overlapped a job already there and was folded into it (its range widened if needed). */
        MERGED,
        /** An attempt started. */
        STARTED,
        /** The attempt ended in a plan that waits for approval ({@link RepairPolicy#APPROVAL}). */
        AWAITING_APPROVAL,
        /** A waiting plan was approved and is being executed. */
        APPROVED,
        /** A waiting plan was rejected; nothing was changed and the job is over. */
        REJECTED,
        /** The job is over: REPAIRED, CONSISTENT (nothing to do) or NO_MAJORITY (reported, nothing changed). */
        FINISHED,
        /** The attempt failed; the job runs again after a backoff. */
        RETRY_SCHEDULED,
        /** The last allowed attempt failed; the job is over and its damage is left for an operator. */
        GAVE_UP
    }

    /** Checks the fields that must be present. */
    public RepairServiceEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(repairId, "repairId");
        Objects.requireNonNull(detail, "detail");
    }
}
