package io.kintsugi.engine;

import io.kintsugi.engine.manifest.FileMetadata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The store's live segment files at one moment, kept on disk until this is closed: compaction may replace them
 * meanwhile, but deletes a replaced file only once nothing pins it, so that an online verify can read every file of
 * the set without blocking writers. Obtained from {@link Store#pinFiles()}; close it, or the files it pins stay on
 * disk until the store closes.
 */
public final class PinnedFiles implements AutoCloseable {

    /**
     * One pinned file.
     *
     * @param path     the file
     * @param metadata what the manifest records for it (number, size, keys, sequences, entry count, whole-file CRC)
     */
    public record PinnedFile(Path path, FileMetadata metadata) {
        /**
         * @throws NullPointerException if a component is null
         */
        public PinnedFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    private final Version version;
    private final UUID storeId;
    private final Path storeDir;
    private final List<PinnedFile> files;
    private final AtomicBoolean closed = new AtomicBoolean();

    PinnedFiles(Version version, UUID storeId, Path storeDir) {
        this.version = version;
        this.storeId = storeId;
        this.storeDir = storeDir;
        List<PinnedFile> list = new ArrayList<>(version.files.size());
        for (SegmentFileHandle h : version.files) {
            list.add(new PinnedFile(h.path(), h.metadata()));
        }
        list.sort((a, b) -> Long.compare(a.metadata().fileNumber(), b.metadata().fileNumber()));
        this.files = List.copyOf(list);
    }

    /** @return the pinned files, by ascending file number */
    public List<PinnedFile> files() {
        return files;
    }

    /** @return the id of the store the files belong to */
    public UUID storeId() {
        return storeId;
    }

    /** @return the store directory */
    public Path storeDirectory() {
        return storeDir;
    }

    /** Releases the files: those compaction replaced meanwhile may now be deleted. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            version.release();
        }
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "PinnedFiles{store=" + storeId + ", files=" + files.size() + ", closed=" + closed.get() + '}';
    }
}
