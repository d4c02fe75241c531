package io.kintsugi.oplog;

/**
 * A reader asked for a sequence number that the log does not hold: one that retention has already dropped, or one
 * that has not been written yet.
 */
public class SequenceUnavailableException extends StorageException {

    private static final long serialVersionUID = 1L;

    /** Why the sequence is not available. */
    public enum Reason {
        /** The sequence is below the first retained sequence: retention dropped its segment. */
        NOT_RETAINED,
        /** The sequence is beyond the next sequence to be written. */
        NOT_YET_WRITTEN
    }

    private final long requested;
    private final Reason reason;

    /**
     * @param requested      the sequence asked for
     * @param reason         why it is unavailable
     * @param firstRetained  the first sequence the log still holds
     * @param lastSequence   the last sequence the log has written
     */
    public SequenceUnavailableException(long requested, Reason reason, long firstRetained, long lastSequence) {
        super(reason == Reason.NOT_RETAINED
                ? "sequence " + requested + " is no longer retained; the log now starts at sequence " + firstRetained
                : "sequence " + requested + " has not been written yet; the log ends at sequence " + lastSequence
                        + " and a reader may start at most at " + (lastSequence + 1));
        this.requested = requested;
        this.reason = reason;
    }

    /** @return the sequence that was asked for */
    public long requested() {
        return requested;
    }

    /** @return why the sequence is unavailable */
    public Reason reason() {
        return reason;
    }
}
