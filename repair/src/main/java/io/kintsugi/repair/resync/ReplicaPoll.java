package io.kintsugi.repair.resync;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.LineageView;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.net.LineageRequest;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RepairClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Asks the replicas of a resync, over their agents' endpoints, for their digests of a probed range and for their
 * lineage: who can vote, and who can be trusted as a source.
 */
final class ReplicaPoll {

    private final RepairClient client;
    private final ResyncPeer target;
    private final List<ResyncPeer> everyone;
    private final Duration digestWait;
    private final Instant trustCopiesBefore;

    ReplicaPoll(RepairClient client, ResyncPeer target, List<ResyncPeer> sources, ResyncOptions options) {
        this.client = client;
        this.target = target;
        List<ResyncPeer> all = new ArrayList<>(sources);
        all.add(target);
        this.everyone = List.copyOf(all);
        this.digestWait = options.digestWait();
        this.trustCopiesBefore = options.trustCopiesBefore();
    }

    /** @return how many replicas vote: the sources and the target */
    int replicas() {
        return everyone.size();
    }

    /**
     * Every replica's digest at {@code s}, waiting (bounded by the digest wait, for all of them together) for
     * followers to apply and hash it. A replica that does not answer in time is left out.
     *
     * @param s a probe's sequence
     * @return the digests that came back
     * @throws StorageException if interrupted
     */
    Map<ResyncPeer, RangeDigest> collect(long s) {
        Map<ResyncPeer, RangeDigest> digests = new LinkedHashMap<>();
        long deadline = System.nanoTime() + digestWait.toNanos();
        for (ResyncPeer p : everyone) {
            while (true) {
                Optional<RangeDigest> d;
                try {
                    d = client.digestAt(p.endpoint(), s);
                } catch (RuntimeException e) {
                    // Unreachable or refusing: the same as not answering yet; the vote counts it as silent.
                    d = Optional.empty();
                }
                if (d.isPresent()) {
                    digests.put(p, d.get());
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    break;
                }
                pause();
            }
        }
        return digests;
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
            List<LineageRecord> copies;
            try {
                copies = view.copiedFrom(target.id(), range.namespace(), range.from(), range.to(), trustCopiesBefore);
            } catch (RuntimeException e) {
                refusals.add("not a source: the lineage of " + p.id() + " could not be read: " + e.getMessage());
                continue;
            }
            if (!copies.isEmpty()) {
                refusals.add("not a source: " + p.id() + " copied an overlapping range from " + target.id()
                        + " since " + trustCopiesBefore + " (" + copies.size() + " lineage records)");
                continue;
            }
            out.add(p);
        }
        return out;
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for replicas' digests", e);
        }
    }
}
