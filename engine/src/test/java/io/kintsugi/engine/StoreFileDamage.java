package io.kintsugi.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Damages the files of a store directory in place for {@link StoreCorruptionTest}: flips a bit, overwrites a
 * region, truncates, appends, swaps two ranges, copies, deletes, and reads a whole directory tree into memory (for
 * fixtures and for checking what an open changed). Every change goes through positional writes on a
 * {@link FileChannel}, so it also works on a file an open store holds open. Nothing here prints file contents.
 */
final class StoreFileDamage {

    private StoreFileDamage() {
    }

    /** Inverts bit {@code bit} (0 = least significant) of the byte at {@code offset}. */
    static void flipBit(Path file, long offset, int bit) {
        byte[] b = read(file, offset, 1);
        b[0] ^= (byte) (1 << bit);
        overwrite(file, offset, b);
    }

    /** Writes {@code bytes} at {@code offset}; writing past the end extends the file. */
    static void overwrite(Path file, long offset, byte[] bytes) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Exchanges the {@code length} bytes at {@code a} with those at {@code b} (the ranges must not overlap). */
    static void swap(Path file, long a, long b, int length) {
        byte[] first = read(file, a, length);
        byte[] second = read(file, b, length);
        overwrite(file, a, second);
        overwrite(file, b, first);
    }

    /** Cuts the file to {@code size} bytes. */
    static void truncate(Path file, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file, long offset, int length) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new IllegalArgumentException("range beyond the end of " + file);
                }
            }
            return b.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copy(Path source, Path target) {
        try {
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a file, or a directory with everything in it. */
    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return every regular file under {@code root}, by path relative to it ('/' separated), with its content
     */
    static TreeMap<String, byte[]> readTree(Path root) {
        TreeMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(relative(root, p), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Writes {@code files} (relative path to content) under {@code root}, creating directories. */
    static void writeTree(Path root, Map<String, byte[]> files) {
        try {
            Files.createDirectories(root);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                write(root.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    /**
     * @return the byte ranges {@code [start, end)} in which {@code after} differs from {@code before}, a length
     *         change counting as a difference from the shorter length to the longer
     */
    static List<long[]> differences(byte[] before, byte[] after) {
        List<long[]> ranges = new ArrayList<>();
        int common = Math.min(before.length, after.length);
        int i = 0;
        while (i < common) {
            if (before[i] != after[i]) {
                int start = i;
                while (i < common && before[i] != after[i]) {
                    i++;
                }
                ranges.add(new long[] {start, i});
            } else {
                i++;
            }
        }
        if (before.length != after.length) {
            ranges.add(new long[] {common, Math.max(before.length, after.length)});
        }
        return ranges;
    }
}
