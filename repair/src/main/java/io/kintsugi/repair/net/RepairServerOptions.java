package io.kintsugi.repair.net;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RepairServer} listens and serves.
 *
 * <pre>{@code
 * RepairServerOptions o = RepairServerOptions.builder()
 *         .port(7500)                       // 0 (the default) picks a free port
 *         .secret(sharedSecretBytes)        // HMAC challenge on every connection
 *         .build();
 * }</pre>
 */
public final class RepairServerOptions {

    /** Shortest secret accepted, in bytes (as replication's). */
    public static final int MIN_SECRET_LENGTH = 16;
    /** Smallest chunk size accepted: below it frames would be mostly headers. */
    public static final int MIN_CHUNK_BYTES = 4 << 10;
    /** Largest chunk size accepted: a chunk must fit a client's frame limit. */
    public static final int MAX_CHUNK_BYTES = 16 << 20;
    /** Most connections served at once that can be configured. */
    public static final int MAX_CONNECTIONS = 256;

    private final String host;
    private final int port;
    private final byte[] secret;
    private final int maxConnections;
    private final int maxWaitingConnections;
    private final int chunkBytes;
    private final Duration requestTimeout;
    private final Duration closeGrace;

    private RepairServerOptions(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.secret = b.secret == null ? null : b.secret.clone();
        this.maxConnections = b.maxConnections;
        this.maxWaitingConnections = b.maxWaitingConnections;
        this.chunkBytes = b.chunkBytes;
        this.requestTimeout = b.requestTimeout;
        this.closeGrace = b.closeGrace;
    }

    /** @return a builder with every setting at its default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the address listened on; default {@code 127.0.0.1} */
    public String host() {
        return host;
    }

    /** @return the port listened on; 0 (the default) picks a free one */
    public int port() {
        return port;
    }

    /** @return a copy of the shared secret, or null when clients are not authenticated */
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** @return connections served at once, each by one thread of a fixed pool; default 8 */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return connections accepted and waiting for a thread; one more is refused as busy; default 16 */
    public int maxWaitingConnections() {
        return maxWaitingConnections;
    }

    /** @return soft limit of pair bytes in one CHUNK frame (a single larger pair goes alone); default 1 MiB */
    public int chunkBytes() {
        return chunkBytes;
    }

    /** @return how long the server waits for each of a client's frames; default 30 s */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * @return how long {@link RepairServer#close()} lets a stream under way reach its next chunk and end with an
     *         ERROR frame saying so, before it closes the connection; default 5 s
     */
    public Duration closeGrace() {
        return closeGrace;
    }

    /** Builds {@link RepairServerOptions}; every setter checks its argument at once. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private byte[] secret;
        private int maxConnections = 8;
        private int maxWaitingConnections = 16;
        private int chunkBytes = 1 << 20;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration closeGrace = Duration.ofSeconds(5);

        private Builder() {
        }

        /**
         * @param host the address to listen on
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * @param port 0 to 65535; 0 picks a free port
         * @return this builder
         * @throws IllegalArgumentException if the port is out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param secret the shared secret, at least {@value #MIN_SECRET_LENGTH} bytes, or null for none
         * @return this builder
         * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_SECRET_LENGTH} bytes
         */
        public Builder secret(byte[] secret) {
            this.secret = checkSecret(secret);
            return this;
        }

        /**
         * @param n connections served at once, 1 to {@value #MAX_CONNECTIONS}
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is out of range
         */
        public Builder maxConnections(int n) {
            if (n < 1 || n > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("maxConnections must be between 1 and " + MAX_CONNECTIONS
                        + ", was " + n);
            }
            this.maxConnections = n;
            return this;
        }

        /**
         * @param n connections waiting for a thread, 0 to {@value #MAX_CONNECTIONS}
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is out of range
         */
        public Builder maxWaitingConnections(int n) {
            if (n < 0 || n > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("maxWaitingConnections must be between 0 and "
                        + MAX_CONNECTIONS + ", was " + n);
            }
            this.maxWaitingConnections = n;
            return this;
        }

        /**
         * @param bytes soft limit of pair bytes per CHUNK frame, {@value #MIN_CHUNK_BYTES} to
         *              {@value #MAX_CHUNK_BYTES}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is out of range
         */
        public Builder chunkBytes(int bytes) {
            if (bytes < MIN_CHUNK_BYTES || bytes > MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("chunkBytes must be between " + MIN_CHUNK_BYTES + " and "
                        + MAX_CHUNK_BYTES + ", was " + bytes);
            }
            this.chunkBytes = bytes;
            return this;
        }

        /**
         * @param timeout how long to wait for each client frame, positive
         * @return this builder
         * @throws IllegalArgumentException if the timeout is not positive
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /**
         * @param grace how long a close waits for streams to stop cleanly, zero or more
         * @return this builder
         * @throws IllegalArgumentException if the grace is negative
         */
        public Builder closeGrace(Duration grace) {
            Objects.requireNonNull(grace, "closeGrace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("closeGrace must not be negative, was " + grace);
            }
            this.closeGrace = grace;
            return this;
        }

        /** @return the options */
        public RepairServerOptions build() {
            return new RepairServerOptions(this);
        }
    }

    static byte[] checkSecret(byte[] secret) {
        if (secret != null && secret.length < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("a shared secret must be at least " + MIN_SECRET_LENGTH
                    + " bytes, was " + secret.length);
        }
        return secret == null ? null : secret.clone();
    }

    static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }
}
