package io.kintsugi.oplog.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The oplog's metadata file, {@value #FILE_NAME}: the log's identity, the highest term it has promised never to go
 * below, and which segments must exist. It lets the log notice segments that went missing from either end, which
 * the segments alone could not show, and keeps a term that was raised without any record being written.
 *
 * <p>The file is replaced atomically (write a temporary file, fsync, rename, fsync the directory) whenever
 * {@code advanceTerm} raises the term, a segment is added, or retention drops segments. A term raised by an
 * appended record lives in that record until the next segment is added, which copies it here, so that retention
 * can never delete the only evidence of a term.
 *
 * <p>Layout (little-endian), {@value #LENGTH} bytes:
 * <pre>
 * offset size field
 *      0   24 common header            {@link FileHeader}, kind {@link FileKind#OPLOG_METADATA},
 *                                      version {@value #VERSION_CURRENT}, owner id = the log id
 *     24    8 term                     the highest term raised by advanceTerm or found when a segment was added
 *     32    8 first retained sequence  first sequence of the oldest segment that must exist
 *     40    8 last segment sequence    first sequence of the newest segment known to exist
 *     48    4 crc                      masked CRC32C of bytes [0, 48)
 * </pre>
 */
public final class LogMetadataFormat {

    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = 1;

    public static final int TERM_OFFSET = FileHeader.LENGTH;
    public static final int FIRST_RETAINED_OFFSET = TERM_OFFSET + 8;
    public static final int LAST_SEGMENT_OFFSET = FIRST_RETAINED_OFFSET + 8;
    public static final int CRC_OFFSET = LAST_SEGMENT_OFFSET + 8;
    /** Length of the whole file. */
    public static final int LENGTH = CRC_OFFSET + 4;

    /** The metadata file's name inside the log directory. */
    public static final String FILE_NAME = "oplog.meta";

    private LogMetadataFormat() {
    }

    /**
     * The decoded metadata.
     *
     * @param logId                the log's identity
     * @param term                 the highest term the log has been told of
     * @param firstRetainedSequence first sequence of the oldest segment that must exist
     * @param lastSegmentSequence  first sequence of the newest segment known to exist
     */
    public record Metadata(UUID logId, long term, long firstRetainedSequence, long lastSegmentSequence) {
    }

    /**
     * @param m the metadata
     * @return a buffer holding the encoded file, positioned at 0
     */
    public static ByteBuffer encode(Metadata m) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        FileHeader.write(b, FileKind.OPLOG_METADATA, VERSION_CURRENT, m.logId());
        b.putLong(TERM_OFFSET, m.term());
        b.putLong(FIRST_RETAINED_OFFSET, m.firstRetainedSequence());
        b.putLong(LAST_SEGMENT_OFFSET, m.lastSegmentSequence());
        b.putInt(CRC_OFFSET, Crc32c.maskedOf(b, 0, CRC_OFFSET));
        return b;
    }

    /**
     * Verifies and decodes the file: size, checksum, then magic, kind and version.
     *
     * @param src  the whole file's bytes
     * @param file the file, for reports
     * @return the metadata
     * @throws CorruptionException if the file is damaged
     * @throws io.kintsugi.oplog.UnsupportedFormatException if its version is not supported
     */
    public static Metadata decode(ByteBuffer src, Path file) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() != LENGTH) {
            throw new CorruptionException(CorruptionReport.of(file, 0, b.remaining(),
                    b.remaining() < LENGTH ? CorruptionKind.TRUNCATED : CorruptionKind.BAD_LENGTH,
                    "oplog metadata must be exactly " + LENGTH + " bytes, the file holds " + b.remaining()));
        }
        b = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        int stored = b.getInt(CRC_OFFSET);
        int actual = Crc32c.maskedOf(b, 0, CRC_OFFSET);
        if (stored != actual) {
            throw new CorruptionException(CorruptionReport.checksum(file, 0, LENGTH, stored, actual,
                    "oplog metadata checksum mismatch"));
        }
        UUID logId = FileHeader.check(b, file, FileKind.OPLOG_METADATA, VERSION_START, VERSION_CURRENT);
        return new Metadata(logId, b.getLong(TERM_OFFSET), b.getLong(FIRST_RETAINED_OFFSET),
                b.getLong(LAST_SEGMENT_OFFSET));
    }
}
