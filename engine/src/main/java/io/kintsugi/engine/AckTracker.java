package io.kintsugi.engine;

import io.kintsugi.engine.replication.FollowerStatus;
import io.kintsugi.engine.replication.NotPrimaryException;
import io.kintsugi.engine.replication.WriteConcernException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

/**
 * A primary's record of what each follower acknowledged: the basis of write concerns, of the sender's window, of
 * oplog retention for followers, and of per-follower status.
 */
final class AckTracker {

    private static final class Follower {
        final UUID id;
        String peer;
        long acked;
        boolean connected;
        long sessions;
        long lastContactMillis;
        long disconnectedAtNanos;

        Follower(UUID id) {
            this.id = id;
        }
    }

    private final Map<UUID, Follower> followers = new LinkedHashMap<>();
    /** Bumped when the store stops being primary, so that waiting writes give up. */
    private long epoch;

    synchronized void connected(UUID id, String peer, long acked) {
        Follower f = followers.computeIfAbsent(id, Follower::new);
        f.peer = peer;
        f.acked = Math.max(f.acked, acked);
        f.connected = true;
        f.sessions++;
        f.lastContactMillis = System.currentTimeMillis();
        notifyAll();
    }

    synchronized void acked(UUID id, long sequence) {
        Follower f = followers.get(id);
        if (f == null) {
            return;
        }
        f.lastContactMillis = System.currentTimeMillis();
        if (sequence > f.acked) {
            f.acked = sequence;
            notifyAll();
        }
    }

    synchronized void disconnected(UUID id) {
        Follower f = followers.get(id);
        if (f != null && f.connected) {
            f.connected = false;
            f.disconnectedAtNanos = System.nanoTime();
            notifyAll();
        }
    }

    synchronized long acked(UUID id) {
        Follower f = followers.get(id);
        return f == null ? 0 : f.acked;
    }

    /** Makes every waiting write give up: the store is no longer primary. */
    synchronized void demoted() {
        epoch++;
        notifyAll();
    }

    /**
     * Waits until {@code count} followers acknowledged {@code sequence}.
     *
     * @param notPrimary builds the exception to throw if the store stops being primary meanwhile
     * @throws WriteConcernException if the timeout passes first
     */
    synchronized void await(long sequence, int count, Duration timeout, Supplier<NotPrimaryException> notPrimary)
            throws InterruptedException {
        long startEpoch = epoch;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (epoch != startEpoch) {
                throw notPrimary.get();
            }
            int n = 0;
            for (Follower f : followers.values()) {
                if (f.acked >= sequence) {
                    n++;
                }
            }
            if (n >= count) {
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                Map<UUID, Long> acks = new LinkedHashMap<>();
                for (Follower f : followers.values()) {
                    acks.put(f.id, f.acked);
                }
                throw new WriteConcernException("write " + sequence + " is durable on this primary but only " + n
                        + " of the " + count + " required followers acknowledged it within " + timeout
                        + "; acknowledged sequences per follower: " + acks + ". It may be rolled back if this "
                        + "primary is replaced before they catch up", sequence, count, acks);
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
    }

    /**
     * Waits until {@code id} acknowledged at least {@code sequence}, the follower disconnected, or the timeout passed.
     */
    synchronized void awaitAck(UUID id, long sequence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Follower f = followers.get(id);
        while (f != null && f.connected && f.acked < sequence) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
    }

    /**
     * @param retainFor how long a disconnected follower is waited for
     * @return the highest sequence every follower still waited for has acknowledged; {@link Long#MAX_VALUE} if none
     */
    synchronized long retentionFloor(Duration retainFor) {
        long floor = Long.MAX_VALUE;
        long now = System.nanoTime();
        for (Follower f : followers.values()) {
            if (f.connected || now - f.disconnectedAtNanos < retainFor.toNanos()) {
                floor = Math.min(floor, f.acked);
            }
        }
        return floor;
    }

    /**
     * @param lastSequence  the primary's last sequence
     * @param appliedAtNanos when a sequence became durable on the primary ({@code -1} if no longer known)
     * @return one status per follower
     */
    synchronized List<FollowerStatus> status(long lastSequence, LongUnaryOperator appliedAtNanos) {
        List<FollowerStatus> out = new ArrayList<>(followers.size());
        long now = System.nanoTime();
        for (Follower f : followers.values()) {
            long lag = Math.max(0, lastSequence - f.acked);
            long lagMillis = 0;
            if (lag > 0) {
                long t = appliedAtNanos.applyAsLong(f.acked + 1);
                lagMillis = t < 0 ? -1 : Math.max(0, (now - t) / 1_000_000);
            }
            out.add(new FollowerStatus(f.id, f.peer, f.connected, f.acked, lag, lagMillis, f.sessions,
                    f.lastContactMillis));
        }
        return out;
    }
}
