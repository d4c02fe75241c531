package io.kintsugi.oplog;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Opens a log without writing to its directory. An {@link Oplog} cannot be opened read-only: opening takes a lock
 * file, deletes leftover {@code .tmp} files, finishes an interrupted retention and truncates a torn tail. So the
 * log's files are copied to a temporary directory and the copy is opened: recovery checks every record exactly as a
 * writable open would, and whatever it would change, it changes in the copy. Damage it reports names the original
 * files. The copy is deleted on {@link #close()}. Meant for small logs kept beside a store (its health log, its
 * lineage log) that tools read while the store may be open in another process.
 */
public final class ReadOnlyLogCopy implements AutoCloseable {

    /** Attempts at a consistent copy when a live writer's retention deletes a segment while it is copied. */
    private static final int ATTEMPTS = 3;

    private final Oplog log;
    private final Path copy;
    private final Path original;

    private ReadOnlyLogCopy(Oplog log, Path copy, Path original) {
        this.log = log;
        this.copy = copy;
        this.original = original;
    }

    /**
     * @param original       the log directory; it exists
     * @param name           what the log is, for messages and the temporary directory's name ("health log")
     * @param maxPayloadSize the largest payload the log's records may hold
     * @return the opened copy
     * @throws CorruptionException        if the log is damaged (naming the original files)
     * @throws UnsupportedFormatException if a file has a version this build cannot read
     * @throws StorageException           if the copy cannot be made
     */
    public static ReadOnlyLogCopy open(Path original, String name, int maxPayloadSize) {
        for (int attempt = 1; ; attempt++) {
            Path copy;
            try {
                copy = Files.createTempDirectory("kintsugi-" + name.replace(' ', '-') + "-");
            } catch (IOException e) {
                throw new StorageException("could not create a temporary directory to read the " + name + " "
                        + original + " without writing to it: " + e, e);
            }
            try {
                copyFiles(original, copy);
                Oplog log = Oplog.open(copy, OplogOptions.builder().durability(Durability.NONE)
                        .maxPayloadSize(maxPayloadSize).build());
                return new ReadOnlyLogCopy(log, copy, original);
            } catch (NoSuchFileException e) {
                deleteQuietly(copy);
                if (attempt == ATTEMPTS) {
                    throw new StorageException("the " + name + " " + original + " kept changing while it was copied ("
                            + ATTEMPTS + " attempts): " + e, e);
                }
            } catch (IOException e) {
                deleteQuietly(copy);
                throw new StorageException("could not copy the " + name + " " + original + " to read it: " + e, e);
            } catch (CorruptionException e) {
                deleteQuietly(copy);
                throw renamed(e, copy, original);
            } catch (UnsupportedFormatException e) {
                deleteQuietly(copy);
                UnsupportedFormatException u = new UnsupportedFormatException(rename(e.getMessage(), copy, original));
                u.initCause(e);
                throw u;
            } catch (RuntimeException e) {
                deleteQuietly(copy);
                throw e;
            }
        }
    }

    /** @return the opened copy of the log */
    public Oplog log() {
        return log;
    }

    /**
     * @param file a path the copy's log reported
     * @return the same file in the original directory (other paths as they are)
     */
    public Path original(Path file) {
        return originalOf(file, copy, original);
    }

    /**
     * @param e damage the copy's log reported, opening or reading it
     * @return the same damage naming the original files, caused by {@code e}
     */
    public CorruptionException renamed(CorruptionException e) {
        return renamed(e, copy, original);
    }

    private static CorruptionException renamed(CorruptionException e, Path copy, Path original) {
        CorruptionReport r = e.report();
        return new CorruptionException(new CorruptionReport(originalOf(r.file(), copy, original), r.offset(),
                r.length(), r.kind(), r.expected(), r.actual(), rename(r.detail(), copy, original)), e);
    }

    /** Closes the copy and deletes it. */
    @Override
    public void close() {
        try {
            log.close();
        } finally {
            deleteQuietly(copy);
        }
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(from)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.equals(Oplog.LOCK_FILE_NAME) || name.endsWith(".tmp") || !Files.isRegularFile(p)) {
                    continue; // not part of the log's format; recovery would only delete them
                }
                Files.copy(p, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static Path originalOf(Path file, Path copy, Path original) {
        return file != null && file.startsWith(copy) ? original.resolve(copy.relativize(file).toString()) : file;
    }

    private static String rename(String text, Path copy, Path original) {
        return text == null ? "" : text.replace(copy.toString(), original.toString());
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a temporary file left behind is harmless
                }
            });
        } catch (IOException e) {
            // likewise
        }
    }
}
