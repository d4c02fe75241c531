package io.kintsugi.validation.verify;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The verdict on one file (or log directory) that verify examined.
 *
 * @param file      the file or directory
 * @param component the component it belongs to
 * @param status    OK, INCOMPLETE (not fully checked) or CORRUPT (at least one problem names it)
 * @param problems  how many problems name it
 */
public record FileVerdict(Path file, VerifyComponent component, VerifyStatus status, int problems) {
    /**
     * @throws NullPointerException     if a reference is null
     * @throws IllegalArgumentException if problems is negative
     */
    public FileVerdict {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(status, "status");
        if (problems < 0) {
            throw new IllegalArgumentException("problems must be >= 0, was " + problems);
        }
    }
}
