package io.kintsugi.engine.replication;

import java.time.Duration;
import java.util.Objects;

/**
 * How a store replicates: its transport, the shared secret, batching, timeouts and the default write concern.
 * A store opened with replication options starts as a {@link Role#FOLLOWER} that follows nobody, whatever it was
 * before it closed: only the host's coordinator makes a store primary ({@code Store.promote}), so a restarted former
 * primary can never accept writes next to the one that replaced it.
 *
 * <pre>{@code
 * ReplicationOptions r = ReplicationOptions.builder(TcpTransport.bind("127.0.0.1", 7400))
 *         .secret(sharedSecretBytes)                                  // HMAC challenge on every connection
 *         .writeConcern(WriteConcern.followers(1, Duration.ofSeconds(5)))
 *         .build();
 * }</pre>
 */
public final class ReplicationOptions {

    /** Shortest secret accepted, in bytes. */
    public static final int MIN_SECRET_LENGTH = 16;

    private final ReplicationTransport transport;
    private final byte[] secret;
    private final int maxBatchBytes;
    private final int maxBatchRecords;
    private final int maxUnacknowledgedRecords;
    private final int maxFrameBytes;
    private final Duration heartbeatInterval;
    private final Duration peerTimeout;
    private final Duration connectTimeout;
    private final Duration reconnectBackoff;
    private final Duration maxReconnectBackoff;
    private final Duration retainForDisconnectedFollower;
    private final WriteConcern writeConcern;

    private ReplicationOptions(Builder b) {
        this.transport = b.transport;
        this.secret = b.secret == null ? null : b.secret.clone();
        this.maxBatchBytes = b.maxBatchBytes;
        this.maxBatchRecords = b.maxBatchRecords;
        this.maxUnacknowledgedRecords = b.maxUnacknowledgedRecords;
        this.maxFrameBytes = b.maxFrameBytes;
        this.heartbeatInterval = b.heartbeatInterval;
        this.peerTimeout = b.peerTimeout;
        this.connectTimeout = b.connectTimeout;
        this.reconnectBackoff = b.reconnectBackoff;
        this.maxReconnectBackoff = b.maxReconnectBackoff;
        this.retainForDisconnectedFollower = b.retainForDisconnectedFollower;
        this.writeConcern = b.writeConcern;
    }

    /**
     * @param transport how this store listens and connects
     * @return a builder with every other setting at its default
     */
    public static Builder builder(ReplicationTransport transport) {
        return new Builder(transport);
    }

    /** @return how this store listens and connects */
    public ReplicationTransport transport() {
        return transport;
    }

    /** @return a copy of the shared secret, or null when peers are not authenticated */
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** @return soft limit of record bytes in one RECORDS frame (a single larger record still goes alone) */
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    /** @return most records in one RECORDS frame */
    public int maxBatchRecords() {
        return maxBatchRecords;
    }

    /** @return most records a primary sends a follower ahead of its acknowledgements */
    public int maxUnacknowledgedRecords() {
        return maxUnacknowledgedRecords;
    }

    /** @return longest frame this store accepts from a peer, in bytes */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** @return how often an idle primary tells followers it is alive (and its last sequence) */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** @return silence after which a peer is taken for dead and the connection closed */
    public Duration peerTimeout() {
        return peerTimeout;
    }

    /** @return how long a follower tries to open a connection */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return first wait before a follower reconnects; doubles on every failure up to the maximum */
    public Duration reconnectBackoff() {
        return reconnectBackoff;
    }

    /** @return longest wait between reconnection attempts */
    public Duration maxReconnectBackoff() {
        return maxReconnectBackoff;
    }

    /**
     * @return how long a primary keeps oplog records a disconnected follower still needs; after that, flushed
     *         records are released and the follower, if it returns, reports that it needs a resync
     */
    public Duration retainForDisconnectedFollower() {
        return retainForDisconnectedFollower;
    }

    /** @return the write concern of writes that do not name one */
    public WriteConcern writeConcern() {
        return writeConcern;
    }

    /** Builds {@link ReplicationOptions}. */
    public static final class Builder {
        private final ReplicationTransport transport;
        private byte[] secret;
        private int maxBatchBytes = 1 << 20;
        private int maxBatchRecords = 4096;
        private int maxUnacknowledgedRecords = 65_536;
        private int maxFrameBytes = (64 << 20) + (1 << 20);
        private Duration heartbeatInterval = Duration.ofMillis(200);
        private Duration peerTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration reconnectBackoff = Duration.ofMillis(20);
        private Duration maxReconnectBackoff = Duration.ofSeconds(2);
        private Duration retainForDisconnectedFollower = Duration.ofMinutes(10);
        private WriteConcern writeConcern = WriteConcern.LOCAL;

        private Builder(ReplicationTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
        }

        /**
         * Requires every peer to prove, with HMAC-SHA256 over fresh nonces, that it knows this secret; every
         * replica of the set must have the same one.
         *
         * @param secret at least {@value #MIN_SECRET_LENGTH} bytes, or null to turn authentication off
         * @return this builder
         */
        public Builder secret(byte[] secret) {
            if (secret != null && secret.length < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("a replication secret needs at least " + MIN_SECRET_LENGTH
                        + " bytes, this one has " + secret.length);
            }
            this.secret = secret == null ? null : secret.clone();
            return this;
        }

        /** @param bytes soft limit of record bytes per frame, 1 KiB..64 MiB; @return this builder */
        public Builder maxBatchBytes(int bytes) {
            this.maxBatchBytes = range("maxBatchBytes", bytes, 1 << 10, 64 << 20);
            return this;
        }

        /** @param records most records per frame, 1..1 048 576; @return this builder */
        public Builder maxBatchRecords(int records) {
            this.maxBatchRecords = range("maxBatchRecords", records, 1, 1 << 20);
            return this;
        }

        /** @param records most records sent ahead of acknowledgements, 1..16 777 216; @return this builder */
        public Builder maxUnacknowledgedRecords(int records) {
            this.maxUnacknowledgedRecords = range("maxUnacknowledgedRecords", records, 1, 1 << 24);
            return this;
        }

        /**
         * @param bytes longest frame accepted from a peer; at least 65 MiB so that the largest write batch fits
         * @return this builder
         */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = range("maxFrameBytes", bytes, (64 << 20) + (1 << 20), Integer.MAX_VALUE - 16);
            return this;
        }

        /** @param interval heartbeat interval, 1 ms..1 min; @return this builder */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = duration("heartbeatInterval", interval, Duration.ofMillis(1),
                    Duration.ofMinutes(1));
            return this;
        }

        /** @param timeout silence after which a peer is dead, 10 ms..1 h; @return this builder */
        public Builder peerTimeout(Duration timeout) {
            this.peerTimeout = duration("peerTimeout", timeout, Duration.ofMillis(10), Duration.ofHours(1));
            return this;
        }

        /** @param timeout connection attempt timeout, 1 ms..1 min; @return this builder */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = duration("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(1));
            return this;
        }

        /**
         * @param first first wait before reconnecting, 1 ms..1 min
         * @param max   longest wait, from {@code first} to 10 min
         * @return this builder
         */
        public Builder reconnectBackoff(Duration first, Duration max) {
            this.reconnectBackoff = duration("reconnectBackoff", first, Duration.ofMillis(1), Duration.ofMinutes(1));
            this.maxReconnectBackoff = duration("maxReconnectBackoff", max, first, Duration.ofMinutes(10));
            return this;
        }

        /** @param time how long records are kept for a disconnected follower, 0..30 days; @return this builder */
        public Builder retainForDisconnectedFollower(Duration time) {
            this.retainForDisconnectedFollower = duration("retainForDisconnectedFollower", time, Duration.ZERO,
                    Duration.ofDays(30));
            return this;
        }

        /** @param concern the write concern of writes that do not name one; @return this builder */
        public Builder writeConcern(WriteConcern concern) {
            this.writeConcern = Objects.requireNonNull(concern, "concern");
            return this;
        }

        /** @return the options */
        public ReplicationOptions build() {
            if (heartbeatInterval.compareTo(peerTimeout) >= 0) {
                throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval
                        + ") must be shorter than peerTimeout (" + peerTimeout + "), or idle peers time out");
            }
            return new ReplicationOptions(this);
        }

        private static int range(String name, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + v);
            }
            return v;
        }

        private static Duration duration(String name, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + d);
            }
            return d;
        }
    }
}
