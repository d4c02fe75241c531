package io.kintsugi.repair.net;

import io.kintsugi.oplog.StorageException;

/**
 * The repair server answered a request with an ERROR frame: it is busy, shutting down, failed to read its own copy,
 * or refused what the client sent. {@link #reason()} is the frame's reason code
 * ({@code RepairFrameFormat.REASON_*}).
 */
public class RepairRefusedException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final int reason;

    /**
     * @param reason  the ERROR frame's reason code
     * @param message what the server said, with the endpoint
     */
    public RepairRefusedException(int reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** @return the ERROR frame's reason code, one of {@code RepairFrameFormat.REASON_*} */
    public int reason() {
        return reason;
    }
}
