package io.kintsugi.engine.replication;

import java.util.List;
import java.util.Optional;

/**
 * A store's replication state at one moment.
 *
 * @param role                 primary or follower
 * @param term                 the highest term this store has seen
 * @param lastSequence         the last sequence this store holds durably and has applied
 * @param endpoint             where this store listens, or null without replication options
 * @param followerState        where the follower stands ({@link FollowerState#IDLE} on a primary)
 * @param primaryEndpoint      the endpoint this store follows, or null
 * @param primaryLastSequence  the primary's last sequence as last heard, or -1
 * @param lagRecords           {@code primaryLastSequence - lastSequence} on a follower, 0 on a primary
 * @param lagMillis            on a follower, how long it has been behind the primary (0 when caught up)
 * @param reconnects           connection attempts made after the first one, since following started
 * @param badFrames            frames this store received, in either role, that failed a checksum and were dropped
 *                             unapplied (the connection is then reopened), since it opened
 * @param protocolErrors       other frames it refused (malformed, out of turn or order, failed authentication)
 * @param lastError            the last failure, metadata only, or null
 * @param divergence           the divergence found, when {@code followerState} is DIVERGED
 * @param followers            on a primary, every follower that connected since this store opened
 */
public record ReplicationStatus(Role role, long term, long lastSequence, String endpoint, FollowerState followerState,
                                String primaryEndpoint, long primaryLastSequence, long lagRecords, long lagMillis,
                                long reconnects, long badFrames, long protocolErrors, String lastError,
                                Optional<DivergenceReport> divergence, List<FollowerStatus> followers) {

    /** Copies the list. */
    public ReplicationStatus {
        followers = List.copyOf(followers);
    }
}
