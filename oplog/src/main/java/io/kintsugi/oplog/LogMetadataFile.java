package io.kintsugi.oplog;

import io.kintsugi.oplog.format.LogMetadataFormat;
import io.kintsugi.oplog.format.LogMetadataFormat.Metadata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The log's metadata file on disk and its current content. Updates are serialized and atomic.
 */
final class LogMetadataFile {

    private final Path path;
    private Metadata current;

    private LogMetadataFile(Path path, Metadata current) {
        this.path = path;
        this.current = current;
    }

    static Path pathIn(Path dir) {
        return dir.resolve(LogMetadataFormat.FILE_NAME);
    }

    /** Reads and verifies the metadata file of {@code dir}, or returns null if there is none. */
    static LogMetadataFile readIfExists(Path dir) throws IOException {
        Path p = pathIn(dir);
        if (!Files.exists(p)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(p);
        return new LogMetadataFile(p, LogMetadataFormat.decode(ByteBuffer.wrap(bytes), p));
    }

    /** Writes a new metadata file durably. */
    static LogMetadataFile create(Path dir, Metadata m) throws IOException {
        LogMetadataFile f = new LogMetadataFile(pathIn(dir), m);
        FileSync.replaceAtomically(f.path, LogMetadataFormat.encode(m));
        return f;
    }

    synchronized Metadata current() {
        return current;
    }

    /** Applies {@code change} and writes the result durably before returning it. */
    synchronized Metadata update(UnaryOperator<Metadata> change) {
        Metadata next = change.apply(current);
        if (next.equals(current)) {
            return current;
        }
        try {
            FileSync.replaceAtomically(path, LogMetadataFormat.encode(next));
        } catch (IOException e) {
            throw new StorageException("could not update the oplog metadata file " + path + ": " + e, e);
        }
        current = next;
        return next;
    }
}
