package io.kintsugi.oplog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * File operations whose durability the log depends on: fsync of directories and atomic replacement of small files.
 */
public final class FileSync {

    private FileSync() {
    }

    /** Makes a directory's entries (creations, renames, deletions) durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Writes all of {@code src} at {@code position}, looping over short writes. */
    static void writeFully(FileChannel ch, ByteBuffer src, long position) throws IOException {
        long pos = position;
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
    }

    /**
     * Writes {@code content} to a temporary file, syncs it, renames it over {@code target} and syncs the directory,
     * so that after a crash {@code target} holds either its old or its new content, never a mix. The engine uses it
     * for its small whole-file formats too.
     *
     * @param target  the file to replace (or create)
     * @param content its new content, from position to limit
     * @throws IOException if a write, sync or rename fails
     */
    public static void replaceAtomically(Path target, ByteBuffer content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, content.duplicate(), 0);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.getParent());
    }
}
