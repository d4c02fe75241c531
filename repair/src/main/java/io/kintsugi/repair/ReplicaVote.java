package io.kintsugi.repair;

import io.kintsugi.repair.RepairPlan.Replica;
import io.kintsugi.repair.net.RangeDigest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is wrong: the replicas' digests at one sequence, sorted into the majority (the first OK digest that a majority
 * of all replicas, not only of those that answered, holds equal), the outvoted (answered, not in the majority) and
 * the silent (gave no digest). With no majority nobody is outvoted, so nothing is repaired.
 */
final class ReplicaVote {

    final RangeDigest majority;
    final List<Replica> agreeing;
    final List<Replica> outvoted = new ArrayList<>();
    final List<Replica> silent = new ArrayList<>();
    private final Map<Replica, RangeDigest> statuses = new LinkedHashMap<>();
    private final int replicas;

    private ReplicaVote(List<Replica> replicas, Map<Replica, RangeDigest> digests) {
        this.replicas = replicas.size();
        for (Replica r : replicas) {
            if (!digests.containsKey(r)) {
                silent.add(r);
            }
        }
        RangeDigest found = null;
        List<Replica> same = List.of();
        for (Map.Entry<Replica, RangeDigest> e : digests.entrySet()) {
            RangeDigest d = e.getValue();
            if (d.status() != RangeDigest.Status.OK) {
                continue;
            }
            List<Replica> equal = new ArrayList<>();
            for (Map.Entry<Replica, RangeDigest> o : digests.entrySet()) {
                if (o.getValue().status() == RangeDigest.Status.OK && o.getValue().sameContentAs(d)) {
                    equal.add(o.getKey());
                }
            }
            if (equal.size() >= majorityOf(replicas.size())) {
                found = d;
                same = equal;
                break;
            }
        }
        this.majority = found;
        this.agreeing = same;
        for (Map.Entry<Replica, RangeDigest> e : digests.entrySet()) {
            if (majority != null && !agreeing.contains(e.getKey())) {
                outvoted.add(e.getKey());
            }
            statuses.put(e.getKey(), e.getValue());
        }
    }

    /**
     * @param replicas every replica of the repair, in the coordinator's order
     * @param digests  the digests that came back, by replica
     * @return the vote
     */
    static ReplicaVote of(List<Replica> replicas, Map<Replica, RangeDigest> digests) {
        return new ReplicaVote(replicas, digests);
    }

    /** @return how many equal digests make a majority of {@code replicas} */
    static int majorityOf(int replicas) {
        return replicas / 2 + 1;
    }

    /** @return each replica's digest (metadata only) and how the vote came out, for the log */
    String describe() {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<Replica, RangeDigest> e : statuses.entrySet()) {
            RangeDigest d = e.getValue();
            s.append(e.getKey().id()).append('=').append(d.status() == RangeDigest.Status.OK
                    ? d.count() + " pairs/" + d.bytes() + " bytes/" + d.hash() : d.status() + " (" + d.detail()
                    + ")").append("; ");
        }
        s.append(agreeing.size()).append(" of ").append(replicas).append(" agree");
        if (!outvoted.isEmpty()) {
            s.append(", outvoted: ").append(ids(outvoted));
        }
        if (!silent.isEmpty()) {
            s.append(", silent: ").append(ids(silent));
        }
        return s.toString();
    }

    /** @return the replicas' ids, comma-separated */
    static String ids(List<Replica> rs) {
        List<String> ids = new ArrayList<>();
        for (Replica r : rs) {
            ids.add(r.id());
        }
        return String.join(", ", ids);
    }
}
