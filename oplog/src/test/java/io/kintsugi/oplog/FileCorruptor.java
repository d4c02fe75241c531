package io.kintsugi.oplog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Damages files in place for corruption tests: flips a bit, overwrites a region, truncates, appends, copies or
 * exchanges whole files. Every change goes through positional writes on a {@link FileChannel}, so it also works on
 * a file that an open log holds open. None of these methods prints or returns file contents except
 * {@link #snapshot}, whose result tests compare and never print.
 */
final class FileCorruptor {

    private FileCorruptor() {
    }

    /** Inverts bit {@code bit} (0 = least significant) of the byte at {@code offset}. */
    static void flipBit(Path file, long offset, int bit) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            if (ch.read(b, offset) != 1) {
                throw new IllegalArgumentException("offset " + offset + " is beyond the end of " + file);
            }
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            b.rewind();
            ch.write(b, offset);
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} at {@code offset}; writing past the end extends the file. */
    static void overwrite(Path file, long offset, byte[] bytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long pos = offset;
            while (b.hasRemaining()) {
                pos += ch.write(b, pos);
            }
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends {@code bytes} at the end of the file. */
    static void append(Path file, byte[] bytes) {
        overwrite(file, size(file), bytes);
    }

    /** Cuts the file to {@code size} bytes. */
    static void truncate(Path file, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the content of {@code target} with the content of {@code source}. */
    static void copyOver(Path source, Path target) {
        try {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Exchanges the contents of two files. */
    static void exchange(Path a, Path b) {
        try {
            Path tmp = a.resolveSibling(a.getFileName() + ".exchange");
            Files.move(a, tmp);
            Files.move(b, a);
            Files.move(tmp, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return every regular file in {@code dir} but the lock file, by name, with its content; for checking that an
     *         open that failed changed nothing
     */
    static Map<String, byte[]> snapshot(Path dir) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(Oplog.LOCK_FILE_NAME))
                    .forEach(p -> files.put(p.getFileName().toString(), read(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
