package io.kintsugi.repair.lineage;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.UnsupportedFormatException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Opens a lineage log without writing to the store. An oplog cannot be opened read-only (opening takes a lock file,
 * removes leftover temporary files and truncates a torn tail), so the log's files are copied to a temporary
 * directory and the copy is opened: the oplog's recovery checks every record exactly as a writable open would, and
 * whatever it changes, it changes in the copy. Damage it reports names the original files. The log is small (a few
 * hundred bytes per copy a replica ever made), so copying it is cheap. The copy is deleted on close.
 */
final class ReadOnlyLineageCopy {

    final Oplog log;
    private final Path copy;

    private ReadOnlyLineageCopy(Oplog log, Path copy) {
        this.log = log;
        this.copy = copy;
    }

    /**
     * @param original the lineage directory; it exists
     * @return the opened copy
     * @throws CorruptionException        if the log is damaged (naming the original files)
     * @throws UnsupportedFormatException if a file has a version this build cannot read
     * @throws StorageException           if the copy cannot be made
     */
    static ReadOnlyLineageCopy open(Path original) {
        Path copy;
        try {
            copy = Files.createTempDirectory("kintsugi-lineage-");
        } catch (IOException e) {
            throw new StorageException("could not create a temporary directory to read the lineage log " + original
                    + " without writing to it: " + e, e);
        }
        try {
            copyFiles(original, copy);
            Oplog log = Oplog.open(copy, OplogOptions.builder().durability(Durability.NONE)
                    .maxPayloadSize(LineageRecordFormat.MAX_ENCODED_LENGTH).build());
            return new ReadOnlyLineageCopy(log, copy);
        } catch (IOException e) {
            deleteQuietly(copy);
            throw new StorageException("could not copy the lineage log " + original + " to read it: " + e, e);
        } catch (CorruptionException e) {
            deleteQuietly(copy);
            CorruptionReport r = e.report();
            throw new CorruptionException(new CorruptionReport(rename(r.file(), copy, original), r.offset(),
                    r.length(), r.kind(), r.expected(), r.actual(), rename(r.detail(), copy, original)), e);
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

    /**
     * @param file a path the copy's oplog reported
     * @return the same file in the original directory
     */
    Path original(Path file, Path original) {
        return rename(file, copy, original);
    }

    /** Closes the copy and deletes it. */
    void close() {
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

    private static Path rename(Path file, Path copy, Path original) {
        return file.startsWith(copy) ? original.resolve(copy.relativize(file).toString()) : file;
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
