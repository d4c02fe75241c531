package io.kintsugi.repair.net;

import io.kintsugi.oplog.StorageException;

/**
 * A replica does not hold the range asked for at that sequence (it never took it, or has released it): ask another
 * replica, or take the range again at a newer sequence.
 */
public class RangeUnavailableException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final long sequence;

    /**
     * @param sequence the sequence asked for
     * @param message  why, metadata only
     */
    public RangeUnavailableException(long sequence, String message) {
        super(message);
        this.sequence = sequence;
    }

    /** @return the sequence asked for */
    public long sequence() {
        return sequence;
    }
}
