package io.kintsugi.repair.net;

import io.kintsugi.oplog.StorageException;

/**
 * A repair connection could not be made, timed out, or ended before the answer was complete. Nothing received on
 * it may be used.
 */
public class RepairConnectionException extends StorageException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with the endpoint and the timeout involved
     * @param cause   the underlying I/O failure
     */
    public RepairConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
