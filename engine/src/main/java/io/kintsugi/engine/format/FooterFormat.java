package io.kintsugi.engine.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.FileHeader;
import io.kintsugi.oplog.format.FileKind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The footer: the fixed-size last block of every store segment file, found at {@code file size - }{@value #LENGTH}.
 * It says where the filter, index and metadata blocks are and carries the whole-file CRC.
 *
 * <p>Layout (little-endian), a {@value #PAYLOAD_LENGTH}-byte payload followed by a {@link BlockTrailerFormat block
 * trailer} of type {@link BlockType#FOOTER}, compression NONE, uncompressed length {@value #PAYLOAD_LENGTH};
 * offsets from the start of the footer:
 * <pre>
 * offset size field
 *      0   24 common header    {@link FileHeader}, kind {@link FileKind#STORE_SEGMENT}, the format version, owner id =
 *                              the store id: the magic and version again at the end of the file
 *     24    8 file number      i64, as in the file header
 *     32   12 filter handle    {@link BlockHandle}: i64 offset, i32 length
 *     44   12 index handle     {@link BlockHandle}
 *     56   12 metadata handle  {@link BlockHandle}
 *     68    4 whole-file crc   masked CRC32C of file bytes [0, footer offset): every byte before the footer
 *     72   10 block trailer    its CRC covers bytes [0, 78) of the footer, the file number and the footer offset
 * </pre>
 *
 * <p>The blocks lie back to back: header, data blocks, filter, index, metadata, footer. A reader checks that the
 * handles say exactly that: the filter starts after at least one data block, the index starts where the filter
 * ends, the metadata where the index ends, and the footer where the metadata ends.
 */
public final class FooterFormat {

    public static final int COMMON_HEADER_OFFSET = 0;
    public static final int FILE_NUMBER_OFFSET = COMMON_HEADER_OFFSET + FileHeader.LENGTH;
    public static final int FILTER_HANDLE_OFFSET = FILE_NUMBER_OFFSET + 8;
    public static final int INDEX_HANDLE_OFFSET = FILTER_HANDLE_OFFSET + BlockHandle.ENCODED_LENGTH;
    public static final int METADATA_HANDLE_OFFSET = INDEX_HANDLE_OFFSET + BlockHandle.ENCODED_LENGTH;
    public static final int WHOLE_FILE_CRC_OFFSET = METADATA_HANDLE_OFFSET + BlockHandle.ENCODED_LENGTH;
    /** Length of the footer's payload; its trailer starts here. */
    public static final int PAYLOAD_LENGTH = WHOLE_FILE_CRC_OFFSET + 4;
    /** Length of the whole footer block, trailer included. */
    public static final int LENGTH = PAYLOAD_LENGTH + BlockTrailerFormat.LENGTH;

    private FooterFormat() {
    }

    /**
     * A verified footer.
     *
     * @param filter             the filter block
     * @param index              the index block
     * @param metadata           the metadata block
     * @param maskedWholeFileCrc the stored, masked CRC32C of every byte before the footer
     */
    public record Footer(BlockHandle filter, BlockHandle index, BlockHandle metadata, int maskedWholeFileCrc) {
    }

    /**
     * Encodes a footer block.
     *
     * @param storeId            the store the file belongs to
     * @param fileNumber         the file's number
     * @param footer             the handles and the masked whole-file CRC
     * @param footerOffset       where the footer starts (context of its checksum)
     * @return the {@value #LENGTH} bytes of the footer block
     */
    public static byte[] encode(UUID storeId, long fileNumber, Footer footer, long footerOffset) {
        ByteBuffer b = ByteBuffer.allocate(PAYLOAD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        FileHeader.write(b, FileKind.STORE_SEGMENT, SegmentFileHeaderFormat.VERSION_CURRENT, storeId);
        b.putLong(FILE_NUMBER_OFFSET, fileNumber);
        putHandle(b, FILTER_HANDLE_OFFSET, footer.filter());
        putHandle(b, INDEX_HANDLE_OFFSET, footer.index());
        putHandle(b, METADATA_HANDLE_OFFSET, footer.metadata());
        b.putInt(WHOLE_FILE_CRC_OFFSET, footer.maskedWholeFileCrc());
        ByteSink sink = new ByteSink(LENGTH);
        sink.putBytes(b.array());
        BlockTrailerFormat.append(sink, BlockType.FOOTER, BlockCompression.NONE, PAYLOAD_LENGTH, fileNumber,
                footerOffset);
        return sink.toByteArray();
    }

    /**
     * Verifies and decodes the footer: its block checksum (with the file number and footer offset as context), then
     * magic, kind and version, store id and file number, then the placement of the handles.
     *
     * @param block      the last {@value #LENGTH} bytes of the file
     * @param file       the file, for reports
     * @param fileNumber the number the file must carry
     * @param storeId    the store the file must belong to
     * @param fileSize   the file's size; the footer starts at {@code fileSize - LENGTH}
     * @return the footer
     * @throws CorruptionException if the footer is damaged, foreign, carries another file number or holds
     *                             impossible handles
     * @throws io.kintsugi.oplog.UnsupportedFormatException if its version is not supported
     */
    public static Footer decode(byte[] block, Path file, long fileNumber, UUID storeId, long fileSize) {
        long footerOffset = fileSize - LENGTH;
        BlockLocation location = new BlockLocation(file, fileNumber, BlockType.FOOTER,
                new BlockHandle(footerOffset, LENGTH));
        BlockTrailerFormat.Trailer trailer = BlockTrailerFormat.verify(block, location);
        if (trailer.compression() != BlockCompression.NONE || trailer.uncompressedLength() != PAYLOAD_LENGTH) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "footer of " + trailer.uncompressedLength()
                    + " bytes stored with " + trailer.compression() + ", expected " + PAYLOAD_LENGTH
                    + " bytes stored uncompressed");
        }
        ByteBuffer b = ByteBuffer.wrap(block, 0, PAYLOAD_LENGTH).slice().order(ByteOrder.LITTLE_ENDIAN);
        UUID owner = FileHeader.check(b, file, FileKind.STORE_SEGMENT, SegmentFileHeaderFormat.VERSION_START,
                SegmentFileHeaderFormat.VERSION_CURRENT);
        SegmentFileHeaderFormat.checkOwner(owner, file, footerOffset, LENGTH, storeId, "footer");
        SegmentFileHeaderFormat.checkFileNumber(b.getLong(FILE_NUMBER_OFFSET), file, footerOffset, LENGTH,
                fileNumber, "footer");
        BlockHandle filter = getHandle(b, FILTER_HANDLE_OFFSET);
        BlockHandle index = getHandle(b, INDEX_HANDLE_OFFSET);
        BlockHandle metadata = getHandle(b, METADATA_HANDLE_OFFSET);
        int minBlock = BlockTrailerFormat.LENGTH;
        boolean placed = filter.offset() >= SegmentFileHeaderFormat.LENGTH + minBlock
                && filter.length() >= minBlock && index.length() >= minBlock && metadata.length() >= minBlock
                && filter.end() == index.offset() && index.end() == metadata.offset()
                && metadata.end() == footerOffset;
        if (!placed) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "handles filter " + filter + ", index " + index
                    + ", metadata " + metadata + " do not lie back to back between the data blocks and the footer at "
                    + footerOffset);
        }
        return new Footer(filter, index, metadata, b.getInt(WHOLE_FILE_CRC_OFFSET));
    }

    /**
     * @param maskedWholeFileCrc a stored whole-file CRC
     * @return the CRC32C it stands for
     */
    public static int unmaskedWholeFileCrc(int maskedWholeFileCrc) {
        return Crc32c.unmask(maskedWholeFileCrc);
    }

    private static void putHandle(ByteBuffer b, int at, BlockHandle h) {
        b.putLong(at, h.offset());
        b.putInt(at + 8, h.length());
    }

    private static BlockHandle getHandle(ByteBuffer b, int at) {
        return new BlockHandle(b.getLong(at), b.getInt(at + 8));
    }
}
