package io.kintsugi.engine.manifest;

import io.kintsugi.oplog.OplogOptions;

/**
 * How a {@link Manifest} is written. Built with {@link #builder()}; every setting has a default. Neither setting is
 * part of the format: a manifest can be reopened with other values.
 */
public final class ManifestOptions {

    /** Default number of records after a snapshot before the next snapshot is written. */
    public static final int DEFAULT_SNAPSHOT_INTERVAL = 1000;
    /** Default size of the manifest oplog's segments: 256 KiB, so that retention can drop old records soon. */
    public static final long DEFAULT_SEGMENT_SIZE = 256L << 10;

    private final int snapshotInterval;
    private final long segmentSize;

    private ManifestOptions(Builder b) {
        this.snapshotInterval = b.snapshotInterval;
        this.segmentSize = b.segmentSize;
    }

    /** @return a builder with the defaults set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults */
    public static ManifestOptions defaults() {
        return builder().build();
    }

    /** @return how many records (edits, opens, clean closes) may follow a snapshot before the next one is written */
    public int snapshotInterval() {
        return snapshotInterval;
    }

    /** @return the manifest oplog's segment size in bytes */
    public long segmentSize() {
        return segmentSize;
    }

    @Override
    public String toString() {
        return "ManifestOptions{snapshotInterval=" + snapshotInterval + ", segmentSize=" + segmentSize + '}';
    }

    /** Builds {@link ManifestOptions}; each setter checks its argument and names the limit it violates. */
    public static final class Builder {
        private int snapshotInterval = DEFAULT_SNAPSHOT_INTERVAL;
        private long segmentSize = DEFAULT_SEGMENT_SIZE;

        private Builder() {
        }

        /**
         * @param records records after a snapshot before the next one, 1 to 1 000 000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder snapshotInterval(int records) {
            if (records < 1 || records > 1_000_000) {
                throw new IllegalArgumentException("snapshot interval must be between 1 and 1000000 records, was "
                        + records);
            }
            this.snapshotInterval = records;
            return this;
        }

        /**
         * @param bytes the manifest oplog's segment size, {@value OplogOptions#MIN_SEGMENT_SIZE} bytes to 1 GiB
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder segmentSize(long bytes) {
            if (bytes < OplogOptions.MIN_SEGMENT_SIZE || bytes > OplogOptions.MAX_SEGMENT_SIZE) {
                throw new IllegalArgumentException("manifest segment size must be between "
                        + OplogOptions.MIN_SEGMENT_SIZE + " and " + OplogOptions.MAX_SEGMENT_SIZE + " bytes, was "
                        + bytes);
            }
            this.segmentSize = bytes;
            return this;
        }

        /** @return the options */
        public ManifestOptions build() {
            return new ManifestOptions(this);
        }
    }
}
