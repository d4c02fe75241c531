package io.kintsugi.engine.format;

/**
 * Where a block lies in a segment file: the offset of its first byte and its length on disk, payload and
 * {@link BlockTrailerFormat trailer} included.
 *
 * <p>Encoded (little-endian) as {@value #ENCODED_LENGTH} bytes: {@code i64 offset, i32 length}.
 *
 * @param offset byte offset of the block in the file
 * @param length number of bytes the block takes on disk, trailer included
 */
public record BlockHandle(long offset, int length) {

    /** Bytes an encoded handle takes. */
    public static final int ENCODED_LENGTH = 8 + 4;

    /** @return the offset just past the block */
    public long end() {
        return offset + length;
    }

    /** @return the length of the block's stored payload: its length without the trailer */
    public int payloadLength() {
        return length - BlockTrailerFormat.LENGTH;
    }
}
