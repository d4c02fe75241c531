package io.kintsugi.oplog;

import java.nio.file.Path;

/**
 * One segment file of the log as the log knows it in memory: where it is, which sequence it starts at, an index
 * into it, and, once sealed, its final size and last sequence.
 */
final class Segment {

    private final Path path;
    private final long firstSequence;
    private final SparseIndex index = new SparseIndex();
    private volatile long sealedSize = -1;
    private volatile long sealedLastSequence = -1;

    Segment(Path path, long firstSequence) {
        this.path = path;
        this.firstSequence = firstSequence;
    }

    Path path() {
        return path;
    }

    long firstSequence() {
        return firstSequence;
    }

    SparseIndex index() {
        return index;
    }

    /** Records the final size and last sequence; after this the segment never changes. */
    void seal(long size, long lastSequence) {
        this.sealedLastSequence = lastSequence;
        this.sealedSize = size;
    }

    boolean isSealed() {
        return sealedSize >= 0;
    }

    /** @return the final size, or -1 while the segment is active */
    long sealedSize() {
        return sealedSize;
    }

    /** @return the last sequence, or -1 while the segment is active */
    long sealedLastSequence() {
        return sealedLastSequence;
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
