package io.kintsugi.validation.health;

/** The outcome a {@link HealthEntry} reports. */
public enum Verdict {
    /** The range's hash here equals the expected one. */
    CONSISTENT,
    /** The range's hash here differs from the expected one: some replica holds wrong data. */
    INCONSISTENT,
    /** The range could not be read here because a block in it is damaged. */
    DAMAGED,
    /** The range was not checked (for example the checker was behind); nothing is known about it. */
    NOT_CHECKED,
    /** The entry is not a comparison (the primary's own batch hash, a verify summary, a repair step). */
    NONE
}
