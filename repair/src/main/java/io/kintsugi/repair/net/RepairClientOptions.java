package io.kintsugi.repair.net;

import java.time.Duration;

/**
 * How a {@link RepairClient} connects: the shared secret and its timeouts.
 *
 * <pre>{@code
 * RepairClient client = new RepairClient(RepairClientOptions.builder()
 *         .secret(sharedSecretBytes)
 *         .readTimeout(Duration.ofSeconds(10))
 *         .build());
 * }</pre>
 */
public final class RepairClientOptions {

    private final byte[] secret;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    private RepairClientOptions(Builder b) {
        this.secret = b.secret == null ? null : b.secret.clone();
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
    }

    /** @return a builder with every setting at its default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a copy of the shared secret, or null when servers are not authenticated */
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** @return how long connecting may take; default 5 s */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return how long the client waits for any bytes of the server's next frame; default 30 s */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** Builds {@link RepairClientOptions}; every setter checks its argument at once. */
    public static final class Builder {
        private byte[] secret;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * @param secret the shared secret, at least {@value RepairServerOptions#MIN_SECRET_LENGTH} bytes, or null
         * @return this builder
         * @throws IllegalArgumentException if the secret is too short
         */
        public Builder secret(byte[] secret) {
            this.secret = RepairServerOptions.checkSecret(secret);
            return this;
        }

        /**
         * @param timeout how long connecting may take, positive
         * @return this builder
         * @throws IllegalArgumentException if the timeout is not positive
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = RepairServerOptions.positive("connectTimeout", timeout);
            return this;
        }

        /**
         * @param timeout how long to wait for the server's bytes, positive
         * @return this builder
         * @throws IllegalArgumentException if the timeout is not positive
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = RepairServerOptions.positive("readTimeout", timeout);
            return this;
        }

        /** @return the options */
        public RepairClientOptions build() {
            return new RepairClientOptions(this);
        }
    }
}
