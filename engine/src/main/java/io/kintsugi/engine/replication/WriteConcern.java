package io.kintsugi.engine.replication;

import java.time.Duration;
import java.util.Objects;

/**
 * How many followers must hold a write durably before the write returns. The write is always durable on the
 * primary first; a write concern adds the wait for followers' acknowledgements.
 *
 * <p>Pick a majority of the replica set (1 follower of 2, 2 of 4) so that an acknowledged write survives the loss of
 * the primary: any replica the coordinator promotes next, if it is the most up to date of a majority, has it.
 *
 * @param followers how many followers must acknowledge, 0 for none
 * @param timeout   how long to wait for them
 */
public record WriteConcern(int followers, Duration timeout) {

    /** The primary alone: return once the write is durable locally. */
    public static final WriteConcern LOCAL = new WriteConcern(0, Duration.ZERO);

    /** Checks the fields. */
    public WriteConcern {
        if (followers < 0) {
            throw new IllegalArgumentException("a write concern needs 0 or more followers, was " + followers);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a write concern timeout must not be negative, was " + timeout);
        }
    }

    /**
     * @param followers how many followers must acknowledge
     * @param timeout   how long to wait for them
     * @return the write concern
     */
    public static WriteConcern followers(int followers, Duration timeout) {
        return new WriteConcern(followers, timeout);
    }
}
