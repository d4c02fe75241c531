package io.kintsugi.engine.table;

/**
 * How a {@link SegmentFileWriter} lays out a segment file. None of these settings is needed to read a file: every
 * block records its own compression, and the filter records its own size.
 *
 * <pre>{@code
 * SegmentFileOptions options = SegmentFileOptions.builder().blockSize(32 * 1024).zstdLevel(5).build();
 * }</pre>
 */
public final class SegmentFileOptions {

    /** Default target size of a data block before compression (16 KiB). */
    public static final int DEFAULT_BLOCK_SIZE = 16 * 1024;
    /** Smallest allowed block size (1 KiB). */
    public static final int MIN_BLOCK_SIZE = 1024;
    /** Largest allowed block size (4 MiB). */
    public static final int MAX_BLOCK_SIZE = 4 * 1024 * 1024;
    /** Default zstd level. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;
    /** Lowest allowed zstd level. */
    public static final int MIN_ZSTD_LEVEL = 1;
    /** Highest allowed zstd level. */
    public static final int MAX_ZSTD_LEVEL = 22;
    /** Default bloom filter bits per distinct key (about 1% false positives). */
    public static final int DEFAULT_BLOOM_BITS_PER_KEY = 10;
    /** Largest allowed bloom filter bits per key. */
    public static final int MAX_BLOOM_BITS_PER_KEY = 64;

    private static final SegmentFileOptions DEFAULTS = builder().build();

    private final int blockSize;
    private final boolean compression;
    private final int zstdLevel;
    private final int bloomBitsPerKey;

    private SegmentFileOptions(Builder b) {
        this.blockSize = b.blockSize;
        this.compression = b.compression;
        this.zstdLevel = b.zstdLevel;
        this.bloomBitsPerKey = b.bloomBitsPerKey;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the default options: 16 KiB blocks, zstd level 3, 10 filter bits per key */
    public static SegmentFileOptions defaults() {
        return DEFAULTS;
    }

    /** @return the size of uncompressed data at which a data block is ended */
    public int blockSize() {
        return blockSize;
    }

    /**
     * @return whether data and index blocks are compressed with zstd; a block is stored uncompressed when
     *         compression does not save at least an eighth of its size
     */
    public boolean compression() {
        return compression;
    }

    /** @return the zstd compression level */
    public int zstdLevel() {
        return zstdLevel;
    }

    /** @return bloom filter bits per distinct key; 0 writes no filter */
    public int bloomBitsPerKey() {
        return bloomBitsPerKey;
    }

    @Override
    public String toString() {
        return "SegmentFileOptions{blockSize=" + blockSize + ", compression=" + compression + ", zstdLevel="
                + zstdLevel + ", bloomBitsPerKey=" + bloomBitsPerKey + '}';
    }

    /**
     * Builds {@link SegmentFileOptions}; every setter checks its argument at once.
     */
    public static final class Builder {

        private int blockSize = DEFAULT_BLOCK_SIZE;
        private boolean compression = true;
        private int zstdLevel = DEFAULT_ZSTD_LEVEL;
        private int bloomBitsPerKey = DEFAULT_BLOOM_BITS_PER_KEY;

        private Builder() {
        }

        /**
         * @param bytes target uncompressed size of a data block, {@value #MIN_BLOCK_SIZE} to
         *              {@value #MAX_BLOCK_SIZE}; default {@value #DEFAULT_BLOCK_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder blockSize(int bytes) {
            if (bytes < MIN_BLOCK_SIZE || bytes > MAX_BLOCK_SIZE) {
                throw new IllegalArgumentException("blockSize must be between " + MIN_BLOCK_SIZE + " and "
                        + MAX_BLOCK_SIZE + " bytes, got " + bytes);
            }
            this.blockSize = bytes;
            return this;
        }

        /**
         * @param enabled whether to compress blocks with zstd where it saves at least an eighth; default true
         * @return this builder
         */
        public Builder compression(boolean enabled) {
            this.compression = enabled;
            return this;
        }

        /**
         * @param level zstd level, {@value #MIN_ZSTD_LEVEL} to {@value #MAX_ZSTD_LEVEL}; default
         *              {@value #DEFAULT_ZSTD_LEVEL}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder zstdLevel(int level) {
            if (level < MIN_ZSTD_LEVEL || level > MAX_ZSTD_LEVEL) {
                throw new IllegalArgumentException("zstdLevel must be between " + MIN_ZSTD_LEVEL + " and "
                        + MAX_ZSTD_LEVEL + ", got " + level);
            }
            this.zstdLevel = level;
            return this;
        }

        /**
         * @param bits bloom filter bits per distinct key, 0 (no filter) to {@value #MAX_BLOOM_BITS_PER_KEY};
         *             default {@value #DEFAULT_BLOOM_BITS_PER_KEY}
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder bloomBitsPerKey(int bits) {
            if (bits < 0 || bits > MAX_BLOOM_BITS_PER_KEY) {
                throw new IllegalArgumentException("bloomBitsPerKey must be between 0 and "
                        + MAX_BLOOM_BITS_PER_KEY + ", got " + bits);
            }
            this.bloomBitsPerKey = bits;
            return this;
        }

        /** @return the options */
        public SegmentFileOptions build() {
            return new SegmentFileOptions(this);
        }
    }
}
