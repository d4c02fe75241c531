package io.kintsugi.oplog;

/**
 * A file's header is intact but records a format version this build cannot read: written by a build too old to
 * be supported any more, or by a newer build. The message says which, and which versions are supported.
 */
public class UnsupportedFormatException extends StorageException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message which file, which version it has and which range this build reads
     */
    public UnsupportedFormatException(String message) {
        super(message);
    }
}
