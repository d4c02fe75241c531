package io.kintsugi.cli;

/**
 * A command line that cannot be carried out as written. Its message says what was wrong and what was expected;
 * {@link Kintsugi} prints it with the command's usage and exits with {@link ExitCode#USAGE_ERROR}.
 */
public class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong and what was expected, e.g. "--limit expects a whole number from 1 to
     *                2147483647, got 'ten'"
     */
    public UsageException(String message) {
        super(message);
    }
}
