package io.kintsugi.engine.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.FileHeader;
import io.kintsugi.oplog.format.FileKind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The header at the start of every store segment file; the first data block starts right after it.
 *
 * <p>Layout (little-endian), {@value #LENGTH} bytes:
 * <pre>
 * offset size field
 *      0   24 common header  {@link FileHeader}, kind {@link FileKind#STORE_SEGMENT}, version
 *                            {@value #VERSION_CURRENT}, owner id = the store id
 *     24    8 file number    i64, the number the engine gave the file; every block checksum covers it too
 *     32    4 crc            masked CRC32C of bytes [0, 32)
 * </pre>
 *
 * <p>{@link #VERSION_START} and {@link #VERSION_CURRENT} are the version range of the whole segment file format:
 * header, blocks and footer. The footer repeats the common header, so the version is checked at both ends.
 */
public final class SegmentFileHeaderFormat {

    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = 1;

    public static final int FILE_NUMBER_OFFSET = FileHeader.LENGTH;
    public static final int CRC_OFFSET = FILE_NUMBER_OFFSET + 8;
    /** Length of the header; the first data block starts here. */
    public static final int LENGTH = CRC_OFFSET + 4;

    private SegmentFileHeaderFormat() {
    }

    /**
     * @param storeId    the store the file belongs to
     * @param fileNumber the file's number
     * @return the encoded header, {@value #LENGTH} bytes
     */
    public static byte[] encode(UUID storeId, long fileNumber) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        FileHeader.write(b, FileKind.STORE_SEGMENT, VERSION_CURRENT, storeId);
        b.putLong(FILE_NUMBER_OFFSET, fileNumber);
        b.putInt(CRC_OFFSET, Crc32c.maskedOf(b, 0, CRC_OFFSET));
        return b.array();
    }

    /**
     * Verifies a header: checksum first, then magic, kind and version, then that it belongs to this store and
     * carries this file number.
     *
     * @param header             the first {@value #LENGTH} bytes of the file
     * @param file               the file, for reports
     * @param expectedStoreId    the store the file must belong to
     * @param expectedFileNumber the number the file must carry
     * @throws CorruptionException if the header is damaged ({@code CHECKSUM_MISMATCH}, {@code BAD_MAGIC}), belongs
     *                             to another store ({@code FOREIGN_FILE}) or carries another file number
     *                             ({@code BAD_HEADER}: a segment file in another file's place)
     * @throws io.kintsugi.oplog.UnsupportedFormatException if its version is not supported
     */
    public static void verify(byte[] header, Path file, UUID expectedStoreId, long expectedFileNumber) {
        if (header.length < LENGTH) {
            throw new CorruptionException(CorruptionReport.of(file, 0, header.length, CorruptionKind.TRUNCATED,
                    "segment file header needs " + LENGTH + " bytes, found " + header.length));
        }
        ByteBuffer b = ByteBuffer.wrap(header, 0, LENGTH).slice().order(ByteOrder.LITTLE_ENDIAN);
        int stored = b.getInt(CRC_OFFSET);
        int actual = Crc32c.maskedOf(b, 0, CRC_OFFSET);
        if (stored != actual) {
            throw new CorruptionException(CorruptionReport.checksum(file, 0, LENGTH, stored, actual,
                    "segment file header checksum mismatch (expected file number " + expectedFileNumber + ")"));
        }
        UUID owner = FileHeader.check(b, file, FileKind.STORE_SEGMENT, VERSION_START, VERSION_CURRENT);
        checkOwner(owner, file, 0, LENGTH, expectedStoreId, "header");
        long fileNumber = b.getLong(FILE_NUMBER_OFFSET);
        checkFileNumber(fileNumber, file, 0, LENGTH, expectedFileNumber, "header");
    }

    /**
     * @throws CorruptionException {@code FOREIGN_FILE} if {@code found} is not {@code expected}
     */
    static void checkOwner(UUID found, Path file, long offset, long length, UUID expected, String where) {
        if (!found.equals(expected)) {
            throw new CorruptionException(CorruptionReport.of(file, offset, length, CorruptionKind.FOREIGN_FILE,
                    "the segment file's " + where + " names store " + found + ", this store is " + expected));
        }
    }

    /**
     * @throws CorruptionException {@code BAD_HEADER} if {@code found} is not {@code expected}
     */
    static void checkFileNumber(long found, Path file, long offset, long length, long expected, String where) {
        if (found != expected) {
            throw new CorruptionException(CorruptionReport.of(file, offset, length, CorruptionKind.BAD_HEADER,
                    "the segment file's " + where + " carries file number " + found + ", expected " + expected
                            + " (a segment file in another file's place?)"));
        }
    }
}
