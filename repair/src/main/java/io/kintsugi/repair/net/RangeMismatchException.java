package io.kintsugi.repair.net;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.Hash128;

/**
 * The pairs a source streamed do not match what they should: the source's own end frame, or the digest the
 * client expected (the majority's). The pairs must not be installed. Counts and hashes only, never key bytes.
 */
public class RangeMismatchException extends StorageException {

    private static final long serialVersionUID = 1L;

    /** Against what the received pairs were checked. */
    public enum Against {
        /** The end frame the source sent after the pairs: the stream was damaged or the source miscounted. */
        END_FRAME,
        /** The digest the client expected: the source's copy differs from it. */
        EXPECTED_DIGEST
    }

    private final Against against;
    private final long expectedCount;
    private final long actualCount;
    private final long expectedBytes;
    private final long actualBytes;
    private final transient Hash128 expectedHash;
    private final transient Hash128 actualHash;

    /**
     * @param endpoint      the source's endpoint
     * @param sequence      the sequence of the range
     * @param against       what the pairs were checked against
     * @param expectedCount pairs expected
     * @param actualCount   pairs received
     * @param expectedBytes key and value bytes expected
     * @param actualBytes   key and value bytes received
     * @param expectedHash  hash expected
     * @param actualHash    hash of the pairs received
     */
    public RangeMismatchException(String endpoint, long sequence, Against against, long expectedCount,
                                  long actualCount, long expectedBytes, long actualBytes, Hash128 expectedHash,
                                  Hash128 actualHash) {
        super("the range at sequence " + sequence + " streamed by " + endpoint + " does not match "
                + (against == Against.END_FRAME ? "the source's end frame" : "the expected digest")
                + ": expected " + expectedCount + " pairs, " + expectedBytes + " bytes, hash " + expectedHash
                + "; received " + actualCount + " pairs, " + actualBytes + " bytes, hash " + actualHash);
        this.against = against;
        this.expectedCount = expectedCount;
        this.actualCount = actualCount;
        this.expectedBytes = expectedBytes;
        this.actualBytes = actualBytes;
        this.expectedHash = expectedHash;
        this.actualHash = actualHash;
    }

    /** @return what the received pairs were checked against */
    public Against against() {
        return against;
    }

    /** @return pairs expected */
    public long expectedCount() {
        return expectedCount;
    }

    /** @return pairs received */
    public long actualCount() {
        return actualCount;
    }

    /** @return key and value bytes expected */
    public long expectedBytes() {
        return expectedBytes;
    }

    /** @return key and value bytes received */
    public long actualBytes() {
        return actualBytes;
    }

    /** @return the hash expected */
    public Hash128 expectedHash() {
        return expectedHash;
    }

    /** @return the hash of the pairs received */
    public Hash128 actualHash() {
        return actualHash;
    }
}
