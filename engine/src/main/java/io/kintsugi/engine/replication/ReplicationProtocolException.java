package io.kintsugi.engine.replication;

import io.kintsugi.oplog.StorageException;

/**
 * A replication peer sent something this store cannot accept: a frame that fails its checksum, a malformed or
 * oversized frame, a frame out of turn, a record out of order, or a failed authentication. The connection is
 * closed; nothing the frame carried was applied. Messages hold metadata only, never key or value bytes.
 */
public class ReplicationProtocolException extends StorageException {

    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Problem {
        /** The frame's bytes do not match its CRC32C, or a record inside does not match its own. */
        CHECKSUM_MISMATCH,
        /** A field is out of range, lengths do not add up, or the frame type is unknown. */
        MALFORMED,
        /** The frame is longer than the receiver accepts. */
        TOO_LARGE,
        /** The frame is valid but not allowed at this point of the conversation. */
        UNEXPECTED,
        /** A record's sequence is not the next one, or its term is out of order. */
        OUT_OF_ORDER,
        /** The peer did not prove that it knows the shared secret, or this store has none and the peer asked. */
        AUTHENTICATION_FAILED,
        /** The peer speaks a protocol version this build does not. */
        UNSUPPORTED_VERSION
    }

    private final Problem problem;

    /**
     * @param problem what was wrong
     * @param message what was wrong, with the values and limits involved
     */
    public ReplicationProtocolException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    /** @return what was wrong */
    public Problem problem() {
        return problem;
    }
}
