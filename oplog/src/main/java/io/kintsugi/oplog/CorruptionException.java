package io.kintsugi.oplog;

import java.util.Objects;

/**
 * Stored data failed a check: a checksum, a length, a header, a sequence rule. The {@link #report()} says which
 * file, where, how long and what kind of damage; it never carries payload bytes.
 *
 * <p>Corruption is never repaired by this exception's thrower by dropping data. Only the affected range stops
 * working; with replicas, the repair module can restore it from a healthy peer.
 */
public class CorruptionException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final transient CorruptionReport report;

    /**
     * @param report where and what the damage is
     */
    public CorruptionException(CorruptionReport report) {
        super(Objects.requireNonNull(report, "report").describe());
        this.report = report;
    }

    /**
     * @param report where and what the damage is
     * @param cause  an exception that parsing the damaged bytes raised, if any
     */
    public CorruptionException(CorruptionReport report, Throwable cause) {
        super(Objects.requireNonNull(report, "report").describe(), cause);
        this.report = report;
    }

    /**
     * @return the file, offset, length, kind and checksums of the damage
     */
    public CorruptionReport report() {
        return report;
    }
}
