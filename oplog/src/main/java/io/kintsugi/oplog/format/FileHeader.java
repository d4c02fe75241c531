package io.kintsugi.oplog.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.UnsupportedFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The fixed start of every Kintsugi file, and the only code that knows the magic number. File formats put their
 * own fields after it and end their header with a CRC32C that covers this part too, so the caller verifies that
 * CRC <em>before</em> calling {@link #check}: a damaged header is then reported as a checksum failure rather than as
 * a confusing version or kind error.
 *
 * <p>Layout (little-endian), {@value #LENGTH} bytes:
 * <pre>
 * offset size field
 *      0    4 magic     the bytes 'K' 'T' 'S' 'G'
 *      4    1 kind      {@link FileKind#code()}
 *      5    1 reserved  0
 *      6    2 version   format version of this file kind, unsigned
 *      8   16 owner id  the log or store this file belongs to: the UUID's most significant 64 bits, then its
 *                       least significant 64 bits, each as a little-endian long
 * </pre>
 */
public final class FileHeader {

    /** The magic number: the bytes "KTSG" read as a little-endian int. */
    public static final int MAGIC = 0x4753544B;

    public static final int MAGIC_OFFSET = 0;
    public static final int KIND_OFFSET = MAGIC_OFFSET + 4;
    public static final int RESERVED_OFFSET = KIND_OFFSET + 1;
    public static final int VERSION_OFFSET = RESERVED_OFFSET + 1;
    public static final int OWNER_ID_OFFSET = VERSION_OFFSET + 2;
    /** Length of the common header; format-specific fields start here. */
    public static final int LENGTH = OWNER_ID_OFFSET + 16;

    private FileHeader() {
    }

    /**
     * Writes the common header at absolute index 0 of {@code dst}.
     *
     * @param dst     a little-endian buffer of at least {@link #LENGTH} bytes
     * @param kind    the file's kind
     * @param version the format version to record
     * @param ownerId the log or store the file belongs to
     */
    public static void write(ByteBuffer dst, FileKind kind, int version, UUID ownerId) {
        requireLittleEndian(dst);
        dst.putInt(MAGIC_OFFSET, MAGIC);
        dst.put(KIND_OFFSET, (byte) kind.code());
        dst.put(RESERVED_OFFSET, (byte) 0);
        dst.putShort(VERSION_OFFSET, (short) version);
        dst.putLong(OWNER_ID_OFFSET, ownerId.getMostSignificantBits());
        dst.putLong(OWNER_ID_OFFSET + 8, ownerId.getLeastSignificantBits());
    }

    /**
     * Checks magic, kind and version of a header whose checksum has already been verified.
     *
     * @param src          a little-endian buffer holding the header at absolute index 0
     * @param file         the file, for reports
     * @param expectedKind the kind the file must have
     * @param minVersion   the oldest version this build reads
     * @param maxVersion   the newest version this build reads
     * @return the owner id recorded in the header
     * @throws CorruptionException         if the magic or the kind is wrong
     * @throws UnsupportedFormatException  if the version is outside {@code [minVersion, maxVersion]}
     */
    public static UUID check(ByteBuffer src, Path file, FileKind expectedKind, int minVersion, int maxVersion) {
        requireLittleEndian(src);
        int magic = src.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new CorruptionException(CorruptionReport.of(file, MAGIC_OFFSET, 4, CorruptionKind.BAD_MAGIC,
                    String.format("expected magic 0x%08x, found 0x%08x", MAGIC, magic)));
        }
        int kindCode = Byte.toUnsignedInt(src.get(KIND_OFFSET));
        if (kindCode != expectedKind.code()) {
            FileKind found = FileKind.ofCode(kindCode);
            throw new CorruptionException(CorruptionReport.of(file, KIND_OFFSET, 1, CorruptionKind.BAD_MAGIC,
                    "expected a file of kind " + expectedKind + " (code " + expectedKind.code() + "), found "
                            + (found == null ? "unknown kind code " + kindCode : found.toString())));
        }
        int version = Short.toUnsignedInt(src.getShort(VERSION_OFFSET));
        if (version < minVersion) {
            throw new UnsupportedFormatException(file + ": " + expectedKind + " format version " + version
                    + " is too old; this build reads versions " + minVersion + " to " + maxVersion);
        }
        if (version > maxVersion) {
            throw new UnsupportedFormatException(file + ": " + expectedKind + " format version " + version
                    + " is too new; this build reads versions " + minVersion + " to " + maxVersion
                    + " (was the file written by a newer Kintsugi?)");
        }
        return new UUID(src.getLong(OWNER_ID_OFFSET), src.getLong(OWNER_ID_OFFSET + 8));
    }

    private static void requireLittleEndian(ByteBuffer b) {
        if (b.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("file headers are little-endian; the buffer is " + b.order());
        }
    }
}
