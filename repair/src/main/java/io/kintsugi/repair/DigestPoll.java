package io.kintsugi.repair;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RepairClient;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Asks every replica's agent for its digest of a probed range at one sequence. A follower answers only once it has
 * applied the sequence and hashed the range, so each replica is asked again until it answers or the wait (for all
 * of them together) runs out; a replica that never answers is left out, to be counted as silent by the
 * {@link ReplicaVote}. Both a {@link RepairCoordinator} and a whole-replica resync collect their votes this way.
 *
 * @param <P> how the caller names a replica
 */
public final class DigestPoll<P> {

    private static final long PAUSE_MILLIS = 10;

    private final RepairClient client;
    private final List<P> replicas;
    private final Function<P, String> endpoint;
    private final Duration wait;

    /**
     * @param client   the client to ask with
     * @param replicas every replica to ask, in the order the digests are to come back
     * @param endpoint a replica's agent's {@code host:port}
     * @param wait     how long to wait for all of them
     */
    public DigestPoll(RepairClient client, List<P> replicas, Function<P, String> endpoint, Duration wait) {
        this.client = client;
        this.replicas = List.copyOf(replicas);
        this.endpoint = endpoint;
        this.wait = wait;
    }

    /** @return how long a poll waits for all the replicas together */
    public Duration waitLimit() {
        return wait;
    }

    /**
     * @param sequence   a probe's sequence
     * @param unanswered told of each replica that gave no digest within the wait, with the last reason it gave
     * @return the digests that came back within the wait, by replica, in the replicas' order
     * @throws StorageException if interrupted
     */
    public Map<P, RangeDigest> at(long sequence, BiConsumer<P, String> unanswered) {
        Map<P, RangeDigest> digests = new LinkedHashMap<>();
        long deadline = System.nanoTime() + wait.toNanos();
        for (P r : replicas) {
            String lastProblem = "not applied or not hashed yet";
            while (true) {
                try {
                    Optional<RangeDigest> d = client.digestAt(endpoint.apply(r), sequence);
                    if (d.isPresent()) {
                        digests.put(r, d.get());
                        break;
                    }
                } catch (RuntimeException e) {
                    // Unreachable or refusing: the same as not answering yet, and the reason is kept for the log.
                    lastProblem = e.getMessage();
                }
                if (System.nanoTime() - deadline > 0) {
                    unanswered.accept(r, lastProblem);
                    break;
                }
                pause();
            }
        }
        return digests;
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for replicas' digests", e);
        }
    }
}
