package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.Oplog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Helpers shared by the manifest tests: file metadata, fake segment files, directory copies. */
final class ManifestFixtures {

    private ManifestFixtures() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Metadata of a file with a size and sequence range derived from its number. */
    static FileMetadata file(long number) {
        return file(number, 100 + number, number * 10, number * 10 + 9);
    }

    static FileMetadata file(long number, long size, long minSeq, long maxSeq) {
        return new FileMetadata(number, size, ascii("key-" + number + "-a"), ascii("key-" + number + "-z"), minSeq,
                maxSeq, maxSeq - minSeq + 1, (int) (0x9e3779b9L * number));
    }

    /** Writes a stand-in segment file of exactly {@code meta.size()} bytes. */
    static Path writeSegment(Path storeDir, FileMetadata meta) {
        Path p = storeDir.resolve(StoreFiles.segmentFileName(meta.fileNumber()));
        try {
            Files.write(p, new byte[(int) meta.size()]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Allocates a number, writes its stand-in file, and adds it with the given flushed sequence. */
    static FileMetadata flush(Manifest m, Path storeDir, long flushedSequence) {
        long n = m.allocateFileNumber();
        FileMetadata meta = file(n, 100 + n, Math.max(0, flushedSequence - 5), flushedSequence);
        writeSegment(storeDir, meta);
        m.apply(ManifestEdit.builder().addFile(meta).flushedSequence(flushedSequence).build());
        return meta;
    }

    static void copyDirectory(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals(Oplog.LOCK_FILE_NAME)) {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteDirectory(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
