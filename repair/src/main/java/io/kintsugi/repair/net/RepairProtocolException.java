package io.kintsugi.repair.net;

import io.kintsugi.oplog.StorageException;

/**
 * A repair peer sent something that cannot be accepted: a malformed or oversized frame, a frame out of turn, pairs
 * out of order or outside the range, or a failed authentication. A frame that fails its checksum is a
 * {@link io.kintsugi.oplog.CorruptionException} instead. The connection is closed. Messages hold metadata only.
 */
public class RepairProtocolException extends StorageException {

    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Problem {
        /** A field is out of range, lengths do not add up, or the frame type is unknown. */
        MALFORMED,
        /** The frame is longer than the receiver accepts. */
        TOO_LARGE,
        /** The frame is valid but not allowed at this point of the conversation. */
        UNEXPECTED,
        /** A pair's key is not above the previous one, or lies outside the range. */
        OUT_OF_ORDER,
        /** A peer did not prove that it knows the shared secret. */
        AUTHENTICATION_FAILED,
        /** The peer speaks another protocol version. */
        UNSUPPORTED_VERSION
    }

    private final Problem problem;

    /**
     * @param problem what was wrong
     * @param message what was wrong, with the values and limits involved
     */
    public RepairProtocolException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    /** @return what was wrong */
    public Problem problem() {
        return problem;
    }
}
