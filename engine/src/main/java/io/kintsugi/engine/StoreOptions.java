package io.kintsugi.engine;

import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.oplog.Durability;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Store} is opened. Built with {@link #builder()}; every setting has a sensible default.
 *
 * <pre>{@code
 * StoreOptions options = StoreOptions.builder()
 *         .durability(Durability.SYNC)          // default: fdatasync before a write returns (group-committed)
 *         .memtableBudget(64L << 20)            // flush the memtable to a segment file at 64 MiB
 *         .blockCacheSize(64L << 20)
 *         .listener(event -> ...)
 *         .build();
 * }</pre>
 */
public final class StoreOptions {

    private final Durability durability;
    private final long memtableBudget;
    private final int blockSize;
    private final boolean compression;
    private final long blockCacheSize;
    private final int compactionTrigger;
    private final int compactionMaxFiles;
    private final int bloomBitsPerKey;
    private final long oplogSegmentSize;
    private final List<StoreListener> listeners;
    private final ReplicationOptions replication;
    private final List<StoreExtension> extensions;

    private StoreOptions(Builder b) {
        this.durability = b.durability;
        this.memtableBudget = b.memtableBudget;
        this.blockSize = b.blockSize;
        this.compression = b.compression;
        this.blockCacheSize = b.blockCacheSize;
        this.compactionTrigger = b.compactionTrigger;
        this.compactionMaxFiles = b.compactionMaxFiles;
        this.bloomBitsPerKey = b.bloomBitsPerKey;
        this.oplogSegmentSize = b.oplogSegmentSize;
        this.listeners = List.copyOf(b.listeners);
        this.replication = b.replication;
        this.extensions = List.copyOf(b.extensions);
    }

    /** @return a builder with every default set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults */
    public static StoreOptions defaults() {
        return builder().build();
    }

    /** @return when writes are made durable (default {@link Durability#SYNC}) */
    public Durability durability() {
        return durability;
    }

    /** @return memtable size in bytes at which it is flushed to a segment file */
    public long memtableBudget() {
        return memtableBudget;
    }

    /** @return uncompressed size at which data blocks are cut */
    public int blockSize() {
        return blockSize;
    }

    /** @return whether blocks are compressed with zstd where that saves space */
    public boolean compression() {
        return compression;
    }

    /** @return bytes of verified, decompressed blocks kept in memory; 0 disables the cache */
    public long blockCacheSize() {
        return blockCacheSize;
    }

    /** @return number of segment files at which a background compaction starts */
    public int compactionTrigger() {
        return compactionTrigger;
    }

    /** @return largest number of files one background compaction merges (bounds its work) */
    public int compactionMaxFiles() {
        return compactionMaxFiles;
    }

    /** @return bloom filter bits per key (0 disables filters) */
    public int bloomBitsPerKey() {
        return bloomBitsPerKey;
    }

    /** @return size at which oplog segments roll */
    public long oplogSegmentSize() {
        return oplogSegmentSize;
    }

    /**
     * @return how the store replicates, or null for a store on its own (which is always its own primary)
     */
    public ReplicationOptions replication() {
        return replication;
    }

    /** @return the extensions told of the store's log markers (the validation module's checker) */
    public List<StoreExtension> extensions() {
        return extensions;
    }

    /** @return the listeners told of corruption, flushes and compactions */
    public List<StoreListener> listeners() {
        return listeners;
    }

    /** Builds {@link StoreOptions}; each setter checks its argument and names the limit it violates. */
    public static final class Builder {
        private Durability durability = Durability.SYNC;
        private long memtableBudget = 64L << 20;
        private int blockSize = 16 << 10;
        private boolean compression = true;
        private long blockCacheSize = 64L << 20;
        private int compactionTrigger = 4;
        private int compactionMaxFiles = 8;
        private int bloomBitsPerKey = 10;
        private long oplogSegmentSize = 64L << 20;
        private final List<StoreListener> listeners = new ArrayList<>();
        private final List<StoreExtension> extensions = new ArrayList<>();
        private ReplicationOptions replication;

        private Builder() {
        }

        /**
         * @param durability when writes are made durable
         * @return this builder
         */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * @param bytes memtable size that triggers a flush, 64 KiB to 4 GiB
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder memtableBudget(long bytes) {
            if (bytes < (64 << 10) || bytes > (4L << 30)) {
                throw new IllegalArgumentException("memtable budget must be between 65536 bytes and 4 GiB, was "
                        + bytes);
            }
            this.memtableBudget = bytes;
            return this;
        }

        /**
         * @param bytes data block size, 1 KiB to 4 MiB
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder blockSize(int bytes) {
            if (bytes < 1024 || bytes > (4 << 20)) {
                throw new IllegalArgumentException("block size must be between 1024 bytes and 4 MiB, was " + bytes);
            }
            this.blockSize = bytes;
            return this;
        }

        /**
         * @param enabled whether to compress blocks with zstd where it saves space
         * @return this builder
         */
        public Builder compression(boolean enabled) {
            this.compression = enabled;
            return this;
        }

        /**
         * @param bytes block cache capacity, 0 (disabled) to 64 GiB
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder blockCacheSize(long bytes) {
            if (bytes < 0 || bytes > (64L << 30)) {
                throw new IllegalArgumentException("block cache size must be between 0 and 64 GiB, was " + bytes);
            }
            this.blockCacheSize = bytes;
            return this;
        }

        /**
         * @param files number of segment files that starts a background compaction, 2 to 1000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder compactionTrigger(int files) {
            if (files < 2 || files > 1000) {
                throw new IllegalArgumentException("compaction trigger must be between 2 and 1000 files, was "
                        + files);
            }
            this.compactionTrigger = files;
            return this;
        }

        /**
         * @param files most files one background compaction merges, 2 to 1000
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder compactionMaxFiles(int files) {
            if (files < 2 || files > 1000) {
                throw new IllegalArgumentException("compaction max files must be between 2 and 1000, was " + files);
            }
            this.compactionMaxFiles = files;
            return this;
        }

        /**
         * @param bits bloom filter bits per key, 0 (no filter) to 32
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder bloomBitsPerKey(int bits) {
            if (bits < 0 || bits > 32) {
                throw new IllegalArgumentException("bloom bits per key must be between 0 and 32, was " + bits);
            }
            this.bloomBitsPerKey = bits;
            return this;
        }

        /**
         * @param bytes oplog segment size (see {@code OplogOptions.segmentSize})
         * @return this builder
         */
        public Builder oplogSegmentSize(long bytes) {
            io.kintsugi.oplog.OplogOptions.builder().segmentSize(bytes); // validates and names the limit
            this.oplogSegmentSize = bytes;
            return this;
        }

        /**
         * @param listener told of corruption, flushes and compactions; called on store threads, keep it quick
         * @return this builder
         */
        public Builder listener(StoreListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Makes the store a member of a replica set. It then opens as a follower of nobody and takes writes only
         * once promoted; see {@link ReplicationOptions}.
         *
         * @param options replication options, or null for a store on its own
         * @return this builder
         */
        public Builder replication(ReplicationOptions options) {
            this.replication = options;
            return this;
        }

        /**
         * Registers code of a higher module that follows the store's log markers, such as the validation module's
         * range-hash checker.
         *
         * @param extension told when the store opens and closes, and of every log marker it applies
         * @return this builder
         */
        public Builder extension(StoreExtension extension) {
            extensions.add(Objects.requireNonNull(extension, "extension"));
            return this;
        }

        /** @return the options */
        public StoreOptions build() {
            if (compactionMaxFiles < compactionTrigger) {
                throw new IllegalArgumentException("compaction max files (" + compactionMaxFiles
                        + ") must not be lower than the compaction trigger (" + compactionTrigger + ")");
            }
            return new StoreOptions(this);
        }
    }
}
