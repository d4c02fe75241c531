package io.kintsugi.repair;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** How a {@link RepairAgent} serves and pulls. Built with {@link #builder()}. */
public final class RepairAgentOptions {

    /** Default memory a pulled range may take before it is staged in a temporary file: 64 MiB of keys and values. */
    public static final long DEFAULT_MEMORY_LIMIT = 64L << 20;

    private final byte[] secret;
    private final String host;
    private final int port;
    private final long memoryLimit;
    private final Path stagingDirectory;
    private final Duration applyTimeout;
    private final Duration readTimeout;

    private RepairAgentOptions(Builder b) {
        this.secret = b.secret;
        this.host = b.host;
        this.port = b.port;
        this.memoryLimit = b.memoryLimit;
        this.stagingDirectory = b.stagingDirectory;
        this.applyTimeout = b.applyTimeout;
        this.readTimeout = b.readTimeout;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the shared secret of every replica's repair server (a copy), or null for none */
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** @return the address the agent's repair server listens on */
    public String host() {
        return host;
    }

    /** @return the port it listens on; 0 for any free one */
    public int port() {
        return port;
    }

    /** @return bytes of keys and values of a pulled range kept in memory before the rest goes to a temporary file */
    public long memoryLimit() {
        return memoryLimit;
    }

    /** @return where larger pulled ranges are staged; null for the store's {@code repair-staging} directory */
    public Path stagingDirectory() {
        return stagingDirectory;
    }

    /** @return how long a pull waits for this replica to apply the range's sequence */
    public Duration applyTimeout() {
        return applyTimeout;
    }

    /** @return how long a pull waits for the next frame from the source */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** Sets the options; every setter checks its argument. */
    public static final class Builder {
        private byte[] secret;
        private String host = "127.0.0.1";
        private int port;
        private long memoryLimit = DEFAULT_MEMORY_LIMIT;
        private Path stagingDirectory;
        private Duration applyTimeout = Duration.ofSeconds(30);
        private Duration readTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * @param secret the shared secret of every replica's repair server, at least 16 bytes, or null for none
         * @return this builder
         */
        public Builder secret(byte[] secret) {
            this.secret = secret == null ? null : secret.clone();
            return this;
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
         * @param port 0..65535; 0 for any free port
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param bytes key and value bytes of a pulled range kept in memory, 0 or more (0 stages every range on disk)
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder memoryLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("the memory limit must be 0 or more bytes, was " + bytes);
            }
            this.memoryLimit = bytes;
            return this;
        }

        /**
         * @param dir where larger pulled ranges are staged
         * @return this builder
         */
        public Builder stagingDirectory(Path dir) {
            this.stagingDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * @param timeout how long a pull waits for this replica to apply the range's sequence; positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder applyTimeout(Duration timeout) {
            this.applyTimeout = positive("apply timeout", timeout);
            return this;
        }

        /**
         * @param timeout how long a pull waits for the source's next frame; positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive("read timeout", timeout);
            return this;
        }

        /** @return the options */
        public RepairAgentOptions build() {
            return new RepairAgentOptions(this);
        }

        static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("the " + what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
