package io.kintsugi.repair;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.net.ApprovalHandler;
import io.kintsugi.repair.net.KeyFingerprint;
import io.kintsugi.repair.net.PendingPlan;
import io.kintsugi.repair.net.PlanDecision;
import io.kintsugi.repair.net.RangeDigest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * A {@link RepairService}'s plans and decisions as a repair server offers them to other processes: plans as
 * metadata (bounds as fingerprints), and approvals that wait for the repair to run.
 */
final class ServiceApprovals implements ApprovalHandler {

    private final RepairService service;

    ServiceApprovals(RepairService service) {
        this.service = service;
    }

    @Override
    public List<PendingPlan> pendingPlans() {
        checkOpen();
        Instant now = Instant.now();
        List<PendingPlan> out = new ArrayList<>();
        for (RepairPlan p : service.pendingPlans()) {
            RangeDigest d = p.expected();
            // A digest's empty from is the start of the namespace, as the coordinator reads it.
            KeyFingerprint from = d.from().length == 0 ? null : KeyFingerprint.of(d.from());
            Duration age = Duration.between(p.plannedAt(), now);
            out.add(new PendingPlan(p.repairId(), p.namespace(), from, KeyFingerprint.of(d.to()), p.target(),
                    p.source(), p.sequence(), p.pairs(), p.bytesEstimate(), age.isNegative() ? Duration.ZERO : age));
        }
        return out;
    }

    @Override
    public PlanDecision approve(String repairId) {
        checkOpen();
        RepairReport r = await(service.approve(repairId), repairId);
        PlanDecision.Outcome outcome = switch (r.outcome()) {
            case REPAIRED -> PlanDecision.Outcome.REPAIRED;
            case CONSISTENT -> PlanDecision.Outcome.CONSISTENT;
            case NO_MAJORITY -> PlanDecision.Outcome.NO_MAJORITY;
            // An approved plan is executed, never planned again; anything else is a failed attempt.
            case FAILED, AWAITING_APPROVAL -> PlanDecision.Outcome.FAILED;
        };
        String last = r.steps().isEmpty() ? r.outcome().name() : r.steps().get(r.steps().size() - 1);
        return new PlanDecision(r.repairId(), outcome, r.target(), r.source(), r.sequence(), r.proofSequence(),
                r.pairs(), r.bytes(), r.wireBytes(), last);
    }

    @Override
    public PlanDecision reject(String repairId, String why) {
        checkOpen();
        RepairPlan plan = service.pendingPlans().stream().filter(p -> p.repairId().equals(repairId)).findFirst()
                .orElse(null);
        await(service.reject(repairId, why), repairId);
        // The plan was waiting (reject would have thrown otherwise), so it was listed a moment ago unless a
        // concurrent decision raced this one, which reject itself refuses.
        return new PlanDecision(repairId, PlanDecision.Outcome.REJECTED, plan == null ? "" : plan.target(),
                plan == null ? "" : plan.source(), plan == null ? -1 : plan.sequence(), -1, 0, 0, 0,
                "rejected, nothing changed: " + why);
    }

    private void checkOpen() {
        if (service.isClosed()) {
            throw new IllegalStateException("the repair service attached to this server is closed");
        }
    }

    private static <T> T await(Future<T> f, String repairId) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while the decision on plan " + repairId + " was carried out "
                    + "(the repair server is closing); the repair service carries on with it");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StorageException("carrying out the decision on plan " + repairId + " failed: " + e.getCause(),
                    e.getCause());
        }
    }
}
