package io.kintsugi.oplog;

/**
 * A replicated append supplied a sequence number other than the log's next one. Followers must append records
 * with exactly the sequence numbers the primary assigned, one after the other, without gaps or repeats.
 */
public class SequenceMismatchException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final long expected;
    private final long actual;

    /**
     * @param expected the next sequence number the log accepts
     * @param actual   the sequence number that was supplied
     */
    public SequenceMismatchException(long expected, long actual) {
        super("append supplied sequence " + actual + " but the log's next sequence is " + expected);
        this.expected = expected;
        this.actual = actual;
    }

    /** @return the next sequence number the log accepts */
    public long expected() {
        return expected;
    }

    /** @return the sequence number that was supplied */
    public long actual() {
        return actual;
    }
}
