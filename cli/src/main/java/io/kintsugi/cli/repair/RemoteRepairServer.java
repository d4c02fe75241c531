package io.kintsugi.cli.repair;

import io.kintsugi.cli.Option;
import io.kintsugi.cli.ParsedArguments;
import io.kintsugi.cli.UsageException;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.repair.net.RepairClientOptions;
import io.kintsugi.repair.net.RepairServerOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@code repair plans|approve|reject} reach the repair server of the process that runs the repair service:
 * its {@code HOST:PORT}, the shared secret read from {@code --secret-file}, and how long to wait for the answer.
 *
 * @param endpoint the server's {@code host:port}
 * @param client   a client with the secret and the timeout
 */
record RemoteRepairServer(String endpoint, RepairClient client) {

    /** The option naming the file that holds the shared secret. */
    static final Option SECRET_FILE = Option.withValue("secret-file", "F", "the file whose bytes, exactly as they "
            + "are, are the repair agents' shared secret (at least " + RepairServerOptions.MIN_SECRET_LENGTH
            + " bytes); without it the connection is not authenticated, which a server with a secret refuses");
    /** The longest wait that can be asked for, in seconds: a day. */
    static final int MAX_TIMEOUT_SECONDS = 86_400;

    /**
     * @param timeoutDefault the default wait for the answer, in seconds, as the usage states it
     * @return the {@code --timeout} option
     */
    static Option timeoutOption(int timeoutDefault) {
        return Option.withValue("timeout", "SECONDS", "how long to wait for the server's answer, 1 to "
                + MAX_TIMEOUT_SECONDS + " (default " + timeoutDefault + ")");
    }

    /**
     * @param parsed         the command line; positional 0 is {@code HOST:PORT}
     * @param timeoutDefault the default wait for the answer, in seconds
     * @return the server and a client for it
     * @throws UsageException   if {@code HOST:PORT} is malformed, the timeout is out of range, or the secret file
     *                          holds too few bytes
     * @throws StorageException if the secret file is missing or cannot be read
     */
    static RemoteRepairServer of(ParsedArguments parsed, int timeoutDefault) {
        String endpoint = endpoint(parsed.positional(0));
        int timeout = parsed.intValue("timeout", 1, MAX_TIMEOUT_SECONDS).orElse(timeoutDefault);
        byte[] secret = parsed.value(SECRET_FILE.name()).map(f -> secret(Path.of(f))).orElse(null);
        RepairClientOptions options = RepairClientOptions.builder().secret(secret)
                .readTimeout(Duration.ofSeconds(timeout)).build();
        return new RemoteRepairServer(endpoint, new RepairClient(options));
    }

    private static String endpoint(String text) {
        int colon = text.lastIndexOf(':');
        String expected = "HOST:PORT expects a host, a colon and a port from 1 to 65535, e.g. 127.0.0.1:7400, got '"
                + text + "'";
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException(expected);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UsageException(expected);
        }
        if (port < 1 || port > 65535) {
            throw new UsageException(expected);
        }
        return text;
    }

    private static byte[] secret(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new StorageException("secret file " + file + " does not exist");
        } catch (IOException e) {
            throw new StorageException("secret file " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (bytes.length < RepairServerOptions.MIN_SECRET_LENGTH) {
            // Never the bytes themselves: only how many there are.
            throw new UsageException("--secret-file " + file + " holds " + bytes.length + " bytes; a shared secret "
                    + "is at least " + RepairServerOptions.MIN_SECRET_LENGTH + " bytes");
        }
        return bytes;
    }
}
