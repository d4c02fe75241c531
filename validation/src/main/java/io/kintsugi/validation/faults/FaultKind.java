package io.kintsugi.validation.faults;

/**
 * What a {@link FaultInjector} did to a store.
 */
public enum FaultKind {
    /** One bit of a file inverted. */
    BIT_FLIP,
    /** A region of a file overwritten with zeros. */
    ZEROED_REGION,
    /** A region of a file overwritten with seeded random bytes. */
    JUNK_REGION,
    /** A file cut short. */
    TRUNCATION,
    /** Two data blocks of a segment file exchanged, each intact but in the other's place. */
    SWAPPED_BLOCKS,
    /** A file or directory of the store deleted. */
    DELETED_FILE,
    /** A file or directory replaced by an older copy of itself. */
    STALE_COPY,
    /** The last record of the data oplog cut in the middle, as a crash during the write leaves it. */
    TORN_OPLOG_TAIL,
    /** A value changed on one replica without an oplog record: checksums are valid, the data is wrong. */
    LOGICAL_CORRUPTION,
}
