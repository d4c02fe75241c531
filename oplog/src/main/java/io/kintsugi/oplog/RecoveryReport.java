package io.kintsugi.oplog;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What opening a log found and did: how much it scanned, whether it created a new log, and whether it truncated a
 * torn tail (and how many bytes that dropped).
 *
 * @param directory              the log directory
 * @param logId                  the log's id
 * @param created                whether the directory held no log and a new one was created
 * @param segments               number of segments found
 * @param firstSequence          first retained sequence
 * @param lastSequence           last sequence found intact (firstSequence - 1 when the log is empty)
 * @param recordsScanned         records read and verified
 * @param tornTail               the torn tail that was truncated, if there was one
 * @param removedTemporaryFiles  temporary files of interrupted operations that were removed
 * @param finishedRetention      segments that an interrupted retention had released and that were now deleted
 */
public record RecoveryReport(
        Path directory, UUID logId, boolean created, int segments, long firstSequence, long lastSequence,
        long recordsScanned, Optional<TornTail> tornTail, List<Path> removedTemporaryFiles,
        List<Path> finishedRetention) {

    /**
     * A torn write at the end of the last segment: bytes of records that were never acknowledged, dropped on open.
     *
     * @param file              the segment that was truncated
     * @param offset            where it was truncated (the start of the first bad record)
     * @param bytesDropped      how many bytes were removed
     * @param lastValidSequence the last intact sequence before the tail
     * @param cause             why the first dropped record was unreadable
     */
    public record TornTail(Path file, long offset, long bytesDropped, long lastValidSequence, CorruptionKind cause) {
    }
}
