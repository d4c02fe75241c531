package io.kintsugi.oplog;

import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Creates segment files so that a segment with its final name always has a complete, durable header: the header
 * is written to a temporary file, synced, and only then renamed into place.
 */
final class SegmentFiles {

    private SegmentFiles() {
    }

    /**
     * Creates the segment that starts at {@code firstSequence}.
     *
     * @return the new segment's path
     */
    static Path create(Path dir, UUID logId, long firstSequence) throws IOException {
        Path path = dir.resolve(SegmentHeaderFormat.fileName(firstSequence));
        Path tmp = dir.resolve(path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            FileSync.writeFully(ch, SegmentHeaderFormat.encode(logId, firstSequence), 0);
            ch.force(true);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        FileSync.syncDirectory(dir);
        return path;
    }
}
