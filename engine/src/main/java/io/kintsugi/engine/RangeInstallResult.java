package io.kintsugi.engine;

/**
 * What {@link Store#installRange} did.
 *
 * @param filesRewritten     live segment files replaced by a copy without the range's old entries (a copy that
 *                           would have been empty is not written)
 * @param entriesDropped     entries of the range at or below the image's sequence that were left out, including
 *                           those of blocks skipped unread
 * @param blocksSkipped      data blocks lying wholly inside the range, in files holding nothing newer than the
 *                           image, that were dropped without being read (damaged or not)
 * @param entriesInstalled   pairs of the image written as puts at the image's sequence; a pair whose key has a
 *                           newer write in the same file is not written, since no reader could see it
 * @param bytesWritten       the size of every segment file written
 */
public record RangeInstallResult(int filesRewritten, long entriesDropped, long blocksSkipped, long entriesInstalled,
                                 long bytesWritten) {
}
