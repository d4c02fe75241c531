package io.kintsugi.engine.replication;

/** What a store does with client writes. */
public enum Role {
    /** Accepts client writes, assigns their sequence numbers and ships its oplog to followers. */
    PRIMARY,
    /**
     * Rejects client writes with {@link NotPrimaryException}; copies a primary's oplog when told to follow one,
     * and serves reads of what it has applied.
     */
    FOLLOWER
}
