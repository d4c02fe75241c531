package io.kintsugi.oplog;

/**
 * Counters of a log since it was opened.
 *
 * @param appends        records appended
 * @param appendedBytes  bytes of records (headers and payloads) written
 * @param writeBatches   batches the writer thread handled; each ends with at most one fdatasync
 * @param fsyncs         fdatasync calls on segments
 * @param segmentsRolled segments sealed because they reached the segment size
 * @param rejected       appends rejected (stale term, wrong sequence, failed log)
 */
public record OplogStats(long appends, long appendedBytes, long writeBatches, long fsyncs, long segmentsRolled,
                         long rejected) {
}
