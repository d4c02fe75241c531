package io.kintsugi.engine;

import io.kintsugi.oplog.CorruptionReport;

import java.util.Arrays;
import java.util.Objects;

/**
 * A key range of one namespace that cannot be read because a block of a segment file is damaged. Reads in the range
 * throw {@code CorruptionException}; reads elsewhere keep working. The repair module uses these ranges to copy the
 * data back from a healthy replica.
 *
 * <p>The key bounds are the user's keys and are deliberately left out of {@link #toString()}.
 *
 * @param namespace  the namespace name
 * @param fromKey    first key of the damaged range, inclusive; null when the range starts with the namespace
 * @param toKey      last key of the damaged range, inclusive; null when the range runs to the end of the namespace
 * @param fileNumber the segment file that holds the damaged block
 * @param report     where and what the damage is
 */
public record DamagedRange(String namespace, byte[] fromKey, byte[] toKey, long fileNumber, CorruptionReport report) {

    /**
     * @throws NullPointerException if a component is null
     */
    public DamagedRange {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(report, "report");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DamagedRange d && namespace.equals(d.namespace) && fileNumber == d.fileNumber
                && Arrays.equals(fromKey, d.fromKey) && Arrays.equals(toKey, d.toKey)
                && report.offset() == d.report.offset();
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, fileNumber, report.offset());
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "DamagedRange{namespace=" + namespace + ", fileNumber=" + fileNumber + ", report="
                + report.describe() + '}';
    }
}
