package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.StoreFiles;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the manifest records about one live segment file. The keys are internal keys (namespace prefix included);
 * they are never printed, only their lengths.
 *
 * <p>Arrays are not copied: callers must not change them after handing them over.
 *
 * @param fileNumber   the file's number, 1 to {@link StoreFiles#MAX_FILE_NUMBER}; names the file
 * @param size         the file's exact size in bytes, at least 1
 * @param smallestKey  the smallest key in the file (unsigned byte order)
 * @param largestKey   the largest key in the file, not smaller than {@code smallestKey}
 * @param minSequence  the lowest sequence number of an entry in the file, at least 0
 * @param maxSequence  the highest sequence number of an entry in the file, at least {@code minSequence}
 * @param entryCount   the number of entries in the file, at least 0
 * @param wholeFileCrc the file's whole-file CRC32C as the segment format defines it, unmasked (the footer stores it
 *                     masked)
 */
public record FileMetadata(long fileNumber, long size, byte[] smallestKey, byte[] largestKey, long minSequence,
                           long maxSequence, long entryCount, int wholeFileCrc) {

    /**
     * Checks each component against its limits.
     *
     * @throws IllegalArgumentException naming the limit a component violates
     * @throws NullPointerException     if a key is null
     */
    public FileMetadata {
        Objects.requireNonNull(smallestKey, "smallestKey");
        Objects.requireNonNull(largestKey, "largestKey");
        if (fileNumber < 1 || fileNumber > StoreFiles.MAX_FILE_NUMBER) {
            throw new IllegalArgumentException("file number must be between 1 and " + StoreFiles.MAX_FILE_NUMBER
                    + ", was " + fileNumber);
        }
        if (size < 1) {
            throw new IllegalArgumentException("file " + fileNumber + ": size must be at least 1, was " + size);
        }
        if (minSequence < 0 || maxSequence < minSequence) {
            throw new IllegalArgumentException("file " + fileNumber + ": sequence range must satisfy 0 <= min <= max,"
                    + " was [" + minSequence + ", " + maxSequence + "]");
        }
        if (entryCount < 0) {
            throw new IllegalArgumentException("file " + fileNumber + ": entry count must not be negative, was "
                    + entryCount);
        }
        if (Arrays.compareUnsigned(smallestKey, largestKey) > 0) {
            throw new IllegalArgumentException("file " + fileNumber
                    + ": smallest key sorts after largest key (unsigned byte order)");
        }
    }

    /** Compares the keys by content, not by identity. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FileMetadata f && fileNumber == f.fileNumber && size == f.size
                && minSequence == f.minSequence && maxSequence == f.maxSequence && entryCount == f.entryCount
                && wholeFileCrc == f.wholeFileCrc && Arrays.equals(smallestKey, f.smallestKey)
                && Arrays.equals(largestKey, f.largestKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fileNumber, size, minSequence, maxSequence, entryCount, wholeFileCrc,
                Arrays.hashCode(smallestKey), Arrays.hashCode(largestKey));
    }

    /** Metadata only: key bytes are never printed. */
    @Override
    public String toString() {
        return "FileMetadata{fileNumber=" + fileNumber + ", size=" + size + ", smallestKeyLength="
                + smallestKey.length + ", largestKeyLength=" + largestKey.length + ", sequences=[" + minSequence
                + ", " + maxSequence + "], entryCount=" + entryCount
                + String.format(", wholeFileCrc=0x%08x}", wholeFileCrc);
    }
}
