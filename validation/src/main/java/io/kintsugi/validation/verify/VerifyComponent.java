package io.kintsugi.validation.verify;

/**
 * A part of a store that verify gives its own verdict.
 */
public enum VerifyComponent {
    /** The store directory itself: which entries it holds (foreign files, leftovers). */
    DIRECTORY,
    /** The manifest oplog ({@code manifest/}), its records and its cross-checks against the files and the oplog. */
    MANIFEST,
    /** The sorted segment files ({@code *.seg}). */
    SEGMENT_FILES,
    /** The data oplog ({@code oplog/}). */
    OPLOG,
    /** The term history file ({@code terms}). */
    TERM_HISTORY,
    /** The range-hash scan state file ({@code scan-state}), if present. */
    SCAN_STATE,
    /** The health log ({@code health/}), if present. */
    HEALTH_LOG,
    /**
     * The repair module's lineage log ({@code lineage/}), if present: its records' checksums and framing; their
     * payloads belong to the repair module, which decodes every one when it opens the log.
     */
    LINEAGE_LOG
}
