package io.kintsugi.repair;

import io.kintsugi.engine.Store;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One repair of a {@link RepairCoordinator}: its range, what it has learnt so far, and its steps, each written to the
 * primary's health log as it happens and kept for the {@link RepairReport}. The coordinator's steps fill it in;
 * {@link #report} turns it into the report.
 */
final class RepairRun {

    final String repairId;
    final String namespace;
    final byte[] from;
    final byte[] to;
    private final Store primary;
    private final Validator validator;
    private final List<String> steps = new ArrayList<>();
    long sequence = -1;
    long proofSequence = -1;
    String target = "";
    String source = "";
    long pairs;
    long bytes;
    long wireBytes;
    RepairPlan plan;

    RepairRun(Store primary, Validator validator, String repairId, String namespace, byte[] from, byte[] to) {
        this.primary = primary;
        this.validator = validator;
        this.repairId = repairId;
        this.namespace = namespace;
        this.from = from == null ? null : from.clone();
        this.to = to == null ? null : to.clone();
    }

    /** @return what records, as a step, each replica that gave {@code poll} no digest at {@code seq} */
    BiConsumer<RepairPlan.Replica, String> noDigest(DigestPoll<RepairPlan.Replica> poll, long seq) {
        return (r, why) -> step(Severity.WARNING, Verdict.NOT_CHECKED, seq, "no digest from " + r.id()
                + " at sequence " + seq + " within " + poll.waitLimit() + ": " + why);
    }

    /** Records a step in the report and in the primary's health log ({@link HealthKind#REPAIR}). */
    void step(Severity severity, Verdict verdict, long seq, String what) {
        String detail = "repair " + repairId + ": " + what;
        steps.add(detail);
        try {
            validator.health().append(new HealthEntry(Instant.now(), severity, primary.id().toString(),
                    HealthKind.REPAIR, verdict, namespace, from, to, -1, -1, null, null, seq, detail));
        } catch (RuntimeException e) {
            // The report still holds the step; a health log that cannot take it must not stop the repair.
            System.getLogger(RepairCoordinator.class.getName()).log(System.Logger.Level.WARNING,
                    "could not write a repair health entry: " + e);
        }
    }

    RepairReport report(Outcome outcome) {
        return new RepairReport(repairId, outcome, namespace, sequence, proofSequence, target, source, pairs,
                bytes, wireBytes, plan, steps);
    }
}
