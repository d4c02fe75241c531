package io.kintsugi.validation.faults;

import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Positional reads and writes of store files for {@link FaultInjector}. Every write goes through a
 * {@link FileChannel} and is forced to disk, so it also reaches a file that an open store holds open, and a store
 * opened afterwards sees it. Nothing here prints file contents.
 */
final class FileBytes {

    private FileBytes() {
    }

    /** @throws IllegalArgumentException if {@code file} is not an existing regular file */
    static long size(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(file + " is not an existing regular file");
        }
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new StorageException("cannot read the size of " + file, e);
        }
    }

    static byte[] read(Path file, long offset, int length) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new IllegalArgumentException("bytes [" + offset + ", " + (offset + length) + ") lie beyond"
                            + " the end of " + file);
                }
            }
            return b.array();
        } catch (IOException e) {
            throw new StorageException("cannot read " + length + " bytes at offset " + offset + " of " + file, e);
        }
    }

    static void overwrite(Path file, long offset, byte[] bytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
            ch.force(true);
        } catch (IOException e) {
            throw new StorageException("cannot write " + bytes.length + " bytes at offset " + offset + " of " + file,
                    e);
        }
    }

    static void truncate(Path file, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
        } catch (IOException e) {
            throw new StorageException("cannot truncate " + file + " to " + size + " bytes", e);
        }
    }

    /** Copies a regular file or a directory tree to {@code target}, which must not exist. */
    static void copy(Path source, Path target) {
        try {
            if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                return;
            }
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.copy(f, target.resolve(source.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new StorageException("cannot copy " + source + " to " + target, e);
        }
    }

    /** Deletes a regular file or a directory tree; a missing path is fine. */
    static void delete(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(path);
                return;
            }
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new StorageException("cannot delete " + path, e);
        }
    }
}
