package io.kintsugi.repair.resync;

import io.kintsugi.repair.net.RangeDigest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The digests of one probe, sorted: the digest that a majority of all the replicas (the target counted) report
 * with status OK and equal content, and who reports it. A replica that did not answer counts against the majority,
 * as one whose copy is damaged does.
 */
final class DigestVote {

    /** Equal OK digests needed: more than half of all the replicas. */
    final int needed;
    /** The majority's digest, or null when there is no majority. */
    final RangeDigest majority;
    /** The replicas whose digest is the majority's; empty when there is no majority. */
    final List<ResyncPeer> agreeing;

    private DigestVote(int needed, RangeDigest majority, List<ResyncPeer> agreeing) {
        this.needed = needed;
        this.majority = majority;
        this.agreeing = agreeing;
    }

    /**
     * @param digests  the digests that came back, by replica
     * @param replicas how many replicas take part, the silent ones too
     * @return the vote
     */
    static DigestVote of(Map<ResyncPeer, RangeDigest> digests, int replicas) {
        int needed = replicas / 2 + 1;
        for (RangeDigest d : digests.values()) {
            if (d.status() != RangeDigest.Status.OK) {
                continue;
            }
            List<ResyncPeer> same = new ArrayList<>();
            for (Map.Entry<ResyncPeer, RangeDigest> o : digests.entrySet()) {
                if (o.getValue().status() == RangeDigest.Status.OK && o.getValue().sameContentAs(d)) {
                    same.add(o.getKey());
                }
            }
            if (same.size() >= needed) {
                return new DigestVote(needed, d, List.copyOf(same));
            }
        }
        return new DigestVote(needed, null, List.of());
    }

    /**
     * @param digests the digests that came back, by replica
     * @return each replica's count, bytes and hash, or its status and why: metadata only
     */
    static String describe(Map<ResyncPeer, RangeDigest> digests) {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<ResyncPeer, RangeDigest> e : digests.entrySet()) {
            RangeDigest d = e.getValue();
            s.append(e.getKey().id()).append('=').append(d.status() == RangeDigest.Status.OK
                    ? d.count() + " pairs/" + d.bytes() + " bytes/" + d.hash() : d.status() + " (" + d.detail() + ")")
                    .append("; ");
        }
        return s.append(digests.size()).append(" answered").toString();
    }
}
