package io.kintsugi.engine;

import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.table.SegmentFileReader;

import java.nio.file.Path;

/**
 * A live segment file: its manifest entry and its open reader. Deleted from disk only once no version that a
 * reader, cursor or snapshot holds still lists it.
 */
final class SegmentFileHandle {

    private final FileMetadata metadata;
    private final SegmentFileReader reader;
    private final Path path;
    private volatile boolean excludedFromCompaction;

    SegmentFileHandle(FileMetadata metadata, SegmentFileReader reader, Path path) {
        this.metadata = metadata;
        this.reader = reader;
        this.path = path;
    }

    long number() {
        return metadata.fileNumber();
    }

    FileMetadata metadata() {
        return metadata;
    }

    SegmentFileReader reader() {
        return reader;
    }

    Path path() {
        return path;
    }

    long size() {
        return metadata.size();
    }

    /** A file found damaged is left out of automatic compactions until it is repaired. */
    void excludeFromCompaction() {
        excludedFromCompaction = true;
    }

    boolean isExcludedFromCompaction() {
        return excludedFromCompaction;
    }

    @Override
    public String toString() {
        return path.getFileName().toString();
    }
}
