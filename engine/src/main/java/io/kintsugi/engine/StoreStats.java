package io.kintsugi.engine;

/**
 * A point-in-time view of a store's counters.
 *
 * @param segmentFiles      live segment files
 * @param segmentBytes      bytes of live segment files
 * @param memtableBytes     approximate bytes held in memtables (active and waiting for flush)
 * @param lastSequence      last sequence visible to reads
 * @param flushedSequence   highest sequence durable in segment files
 * @param cacheHits         block cache hits
 * @param cacheMisses       block cache misses (blocks read and verified from disk)
 * @param corruptionCount   corruption events since open
 * @param flushes           flushes since open
 * @param compactions       compactions since open
 */
public record StoreStats(int segmentFiles, long segmentBytes, long memtableBytes, long lastSequence,
                         long flushedSequence, long cacheHits, long cacheMisses, long corruptionCount, long flushes,
                         long compactions) {

    /** @return hits / (hits + misses), or 0 when nothing was read */
    public double cacheHitRate() {
        long total = cacheHits + cacheMisses;
        return total == 0 ? 0.0 : (double) cacheHits / total;
    }
}
