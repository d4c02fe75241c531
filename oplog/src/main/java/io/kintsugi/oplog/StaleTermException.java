package io.kintsugi.oplog;

/**
 * An append or term change carried a term lower than the highest term the log has seen. Terms never decrease: a
 * writer that is still acting for an older term has been fenced off.
 */
public class StaleTermException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final long currentTerm;
    private final long rejectedTerm;

    /**
     * @param currentTerm  the highest term the log has seen
     * @param rejectedTerm the lower term that was offered
     */
    public StaleTermException(long currentTerm, long rejectedTerm) {
        super("term " + rejectedTerm + " is lower than the log's current term " + currentTerm
                + "; terms never decrease, so the request is rejected");
        this.currentTerm = currentTerm;
        this.rejectedTerm = rejectedTerm;
    }

    /** @return the highest term the log has seen */
    public long currentTerm() {
        return currentTerm;
    }

    /** @return the term that was rejected */
    public long rejectedTerm() {
        return rejectedTerm;
    }
}
