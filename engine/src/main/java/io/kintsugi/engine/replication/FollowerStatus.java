package io.kintsugi.engine.replication;

import java.util.UUID;

/**
 * A primary's view of one follower.
 *
 * @param follower          the follower's store id
 * @param peer              its address on the last connection
 * @param connected         whether a connection is open now
 * @param ackedSequence     the highest sequence it acknowledged as durable and applied
 * @param lagRecords        the primary's last sequence minus {@code ackedSequence}
 * @param lagMillis         how long the oldest record it has not acknowledged has been durable on the primary; 0
 *                          when caught up, -1 when that record is older than the last 65 536 the primary remembers
 * @param sessions          how many connections it has opened since this store opened
 * @param lastContactMillis wall-clock time of the last frame from it
 */
public record FollowerStatus(UUID follower, String peer, boolean connected, long ackedSequence, long lagRecords,
                             long lagMillis, long sessions, long lastContactMillis) {
}
