package io.kintsugi.engine.format;

/**
 * How a block's payload is stored, as recorded in byte 1 of every {@link BlockTrailerFormat block trailer}. Codes
 * are part of the on-disk format: never reuse or renumber one.
 */
public enum BlockCompression {
    /** The payload is stored as it is. */
    NONE(0),
    /** The payload is one zstd frame that decompresses to the trailer's uncompressed length. */
    ZSTD(1);

    private final int code;

    BlockCompression(int code) {
        this.code = code;
    }

    /** @return the code stored on disk */
    public int code() {
        return code;
    }

    /**
     * @param code a stored code
     * @return the compression, or null if no compression has this code
     */
    public static BlockCompression ofCode(int code) {
        for (BlockCompression c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
