package io.kintsugi.repair;

import io.kintsugi.engine.DamagedRange;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One range a {@link RepairService} repairs, with everything it was found by. Touched only on the service's thread.
 */
final class RepairJob {

    /** Where a job stands between attempts. */
    enum State { QUEUED, AWAITING_APPROVAL }

    final long id;
    RepairRange range;
    State state = State.QUEUED;
    int attempts;
    /** The earliest System.nanoTime() at which the next attempt may run. */
    long notBefore;
    RepairPlan plan;
    /** The highest probe sequence of its attempts, or -1. */
    long lastSequence = -1;
    final List<String> whys = new ArrayList<>();
    final Set<DamagedRange> damage = new LinkedHashSet<>();
    /** Detections that overlapped the job while its plan waited; looked at again when the plan is settled. */
    final List<Detection> deferred = new ArrayList<>();

    RepairJob(long id, Detection first, long now) {
        this.id = id;
        this.range = first.range();
        this.notBefore = now;
        add(first);
    }

    void add(Detection d) {
        whys.add(d.why());
        if (d.damage() != null) {
            damage.add(d.damage());
        }
    }

    /** What detected it, for the coordinator's "detected" step: the first cause and how many more. */
    String why() {
        return whys.get(0) + (whys.size() > 1 ? " (and " + (whys.size() - 1) + " overlapping detections)" : "");
    }

    @Override
    public String toString() {
        return "job " + id + " " + range + " " + state + " after " + attempts + " attempts";
    }
}
