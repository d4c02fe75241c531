package io.kintsugi.validation.scan;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where a scan pass stands, saved after every batch so that it resumes after a restart: the pass's target, the
 * namespace it is in and the first key not yet covered, and the totals so far. Encoded by {@link ScanStateFormat}.
 * Its {@link #toString()} shows no key bytes.
 *
 * @param scanId           the pass
 * @param targetNamespace  the one namespace the pass covers, or null for all
 * @param targetFrom       the target's first key (empty for the start)
 * @param targetTo         the target's end key (exclusive), or null
 * @param currentNamespace the namespace the next batch starts in
 * @param nextFrom         the first key the next batch covers
 * @param batches          batches marked so far
 * @param keys             pairs hashed so far
 * @param bytes            key and value bytes hashed so far
 */
public record ScanState(long scanId, String targetNamespace, byte[] targetFrom, byte[] targetTo,
                        String currentNamespace, byte[] nextFrom, long batches, long keys, long bytes) {

    /** Checks the fields and copies the keys. */
    public ScanState {
        Objects.requireNonNull(targetFrom, "targetFrom");
        Objects.requireNonNull(currentNamespace, "currentNamespace");
        Objects.requireNonNull(nextFrom, "nextFrom");
        targetFrom = targetFrom.clone();
        targetTo = targetTo == null ? null : targetTo.clone();
        nextFrom = nextFrom.clone();
    }

    /** @return a copy of the target's first key */
    @Override
    public byte[] targetFrom() {
        return targetFrom.clone();
    }

    /** @return a copy of the target's end key, or null */
    @Override
    public byte[] targetTo() {
        return targetTo == null ? null : targetTo.clone();
    }

    /** @return a copy of the next batch's first key */
    @Override
    public byte[] nextFrom() {
        return nextFrom.clone();
    }

    /**
     * @param options a scan's options
     * @return whether this state is of a pass over the same target
     */
    public boolean sameTarget(ScanOptions options) {
        return Objects.equals(targetNamespace, options.namespace()) && Arrays.equals(targetFrom, options.from())
                && Arrays.equals(targetTo, options.to());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScanState s && scanId == s.scanId && Objects.equals(targetNamespace, s.targetNamespace)
                && Arrays.equals(targetFrom, s.targetFrom) && Arrays.equals(targetTo, s.targetTo)
                && currentNamespace.equals(s.currentNamespace) && Arrays.equals(nextFrom, s.nextFrom)
                && batches == s.batches && keys == s.keys && bytes == s.bytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scanId, currentNamespace, batches);
    }

    @Override
    public String toString() {
        return "ScanState{scan=" + Long.toHexString(scanId) + ", target=" + (targetNamespace == null ? "all"
                : targetNamespace) + ", at " + currentNamespace + " key of " + nextFrom.length + "B, batches="
                + batches + ", keys=" + keys + ", bytes=" + bytes + '}';
    }
}
