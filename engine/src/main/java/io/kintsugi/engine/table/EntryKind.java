package io.kintsugi.engine.table;

/**
 * What an entry of the store records for a key at a sequence number. Codes are part of the on-disk format.
 */
public enum EntryKind {
    /** The key was set to a value. */
    PUT(1),
    /** The key was deleted; the entry is a tombstone that hides older values. */
    DELETE(2);

    private final int code;

    EntryKind(int code) {
        this.code = code;
    }

    /** @return the code stored on disk */
    public int code() {
        return code;
    }

    /**
     * @param code a stored code
     * @return the kind, or null if no kind has this code
     */
    public static EntryKind ofCode(int code) {
        switch (code) {
            case 1:
                return PUT;
            case 2:
                return DELETE;
            default:
                return null;
        }
    }
}
