package io.kintsugi.cli;

/**
 * The exit codes of every {@code kintsugi} command. Scripts and monitoring rely on them, so their meanings never
 * change; a new outcome gets a new number.
 */
public final class ExitCode {

    /** The command did what was asked and found nothing wrong. */
    public static final int OK = 0;
    /** The command completed and found corruption (or, for {@code health}, entries that report it). */
    public static final int CORRUPTION_FOUND = 1;
    /** The command line was wrong: an unknown command or option, a missing or malformed value. */
    public static final int USAGE_ERROR = 2;
    /** The command could not complete: an I/O error, a store locked by another process, a missing directory. */
    public static final int NOT_COMPLETED = 3;

    private ExitCode() {
    }

    /** @return the exit codes and their meanings, as the usage texts show them */
    public static String describe() {
        return "Exit codes:\n"
                + "  0  OK: done, nothing wrong found\n"
                + "  1  corruption found\n"
                + "  2  usage error: unknown command or option, missing or malformed value\n"
                + "  3  could not complete: I/O error, store locked, directory missing\n";
    }
}
