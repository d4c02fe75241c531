package io.kintsugi.validation.verify;

/**
 * The verdict on a store, a component or a file.
 */
public enum VerifyStatus {
    /** Everything checked and nothing found. */
    OK,
    /**
     * Nothing found, but something could not be checked (a format version this build cannot read, a read that
     * failed): the verdict is not a clean bill of health.
     */
    INCOMPLETE,
    /** Damage found: see the report's problems. */
    CORRUPT;

    /** @return the worse of the two verdicts (CORRUPT over INCOMPLETE over OK) */
    VerifyStatus worst(VerifyStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
