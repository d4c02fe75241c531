package io.kintsugi.repair.resync;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link WholeReplicaResync} did, metadata only.
 *
 * @param resyncId             the id its pulls, lineage records and health entries carry
 * @param outcome              whether every range was resynced and proven
 * @param target               the target's replica id
 * @param namespaces           the primary's namespaces that were resynced, in name order
 * @param rangesPlanned        ranges the namespaces were split into
 * @param rangesCopied         planned ranges pulled to the target and installed (adjacent ones that failed alone
 *                             and succeeded when retried as one count each)
 * @param rangesAlreadyEqual   ranges whose digest on the target already equalled the majority's: nothing moved
 * @param failedRanges         ranges neither copied nor found equal (no majority, no trustworthy source, every pull
 *                             failed, or the probe never landed); the steps say why
 * @param unprovenRanges       ranges whose follow-up probe did not find every replica's digest present, OK and equal
 * @param pairs                pairs copied
 * @param bytes                key and value bytes copied
 * @param wireBytes            bytes of chunk frames the target received
 * @param bytesWritten         bytes the target's installs wrote to segment files
 * @param elapsed              how long the resync took, proof included
 * @param rangesPerSource      ranges copied from each source replica id
 * @param targetOnlyNamespaces namespaces the target holds and the primary does not; empty when not checked
 * @param clearedNamespaces    those of them that were emptied on the target
 * @param targetChecked        whether the target's namespaces were compared with the primary's (needs its store)
 * @param steps                what happened, in order, as logged
 */
public record ResyncReport(String resyncId, Outcome outcome, String target, List<String> namespaces,
                           long rangesPlanned, long rangesCopied, long rangesAlreadyEqual,
                           List<ResyncRange> failedRanges, List<ResyncRange> unprovenRanges, long pairs, long bytes,
                           long wireBytes, long bytesWritten, Duration elapsed, Map<String, Long> rangesPerSource,
                           List<String> targetOnlyNamespaces, List<String> clearedNamespaces, boolean targetChecked,
                           List<String> steps) {

    /** How a resync ended. */
    public enum Outcome {
        /** Every range was copied or found equal, and the follow-up probe of every range found all replicas equal. */
        COMPLETE,
        /**
         * Some range was not resynced or not proven, or a target-only namespace could not be emptied: run the resync
         * again (ranges already equal are passed quickly).
         */
        INCOMPLETE
    }

    /** Copies the collections; a null one is a programming error. */
    public ResyncReport {
        Objects.requireNonNull(resyncId, "resyncId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(elapsed, "elapsed");
        namespaces = List.copyOf(namespaces);
        failedRanges = List.copyOf(failedRanges);
        unprovenRanges = List.copyOf(unprovenRanges);
        rangesPerSource = Map.copyOf(rangesPerSource);
        targetOnlyNamespaces = List.copyOf(targetOnlyNamespaces);
        clearedNamespaces = List.copyOf(clearedNamespaces);
        steps = List.copyOf(steps);
    }

    /** @return key and value bytes copied per second over the whole resync */
    public double bytesPerSecond() {
        long nanos = elapsed.toNanos();
        return nanos <= 0 ? 0 : bytes * 1e9 / nanos;
    }

    /** Metadata only; the steps are left out (see {@link #steps()}). */
    @Override
    public String toString() {
        return "ResyncReport{" + resyncId + ": " + outcome + ", target " + target + ", " + namespaces.size()
                + " namespaces, " + rangesPlanned + " ranges (" + rangesCopied + " copied, " + rangesAlreadyEqual
                + " already equal, " + failedRanges.size() + " failed, " + unprovenRanges.size() + " unproven), "
                + pairs + " pairs, " + bytes + " bytes (" + wireBytes + " on the wire, " + bytesWritten
                + " written) in " + elapsed.toMillis() + " ms, from " + rangesPerSource
                + (targetChecked ? ", target-only namespaces " + targetOnlyNamespaces + " (cleared "
                + clearedNamespaces + ")" : ", target's namespaces not checked") + '}';
    }
}
