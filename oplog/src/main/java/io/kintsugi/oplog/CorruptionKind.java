package io.kintsugi.oplog;

/**
 * What kind of damage a {@link CorruptionException} reports.
 */
public enum CorruptionKind {
    /** The stored CRC32C does not match the bytes it covers. */
    CHECKSUM_MISMATCH,
    /** A length field is negative or larger than the format allows. */
    BAD_LENGTH,
    /** A file does not start with Kintsugi's magic number or is not of the expected file kind. */
    BAD_MAGIC,
    /** A file header is damaged or disagrees with the file's name or with the rest of the log. */
    BAD_HEADER,
    /** Records or segments do not follow each other in sequence: a gap, a repeat or a step back. */
    SEQUENCE_GAP,
    /** A record's term is lower than the term of a record before it. */
    TERM_REGRESSION,
    /** A damaged record is followed by valid records, so it cannot be a torn write from a crash. */
    CORRUPT_BEFORE_VALID_DATA,
    /**
     * A file ends before the structure it holds is complete (including a length field that points past the end),
     * where a crash cannot explain it.
     */
    TRUNCATED,
    /** A file that the log's metadata says must exist is missing. */
    MISSING_FILE,
    /** A file belongs to another log or store. */
    FOREIGN_FILE,
    /** A file is an older copy of itself: it disagrees with newer files that it should describe. */
    STALE_FILE,
    /** Bytes that passed their checksum do not decode as their format says: written wrong, or by another program. */
    INVALID_CONTENT,
    /**
     * Bytes that passed their checksum and decode as their format says break a rule the engine relies on while it
     * reads: keys out of order within a block or across the blocks of a file, a block's keys outside the bounds its
     * index entry records, or an entry's sequence number above the file's recorded maximum. A writer bug, or damage
     * made before the checksum was computed; the checked structure is not used either way.
     */
    INVARIANT_VIOLATION,
}
