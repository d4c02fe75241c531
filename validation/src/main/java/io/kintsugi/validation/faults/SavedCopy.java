package io.kintsugi.validation.faults;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A copy of a store file or directory that {@link FaultInjector#saveCopy} took, to be put back later with
 * {@link FaultInjector#replaceWithStaleCopy} once the original has moved on.
 *
 * @param original the file or directory that was copied
 * @param copy     where the copy is, outside the store directory
 */
public record SavedCopy(Path original, Path copy) {

    /**
     * @throws NullPointerException if a component is null
     */
    public SavedCopy {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(copy, "copy");
    }
}
