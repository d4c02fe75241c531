package io.kintsugi.engine.replication;

/** Where a follower stands with the primary it was told to follow. */
public enum FollowerState {
    /** Not following anyone: a follower nobody pointed at a primary yet, or a primary. */
    IDLE,
    /** Connecting, authenticating or waiting to retry after a failure. */
    CONNECTING,
    /** Receiving and applying the primary's records. */
    STREAMING,
    /**
     * Stopped: this store's log holds records the primary does not (writes an old primary never replicated). The
     * {@link DivergenceReport} says which; the repair module resyncs those ranges.
     */
    DIVERGED,
    /** Stopped: the primary no longer retains the records this store needs next. Records are never skipped. */
    NEEDS_RESYNC,
    /** The endpoint's store is not a primary, or its term is below one this store has seen; retrying. */
    NO_PRIMARY,
    /** Authentication with the primary failed (different secrets); retrying. */
    AUTHENTICATION_FAILED,
    /** Stopped: applying a record failed on this store (for example its disk failed). */
    FAILED
}
