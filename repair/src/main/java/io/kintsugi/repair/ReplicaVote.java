package io.kintsugi.repair;

import io.kintsugi.repair.net.RangeDigest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Who is wrong: the replicas' digests at one sequence, sorted into the majority (the first OK digest that a majority
 * of all replicas, not only of those that answered, holds equal), the outvoted (answered, not in the majority) and
 * the silent (gave no digest). With no majority nobody is outvoted, so nothing is repaired. Both a
 * {@link RepairCoordinator} and a whole-replica resync decide by it.
 *
 * @param <P> how the caller names a replica
 */
public final class ReplicaVote<P> {

    private final RangeDigest majority;
    private final List<P> agreeing;
    private final List<P> outvoted = new ArrayList<>();
    private final List<P> silent = new ArrayList<>();
    private final Map<P, RangeDigest> statuses = new LinkedHashMap<>();
    private final int replicas;
    private final Function<P, String> id;

    private ReplicaVote(List<P> replicas, Map<P, RangeDigest> digests, Function<P, String> id) {
        this.replicas = replicas.size();
        this.id = id;
        for (P r : replicas) {
            if (!digests.containsKey(r)) {
                silent.add(r);
            }
        }
        RangeDigest found = null;
        List<P> same = List.of();
        for (RangeDigest d : digests.values()) {
            if (d.status() != RangeDigest.Status.OK) {
                continue;
            }
            List<P> equal = new ArrayList<>();
            for (Map.Entry<P, RangeDigest> o : digests.entrySet()) {
                if (o.getValue().status() == RangeDigest.Status.OK && o.getValue().sameContentAs(d)) {
                    equal.add(o.getKey());
                }
            }
            if (equal.size() >= majorityOf(replicas.size())) {
                found = d;
                same = List.copyOf(equal);
                break;
            }
        }
        this.majority = found;
        this.agreeing = same;
        for (Map.Entry<P, RangeDigest> e : digests.entrySet()) {
            if (majority != null && !agreeing.contains(e.getKey())) {
                outvoted.add(e.getKey());
            }
            statuses.put(e.getKey(), e.getValue());
        }
    }

    /**
     * @param replicas every replica that takes part, the silent ones too, in the caller's order
     * @param digests  the digests that came back, by replica
     * @param id       a replica's id, for {@link #describe()}
     * @param <P>      how the caller names a replica
     * @return the vote
     */
    public static <P> ReplicaVote<P> of(List<P> replicas, Map<P, RangeDigest> digests, Function<P, String> id) {
        return new ReplicaVote<>(replicas, digests, id);
    }

    /**
     * @param replicas how many replicas take part
     * @return how many equal OK digests make a majority of them
     */
    public static int majorityOf(int replicas) {
        return replicas / 2 + 1;
    }

    /** @return the majority's digest, or null when there is no majority */
    public RangeDigest majority() {
        return majority;
    }

    /** @return the replicas whose digest is the majority's; empty when there is no majority */
    public List<P> agreeing() {
        return agreeing;
    }

    /** @return the replicas that answered with another digest than the majority's (none without a majority) */
    public List<P> outvoted() {
        return List.copyOf(outvoted);
    }

    /** @return the replicas that gave no digest */
    public List<P> silent() {
        return List.copyOf(silent);
    }

    /**
     * @param replica one of the replicas
     * @return the digest it gave, or null if it was silent
     */
    public RangeDigest digestOf(P replica) {
        return statuses.get(replica);
    }

    /** @return how many replicas take part, the silent ones too */
    public int replicas() {
        return replicas;
    }

    /** @return each replica's digest (metadata only) and how the vote came out, for the log */
    public String describe() {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<P, RangeDigest> e : statuses.entrySet()) {
            RangeDigest d = e.getValue();
            s.append(id.apply(e.getKey())).append('=').append(d.status() == RangeDigest.Status.OK
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

    /**
     * @param rs replicas
     * @return their ids, comma-separated
     */
    public String ids(List<P> rs) {
        List<String> ids = new ArrayList<>();
        for (P r : rs) {
            ids.add(id.apply(r));
        }
        return String.join(", ", ids);
    }
}
