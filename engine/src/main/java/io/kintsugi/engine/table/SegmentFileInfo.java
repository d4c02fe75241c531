package io.kintsugi.engine.table;

import java.util.Objects;

/**
 * What a finished segment file holds, as the engine records it in its manifest. Arrays are not copied: callers
 * must not change them. Never prints key bytes.
 *
 * @param fileNumber   the number the engine gave the file
 * @param size         the file's size in bytes
 * @param smallestKey  the key of the file's first entry
 * @param largestKey   the key of the file's last entry
 * @param minSequence  the lowest sequence number of any entry
 * @param maxSequence  the highest sequence number of any entry
 * @param entryCount   the number of entries
 * @param wholeFileCrc the CRC32C (not masked) of every byte of the file before the footer; the footer stores it
 *                     masked and protects itself with its own checksum
 */
public record SegmentFileInfo(long fileNumber, long size, byte[] smallestKey, byte[] largestKey, long minSequence,
                              long maxSequence, long entryCount, int wholeFileCrc) {

    /**
     * @throws NullPointerException if a key is null
     */
    public SegmentFileInfo {
        Objects.requireNonNull(smallestKey, "smallestKey");
        Objects.requireNonNull(largestKey, "largestKey");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentFileInfo i && fileNumber == i.fileNumber && size == i.size
                && minSequence == i.minSequence && maxSequence == i.maxSequence && entryCount == i.entryCount
                && wholeFileCrc == i.wholeFileCrc && java.util.Arrays.equals(smallestKey, i.smallestKey)
                && java.util.Arrays.equals(largestKey, i.largestKey);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(fileNumber) * 31 + wholeFileCrc;
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return String.format("SegmentFileInfo{fileNumber=%d, size=%d, entries=%d, sequences=[%d, %d], "
                        + "smallestKeyLength=%d, largestKeyLength=%d, wholeFileCrc=0x%08x}", fileNumber, size,
                entryCount, minSequence, maxSequence, smallestKey.length, largestKey.length, wholeFileCrc);
    }
}
