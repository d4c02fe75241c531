package io.kintsugi.validation.health;

/** How much a {@link HealthEntry} needs attention. */
public enum Severity {
    /** Routine: a consistent scan batch, a clean verify. */
    INFO,
    /** Something was not checked, or a check could not finish; nothing is known to be wrong. */
    WARNING,
    /** Data is known to be wrong or damaged: a mismatch, a checksum failure, an invariant violation. */
    ERROR
}
