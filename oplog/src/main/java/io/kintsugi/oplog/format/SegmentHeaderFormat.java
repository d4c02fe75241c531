package io.kintsugi.oplog.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The header at the start of every oplog segment file; records in {@link RecordFormat} follow it directly.
 *
 * <p>Layout (little-endian), {@value #LENGTH} bytes:
 * <pre>
 * offset size field
 *      0   24 common header  {@link FileHeader}, kind {@link FileKind#OPLOG_SEGMENT}, version {@value #VERSION_CURRENT}
 *     24    8 first sequence  the sequence number of the segment's first record, also encoded in the file name
 *     32    4 crc             masked CRC32C of bytes [0, 32)
 * </pre>
 *
 * <p>File names are {@code <first sequence as 20 decimal digits>.oplog}, so that a directory listing sorts
 * segments in log order and shows where each starts.
 */
public final class SegmentHeaderFormat {

    /**
     * The oldest version read. Version 1 (records without a header CRC) was never released; its files are rejected
     * as too old rather than misread.
     */
    public static final int VERSION_START = 2;
    /** The version written: records as {@link RecordFormat} defines them, with a header CRC. */
    public static final int VERSION_CURRENT = 2;

    public static final int FIRST_SEQUENCE_OFFSET = FileHeader.LENGTH;
    public static final int CRC_OFFSET = FIRST_SEQUENCE_OFFSET + 8;
    /** Length of the segment header; the first record starts here. */
    public static final int LENGTH = CRC_OFFSET + 4;

    /** File name suffix of segments. */
    public static final String SUFFIX = ".oplog";

    private SegmentHeaderFormat() {
    }

    /**
     * The decoded header.
     *
     * @param logId         the log the segment belongs to
     * @param firstSequence the sequence of the segment's first record
     */
    public record Header(UUID logId, long firstSequence) {
    }

    /**
     * @param logId         the log the segment belongs to
     * @param firstSequence the sequence of the segment's first record
     * @return a buffer holding the encoded header, positioned at 0
     */
    public static ByteBuffer encode(UUID logId, long firstSequence) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        FileHeader.write(b, FileKind.OPLOG_SEGMENT, VERSION_CURRENT, logId);
        b.putLong(FIRST_SEQUENCE_OFFSET, firstSequence);
        b.putInt(CRC_OFFSET, Crc32c.maskedOf(b, 0, CRC_OFFSET));
        return b;
    }

    /**
     * Verifies and decodes a segment header: checksum first, then magic, kind and version.
     *
     * @param src  a buffer holding {@link #LENGTH} bytes read from the start of the file (any byte order)
     * @param file the segment file, for reports
     * @return the decoded header
     * @throws CorruptionException if the header is damaged
     * @throws io.kintsugi.oplog.UnsupportedFormatException if its version is not supported
     */
    public static Header decode(ByteBuffer src, Path file) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < LENGTH) {
            throw new CorruptionException(CorruptionReport.of(file, 0, b.remaining(), CorruptionKind.TRUNCATED,
                    "segment header needs " + LENGTH + " bytes, the file holds " + b.remaining()));
        }
        b = b.slice().order(ByteOrder.LITTLE_ENDIAN).limit(LENGTH);
        int stored = b.getInt(CRC_OFFSET);
        int actual = Crc32c.maskedOf(b, 0, CRC_OFFSET);
        if (stored != actual) {
            throw new CorruptionException(CorruptionReport.checksum(file, 0, LENGTH, stored, actual,
                    "segment header checksum mismatch"));
        }
        UUID logId = FileHeader.check(b, file, FileKind.OPLOG_SEGMENT, VERSION_START, VERSION_CURRENT);
        return new Header(logId, b.getLong(FIRST_SEQUENCE_OFFSET));
    }

    /**
     * @param firstSequence the segment's first sequence
     * @return its file name
     */
    public static String fileName(long firstSequence) {
        return String.format("%020d%s", firstSequence, SUFFIX);
    }

    /**
     * @param fileName a file name
     * @return the first sequence it encodes, or -1 if it is not a segment file name
     */
    public static long parseFileName(String fileName) {
        if (fileName.length() != 20 + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < 20; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            int digit = c - '0';
            if (v > (Long.MAX_VALUE - digit) / 10) {
                return -1; // v * 10 + digit would overflow and could wrap around to a small positive value
            }
            v = v * 10 + digit;
        }
        return v;
    }
}
