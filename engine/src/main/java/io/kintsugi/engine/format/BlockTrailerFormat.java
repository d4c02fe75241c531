package io.kintsugi.engine.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.format.Crc32c;

import java.util.zip.CRC32C;

/**
 * The trailer that ends every block of a store segment file (data, filter, index, metadata and the footer), and
 * the checksum that protects the block.
 *
 * <p>A block on disk is its payload (stored bytes, compressed or not) followed by this trailer. Layout
 * (little-endian), {@value #LENGTH} bytes, offsets from the start of the trailer:
 * <pre>
 * offset size field
 *      0    1 type                {@link BlockType#code()}
 *      1    1 compression         {@link BlockCompression#code()}
 *      2    4 uncompressed length i32, the payload's length after decompression, 0..{@value #MAX_BLOCK_LENGTH};
 *                                 equal to the stored payload length when compression is NONE
 *      6    4 crc                 masked CRC32C (see {@link Crc32c}), see below
 * </pre>
 *
 * <p><b>What the CRC covers.</b> One running CRC32C over, in this order: the stored payload bytes (as on disk,
 * before any decompression), trailer bytes [0, 6) (type, compression, uncompressed length), and then the block's
 * <em>context</em>, which is not stored in the block: the file number as an i64 and the block's offset in the file
 * as an i64, both little-endian. The payload and the trailer fields are contiguous on disk, so this is the CRC of
 * block bytes [0, length - 4) followed by the 16 context bytes. Because the context is covered, a block that is
 * intact but read from another offset (two blocks swapped) or from another file (a file copied over another) fails
 * the check exactly like a flipped bit. The CRC is verified before a single payload byte is used or decompressed.
 */
public final class BlockTrailerFormat {

    public static final int TYPE_OFFSET = 0;
    public static final int COMPRESSION_OFFSET = TYPE_OFFSET + 1;
    public static final int UNCOMPRESSED_LENGTH_OFFSET = COMPRESSION_OFFSET + 1;
    public static final int CRC_OFFSET = UNCOMPRESSED_LENGTH_OFFSET + 4;
    /** Length of the trailer. */
    public static final int LENGTH = CRC_OFFSET + 4;
    /** Length of the context fed into the CRC after the trailer fields: file number and block offset. */
    public static final int CONTEXT_LENGTH = 8 + 8;

    /** The largest block, stored or uncompressed, that the format allows (1 GiB). */
    public static final int MAX_BLOCK_LENGTH = 1 << 30;

    private BlockTrailerFormat() {
    }

    /**
     * A verified trailer.
     *
     * @param type               the block's type
     * @param compression        how its payload is stored
     * @param uncompressedLength the payload's length after decompression
     */
    public record Trailer(BlockType type, BlockCompression compression, int uncompressedLength) {
    }

    /**
     * Appends the trailer to a sink that holds exactly the block's stored payload.
     *
     * @param block              the payload so far; the trailer is appended
     * @param type               the block's type
     * @param compression        how the payload is stored
     * @param uncompressedLength the payload's length after decompression
     * @param fileNumber         the file's number (context)
     * @param blockOffset        where the block starts in the file (context)
     */
    public static void append(ByteSink block, BlockType type, BlockCompression compression, int uncompressedLength,
                              long fileNumber, long blockOffset) {
        block.putByte(type.code());
        block.putByte(compression.code());
        block.putInt(uncompressedLength);
        block.putInt(checksum(block.array(), 0, block.size(), fileNumber, blockOffset));
    }

    /**
     * Computes the masked CRC a block must carry.
     *
     * @param buf         holds the block
     * @param from        index of the block's first byte in {@code buf}
     * @param covered     number of block bytes covered: the block's length minus 4
     * @param fileNumber  the file's number
     * @param blockOffset the block's offset in the file
     * @return the masked CRC32C of the covered bytes followed by the context
     */
    public static int checksum(byte[] buf, int from, int covered, long fileNumber, long blockOffset) {
        CRC32C crc = new CRC32C();
        crc.update(buf, from, covered);
        byte[] context = new byte[CONTEXT_LENGTH];
        for (int i = 0; i < 8; i++) {
            context[i] = (byte) (fileNumber >>> (8 * i));
            context[8 + i] = (byte) (blockOffset >>> (8 * i));
        }
        crc.update(context, 0, CONTEXT_LENGTH);
        return Crc32c.mask((int) crc.getValue());
    }

    /**
     * Verifies a block read from disk: first its CRC with the context of {@code location}, then its trailer
     * fields. Nothing else of the block may be used before this returns.
     *
     * @param block    the block's bytes, exactly {@code location.handle().length()} of them from index 0
     * @param location the file, number, expected type and handle of the block
     * @return the verified trailer
     * @throws CorruptionException if the checksum does not match, or the trailer names another type, an unknown
     *                             compression or an impossible length
     */
    public static Trailer verify(byte[] block, BlockLocation location) {
        int length = location.handle().length();
        if (length < LENGTH || length > block.length) {
            throw location.corruption(CorruptionKind.BAD_LENGTH,
                    "a block needs at least " + LENGTH + " bytes for its trailer; the handle says " + length);
        }
        int t = length - LENGTH;
        int stored = PayloadReader.getInt(block, t + CRC_OFFSET);
        int actual = checksum(block, 0, t + CRC_OFFSET, location.fileNumber(), location.handle().offset());
        if (stored != actual) {
            throw location.checksum(stored, actual);
        }
        int typeCode = block[t + TYPE_OFFSET] & 0xFF;
        BlockType type = BlockType.ofCode(typeCode);
        if (type != location.type()) {
            throw location.malformed(CorruptionKind.INVALID_CONTENT, "the trailer says block type "
                    + (type == null ? "code " + typeCode : type.name()) + ", expected " + location.type());
        }
        int compressionCode = block[t + COMPRESSION_OFFSET] & 0xFF;
        BlockCompression compression = BlockCompression.ofCode(compressionCode);
        if (compression == null) {
            throw location.malformed(CorruptionKind.INVALID_CONTENT, "unknown compression code " + compressionCode);
        }
        int uncompressed = PayloadReader.getInt(block, t + UNCOMPRESSED_LENGTH_OFFSET);
        if (uncompressed < 0 || uncompressed > MAX_BLOCK_LENGTH
                || (compression == BlockCompression.NONE && uncompressed != t)) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "uncompressed length " + uncompressed
                    + " is impossible for a " + compression + " payload of " + t + " bytes");
        }
        return new Trailer(type, compression, uncompressed);
    }
}
