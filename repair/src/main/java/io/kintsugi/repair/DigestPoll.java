package io.kintsugi.repair;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.RepairPlan.Replica;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Asks every replica's agent for its digest of a repair's range at one sequence. A follower answers only once it has
 * applied the sequence and hashed the range, so each replica is asked again until it answers or the wait runs out;
 * a replica that never answers is logged and left out, to be counted as silent by the {@link ReplicaVote}.
 */
final class DigestPoll {

    private final RepairClient client;
    private final List<Replica> replicas;
    private final Duration wait;

    DigestPoll(RepairClient client, List<Replica> replicas, Duration wait) {
        this.client = client;
        this.replicas = replicas;
        this.wait = wait;
    }

    /** @return the digests that came back within the wait, by replica, in the replicas' order */
    Map<Replica, RangeDigest> at(RepairRun run, long sequence) {
        Map<Replica, RangeDigest> digests = new LinkedHashMap<>();
        long deadline = System.nanoTime() + wait.toNanos();
        for (Replica r : replicas) {
            String lastProblem = "not applied or not hashed yet";
            while (true) {
                try {
                    Optional<RangeDigest> d = client.digestAt(r.endpoint(), sequence);
                    if (d.isPresent()) {
                        digests.put(r, d.get());
                        break;
                    }
                } catch (RuntimeException e) {
                    lastProblem = e.getMessage();
                }
                if (System.nanoTime() - deadline > 0) {
                    run.step(Severity.WARNING, Verdict.NOT_CHECKED, sequence, "no digest from " + r.id()
                            + " at sequence " + sequence + " within " + wait + ": " + lastProblem);
                    break;
                }
                pause();
            }
        }
        return digests;
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
