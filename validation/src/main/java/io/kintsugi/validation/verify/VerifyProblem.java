package io.kintsugi.validation.verify;

import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One piece of damage verify found. Metadata only: never key or value bytes.
 *
 * @param file      the damaged file (or directory, for a log or the store itself)
 * @param offset    where the damaged structure starts, or -1 when the whole file is concerned or it is unknown
 * @param kind      the kind of damage
 * @param component the component the file belongs to
 * @param message   what was found, with the values involved (sizes, sequences, checksums in hex)
 */
public record VerifyProblem(Path file, long offset, CorruptionKind kind, VerifyComponent component, String message) {
    /**
     * @throws NullPointerException if a reference is null
     */
    public VerifyProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(message, "message");
    }

    /**
     * @param component the component the damaged file belongs to
     * @param report    what the format classes reported
     * @return the problem, its message the report's detail followed by its checksums, if any
     */
    static VerifyProblem of(VerifyComponent component, CorruptionReport report) {
        String message = report.detail();
        if (report.expected().isPresent() && report.actual().isPresent()) {
            message += String.format(" (expected checksum 0x%08x, actual 0x%08x)", report.expected().getAsLong(),
                    report.actual().getAsLong());
        }
        if (report.length() >= 0) {
            message += " [" + report.length() + " bytes]";
        }
        return new VerifyProblem(report.file(), report.offset(), report.kind(), component, message);
    }
}
