package io.kintsugi.oplog;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where and how data was found damaged: the file, the byte range, the kind of damage and, for checksum failures,
 * the expected and actual checksums. A report never contains payload, key or value bytes.
 *
 * @param file     the damaged file
 * @param offset   byte offset in {@code file} where the damaged structure starts, or -1 when the whole file is
 *                 concerned (for example a missing file)
 * @param length   number of bytes of the damaged structure as far as it is known, or -1 when unknown
 * @param kind     what kind of damage was found
 * @param expected the checksum the file stores, when the kind is {@link CorruptionKind#CHECKSUM_MISMATCH}
 * @param actual   the checksum computed over the bytes found, when the kind is
 *                 {@link CorruptionKind#CHECKSUM_MISMATCH}
 * @param detail   a human-readable explanation with the values involved (metadata only)
 */
public record CorruptionReport(
        Path file, long offset, long length, CorruptionKind kind,
        OptionalLong expected, OptionalLong actual, String detail) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a reference component is null
     */
    public CorruptionReport {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * A report without checksums.
     *
     * @param file   the damaged file
     * @param offset where the damaged structure starts, or -1
     * @param length its length, or -1
     * @param kind   the kind of damage
     * @param detail explanation with the values involved
     * @return the report
     */
    public static CorruptionReport of(Path file, long offset, long length, CorruptionKind kind, String detail) {
        return new CorruptionReport(file, offset, length, kind, OptionalLong.empty(), OptionalLong.empty(), detail);
    }

    /**
     * A report of a checksum mismatch.
     *
     * @param file     the damaged file
     * @param offset   where the checksummed structure starts
     * @param length   its length in bytes
     * @param expected the stored checksum
     * @param actual   the checksum of the bytes found
     * @param detail   explanation with the values involved
     * @return the report
     */
    public static CorruptionReport checksum(Path file, long offset, long length, int expected, int actual,
                                            String detail) {
        return new CorruptionReport(file, offset, length, CorruptionKind.CHECKSUM_MISMATCH,
                OptionalLong.of(Integer.toUnsignedLong(expected)), OptionalLong.of(Integer.toUnsignedLong(actual)),
                detail);
    }

    /**
     * One line that names every field, with checksums in hex.
     *
     * @return the report as text
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(kind).append(" in ").append(file);
        if (offset >= 0) {
            sb.append(" at offset ").append(offset);
        }
        if (length >= 0) {
            sb.append(" (").append(length).append(" bytes)");
        }
        if (expected.isPresent() && actual.isPresent()) {
            sb.append(String.format(": expected checksum 0x%08x, actual 0x%08x",
                    expected.getAsLong(), actual.getAsLong()));
        }
        if (!detail.isEmpty()) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }
}
