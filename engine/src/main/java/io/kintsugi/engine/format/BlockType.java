package io.kintsugi.engine.format;

/**
 * The kinds of block in a store segment file, as recorded in byte 0 of every {@link BlockTrailerFormat block
 * trailer}. Codes are part of the on-disk format: never reuse or renumber one.
 */
public enum BlockType {
    /** Sorted entries, {@link DataBlockFormat}. */
    DATA(1),
    /** The bloom filter over the file's keys, {@link BloomFilter}. */
    FILTER(2),
    /** One entry per data block: its key range and handle, {@link IndexBlockFormat}. */
    INDEX(3),
    /** Counts, key range and sequence range of the file, {@link MetadataBlockFormat}. */
    METADATA(4),
    /** The fixed-size last block of the file, {@link FooterFormat}. */
    FOOTER(5);

    private final int code;

    BlockType(int code) {
        this.code = code;
    }

    /** @return the code stored on disk */
    public int code() {
        return code;
    }

    /**
     * @param code a stored code
     * @return the type, or null if no type has this code
     */
    public static BlockType ofCode(int code) {
        for (BlockType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
