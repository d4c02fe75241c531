package io.kintsugi.validation.health;

/** What a {@link HealthEntry} records. */
public enum HealthKind {
    /** The verdict on one range-hash batch: the primary's own hash, or a follower's check of a marker. */
    SCAN_BATCH,
    /** A block or record failed its checksum (found by a read, a scan or verify). */
    CHECKSUM_FAILURE,
    /** Bytes passed their checksum but broke a rule the format guarantees (key order, index bounds). */
    INVARIANT_VIOLATION,
    /** The summary of a verify run. */
    VERIFY,
    /** A repair step, from detection to proof. */
    REPAIR
}
