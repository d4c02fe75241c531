package io.kintsugi.validation.faults;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a {@link FaultInjector} did and where, so that a test can check that the store names the same place when it
 * reports the damage. Metadata only: never key or value bytes.
 *
 * @param kind   what was done
 * @param file   the file or directory changed; for {@link FaultKind#LOGICAL_CORRUPTION} the store directory
 * @param offset where the structure the detector is expected to name starts: the data block's offset for a fault in
 *               a data block, the first changed byte for a raw region, the first record cut for a torn tail; -1 when
 *               a whole file or no file offset is concerned
 * @param length the length of that structure or region in bytes, or -1
 * @param detail the exact change, for failure messages (offsets, bit numbers, lengths; no user bytes)
 */
public record InjectedFault(FaultKind kind, Path file, long offset, long length, String detail) {

    /**
     * @throws NullPointerException if a reference component is null
     */
    public InjectedFault {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(detail, "detail");
    }
}
