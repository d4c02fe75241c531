package io.kintsugi.repair.resync;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.DigestPoll;
import io.kintsugi.repair.LineageView;
import io.kintsugi.repair.ReplicaVote;
import io.kintsugi.repair.net.LineageRequest;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RepairClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Asks the replicas of a resync, over their agents' endpoints, for their digests of a probed range and for their
 * lineage: who can vote, and who can be trusted as a source.
 */
final class ReplicaPoll {

    private static final System.Logger LOG = System.getLogger(ReplicaPoll.class.getName());

    private final RepairClient client;
    private final ResyncPeer target;
    private final List<ResyncPeer> everyone;
    private final DigestPoll<ResyncPeer> digests;
    private final Instant trustCopiesBefore;

    ReplicaPoll(RepairClient client, ResyncPeer target, List<ResyncPeer> sources, ResyncOptions options) {
        this.client = client;
        this.target = target;
        List<ResyncPeer> all = new ArrayList<>(sources);
        all.add(target);
        this.everyone = List.copyOf(all);
        this.digests = new DigestPoll<>(client, everyone, ResyncPeer::endpoint, options.digestWait());
        this.trustCopiesBefore = options.trustCopiesBefore();
    }

    /**
     * Every replica's digest at {@code s}, waiting (bounded by the digest wait, for all of them together) for
     * followers to apply and hash it, and the vote on them. A replica that does not answer in time is silent.
     *
     * @param s a probe's sequence
     * @return the vote
     * @throws StorageException if interrupted
     */
    ReplicaVote<ResyncPeer> vote(long s) {
        // Why a silent replica gave no digest is logged here; the vote lists it as silent.
        Map<ResyncPeer, RangeDigest> digests = this.digests.at(s, (peer, why) -> LOG.log(
                System.Logger.Level.WARNING, "no digest from " + peer.id() + " at sequence " + s + " within "
                        + this.digests.waitLimit() + ": " + why));
        return ReplicaVote.of(everyone, digests, ResyncPeer::id);
    }

    /**
     * @param agreeing the replicas in the majority
     * @param range    the range to copy
     * @param refusals gets why each replica that is not trusted is not (metadata only)
     * @return the agreeing replicas other than the target whose lineage holds no copy of an overlapping range from
     *         the target since the cutoff, in the order given
     */
    List<ResyncPeer> trusted(List<ResyncPeer> agreeing, ResyncRange range, List<String> refusals) {
        List<ResyncPeer> out = new ArrayList<>();
        for (ResyncPeer p : agreeing) {
            if (p.equals(target)) {
                continue;
            }
            LineageView view = p.lineage() != null ? p.lineage()
                    : (src, ns, from, to, since) -> client.lineage(p.endpoint(), new LineageRequest(src, ns, from, to,
                    since));
            String refusal = view.refusal(p.id(), target.id(), range.namespace(), range.from(), range.to(),
                    trustCopiesBefore);
            if (refusal != null) {
                refusals.add(refusal);
                continue;
            }
            out.add(p);
        }
        return out;
    }
}
