package io.kintsugi.validation.scan;

import io.kintsugi.oplog.FileSync;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/** Reads and atomically replaces a store's {@value ScanStateFormat#FILE_NAME} file. */
final class ScanStateFile {

    private final Path file;
    private final UUID storeId;

    ScanStateFile(Path storeDir, UUID storeId) {
        this.file = storeDir.resolve(ScanStateFormat.FILE_NAME);
        this.storeId = storeId;
    }

    /** @return the saved state, if any; a damaged file is a {@link io.kintsugi.oplog.CorruptionException} */
    Optional<ScanState> load() {
        try {
            return Optional.of(ScanStateFormat.decode(Files.readAllBytes(file), file, storeId));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("could not read " + file + ": " + e, e);
        }
    }

    void save(ScanState s) {
        try {
            FileSync.replaceAtomically(file, ByteBuffer.wrap(ScanStateFormat.encode(storeId, s)));
        } catch (IOException e) {
            throw new StorageException("could not save the scan state to " + file + ": " + e, e);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageException("could not remove " + file + ": " + e, e);
        }
    }
}
