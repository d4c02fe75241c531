package io.kintsugi.oplog;

/**
 * Every failure that Kintsugi reports. Unchecked, so that it can cross the callback and future boundaries of the
 * write path; subclasses say what went wrong more precisely.
 *
 * <p>Messages carry metadata only (files, offsets, sequence numbers, terms, sizes), never key, value or payload
 * bytes, so that they can be shipped to monitoring systems without leaking user data.
 */
public class StorageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, with the limits or values involved
     */
    public StorageException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, with the limits or values involved
     * @param cause   the underlying failure, typically an {@link java.io.IOException}
     */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
