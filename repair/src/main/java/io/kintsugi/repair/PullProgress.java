package io.kintsugi.repair;

/**
 * Where a {@link RepairAgent}'s pull has got to: told at each step, and after every pair staged. Package-private, so
 * that the crash test's child can stop a pull at a chosen point and be killed there; an agent started without one
 * pays nothing.
 */
interface PullProgress {

    /** The steps of a pull, in order. */
    enum Step {
        /** The fetch began; {@code pairs} pairs are staged so far (told after each one). */
        FETCHING,
        /** The whole range arrived and matched the expected digest; nothing is recorded or installed yet. */
        FETCHED,
        /** The lineage record is durable; the range is not yet installed. */
        RECORDED,
        /** {@code Store.installRange} is about to be called. */
        INSTALLING,
        /** {@code Store.installRange} returned: the range is installed. */
        INSTALLED
    }

    /** A progress that does nothing. */
    PullProgress NONE = (step, pairs) -> { };

    /**
     * @param step  the step reached
     * @param pairs pairs staged so far
     */
    void reached(Step step, long pairs);
}
