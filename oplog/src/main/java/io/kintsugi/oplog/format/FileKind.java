package io.kintsugi.oplog.format;

/**
 * The kinds of file Kintsugi writes, as recorded in byte 4 of every {@link FileHeader}. Codes are part of the
 * on-disk format: never reuse or renumber one.
 */
public enum FileKind {
    /** An oplog segment: {@link SegmentHeaderFormat} followed by records in {@link RecordFormat}. */
    OPLOG_SEGMENT(1),
    /** The oplog's metadata file: {@link LogMetadataFormat}. */
    OPLOG_METADATA(2),
    /** A store's sorted, immutable segment file of checksummed blocks (defined in the engine module). */
    STORE_SEGMENT(3),
    /** A store's term history: which primary started each term at which sequence (defined in the engine module). */
    TERM_HISTORY(4),
    /** Where a store's range-hash scan stands, so that it resumes after a restart (defined in the validation module). */
    SCAN_STATE(5);

    private final int code;

    FileKind(int code) {
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
    public static FileKind ofCode(int code) {
        for (FileKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return null;
    }
}
