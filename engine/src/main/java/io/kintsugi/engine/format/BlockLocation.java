package io.kintsugi.engine.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A block being read: which file, which block, where. Every corruption found in a block is reported through
 * this, so that each report names the file, the block's offset and length and the block's type.
 *
 * @param file       the segment file
 * @param fileNumber the number the engine gave the file (part of every block checksum's context)
 * @param type       the type of block expected at the handle
 * @param handle     where the block lies
 */
public record BlockLocation(Path file, long fileNumber, BlockType type, BlockHandle handle) {

    /**
     * @throws NullPointerException if a reference component is null
     */
    public BlockLocation {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handle, "handle");
    }

    /**
     * A corruption of this block other than a checksum mismatch.
     *
     * @param kind   the kind of damage
     * @param detail the values involved (metadata only)
     * @return the exception to throw
     */
    public CorruptionException corruption(CorruptionKind kind, String detail) {
        return new CorruptionException(CorruptionReport.of(file, handle.offset(), handle.length(), kind,
                describe() + ": " + detail));
    }

    /**
     * A block whose checksum passed but whose content breaks the format: a bug in the writer, or damage that the
     * checksum happened to miss. Either way the block is not used.
     *
     * @param kind   the kind of damage
     * @param detail the values involved (metadata only)
     * @return the exception to throw
     */
    public CorruptionException malformed(CorruptionKind kind, String detail) {
        return corruption(kind, detail + " (the block's checksum passed)");
    }

    /**
     * A checksum mismatch of this block.
     *
     * @param expected the stored masked CRC32C
     * @param actual   the masked CRC32C of the bytes found with this block's context
     * @return the exception to throw
     */
    public CorruptionException checksum(int expected, int actual) {
        return new CorruptionException(CorruptionReport.checksum(file, handle.offset(), handle.length(), expected,
                actual, describe() + ": block checksum mismatch (covers payload, trailer fields, file number and "
                        + "block offset, so a misplaced block fails too)"));
    }

    private String describe() {
        return type.name().toLowerCase(java.util.Locale.ROOT) + " block of segment file " + fileNumber;
    }
}
