package io.kintsugi.oplog;

import io.kintsugi.oplog.format.RecordFormat;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * How an {@link Oplog} is opened. Built with {@link #builder()}; every setting has a sensible default.
 */
public final class OplogOptions {

    /** Default size at which a segment is sealed and a new one started: 64 MiB. */
    public static final long DEFAULT_SEGMENT_SIZE = 64L << 20;
    /** Smallest allowed segment size: 4 KiB. */
    public static final long MIN_SEGMENT_SIZE = 4L << 10;
    /** Largest allowed segment size: 1 GiB. */
    public static final long MAX_SEGMENT_SIZE = 1L << 30;
    /** Default largest payload: 32 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_SIZE = 32 << 20;
    /** Default number of slots in the append ring. */
    public static final int DEFAULT_RING_SIZE = 1024;

    private final long segmentSize;
    private final Durability durability;
    private final int maxPayloadSize;
    private final int ringSize;
    private final UUID logId;
    private final long firstSequence;
    private final DurableRecordListener durableRecordListener;
    private final SequencingListener sequencingListener;

    private OplogOptions(Builder b) {
        this.segmentSize = b.segmentSize;
        this.durability = b.durability;
        this.maxPayloadSize = b.maxPayloadSize;
        this.ringSize = b.ringSize;
        this.logId = b.logId;
        this.firstSequence = b.firstSequence;
        this.durableRecordListener = b.durableRecordListener;
        this.sequencingListener = b.sequencingListener;
    }

    /** @return a builder with every default set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults */
    public static OplogOptions defaults() {
        return builder().build();
    }

    /** @return the size in bytes at which a segment is sealed */
    public long segmentSize() {
        return segmentSize;
    }

    /** @return when appends are made durable */
    public Durability durability() {
        return durability;
    }

    /** @return the largest payload an append may carry */
    public int maxPayloadSize() {
        return maxPayloadSize;
    }

    /** @return the number of slots in the append ring */
    public int ringSize() {
        return ringSize;
    }

    /** @return the id a new log gets, and an existing log must have; empty for "any" (a new log gets a random id) */
    public Optional<UUID> logId() {
        return Optional.ofNullable(logId);
    }

    /** @return the sequence number of the first record of a newly created log */
    public long firstSequence() {
        return firstSequence;
    }

    /** @return the listener that sees every record once durable, if any */
    public Optional<DurableRecordListener> durableRecordListener() {
        return Optional.ofNullable(durableRecordListener);
    }

    /** @return the listener told of every record as it is sequenced, if any */
    public Optional<SequencingListener> sequencingListener() {
        return Optional.ofNullable(sequencingListener);
    }

    @Override
    public String toString() {
        return "OplogOptions{segmentSize=" + segmentSize + ", durability=" + durability + ", maxPayloadSize="
                + maxPayloadSize + ", ringSize=" + ringSize + ", logId=" + logId + ", firstSequence="
                + firstSequence + '}';
    }

    /** Builds {@link OplogOptions}; each setter checks its argument and names the limit it violates. */
    public static final class Builder {
        private long segmentSize = DEFAULT_SEGMENT_SIZE;
        private Durability durability = Durability.SYNC;
        private int maxPayloadSize = DEFAULT_MAX_PAYLOAD_SIZE;
        private int ringSize = DEFAULT_RING_SIZE;
        private UUID logId;
        private long firstSequence = 1;
        private DurableRecordListener durableRecordListener;
        private SequencingListener sequencingListener;

        private Builder() {
        }

        /**
         * @param bytes size at which a segment is sealed, {@value OplogOptions#MIN_SEGMENT_SIZE} bytes to 1 GiB
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder segmentSize(long bytes) {
            if (bytes < MIN_SEGMENT_SIZE || bytes > MAX_SEGMENT_SIZE) {
                throw new IllegalArgumentException("segment size must be between " + MIN_SEGMENT_SIZE + " and "
                        + MAX_SEGMENT_SIZE + " bytes, was " + bytes);
            }
            this.segmentSize = bytes;
            return this;
        }

        /**
         * @param durability when appends are made durable
         * @return this builder
         */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * @param bytes largest payload an append may carry, 0 to {@value RecordFormat#MAX_PAYLOAD_LENGTH}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxPayloadSize(int bytes) {
            if (bytes < 0 || bytes > RecordFormat.MAX_PAYLOAD_LENGTH) {
                throw new IllegalArgumentException("max payload size must be between 0 and "
                        + RecordFormat.MAX_PAYLOAD_LENGTH + " bytes, was " + bytes);
            }
            this.maxPayloadSize = bytes;
            return this;
        }

        /**
         * @param slots number of slots in the append ring, a power of two from 8 to 65536
         * @return this builder
         * @throws IllegalArgumentException if not a power of two in range
         */
        public Builder ringSize(int slots) {
            if (slots < 8 || slots > 65536 || Integer.bitCount(slots) != 1) {
                throw new IllegalArgumentException("ring size must be a power of two between 8 and 65536, was "
                        + slots);
            }
            this.ringSize = slots;
            return this;
        }

        /**
         * @param id the id a new log gets and an existing log must have
         * @return this builder
         */
        public Builder logId(UUID id) {
            this.logId = Objects.requireNonNull(id, "logId");
            return this;
        }

        /**
         * @param sequence first sequence number of a newly created log, at least 1; ignored for an existing log
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder firstSequence(long sequence) {
            if (sequence < 1) {
                throw new IllegalArgumentException("first sequence must be at least 1, was " + sequence);
            }
            this.firstSequence = sequence;
            return this;
        }

        /**
         * @param listener called on the writer thread for every record once durable, in sequence order, before
         *                 its appender is released
         * @return this builder
         */
        public Builder durableRecordListener(DurableRecordListener listener) {
            this.durableRecordListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param listener told of every record on the writer thread as it is given its sequence number
         * @return this builder
         */
        public Builder sequencingListener(SequencingListener listener) {
            this.sequencingListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @return the options */
        public OplogOptions build() {
            return new OplogOptions(this);
        }
    }
}
