package io.kintsugi.engine;

/**
 * Told of what happens inside a store: corruption found, flushes and compactions finished or failed. Events carry
 * metadata only (files, offsets, kinds, sequence numbers, namespace names), never key or value bytes, so they can be
 * shipped to monitoring as they are. Called on store threads (a reader's, or the background maintenance thread):
 * keep implementations quick and non-blocking, and do not call {@link Store#flush()}, {@link Store#compact()} or
 * {@link Store#close()} from them, since those wait for the maintenance thread that may be the caller.
 */
public interface StoreListener {

    /**
     * Called when a read, a flush or a compaction finds damaged data.
     *
     * @param event where and what
     */
    default void onCorruption(CorruptionEvent event) {
    }

    /**
     * Called when a memtable has been written to a segment file and recorded in the manifest.
     *
     * @param fileNumber        the new segment file
     * @param flushedSequence   the highest sequence now durable in segment files
     */
    default void onFlush(long fileNumber, long flushedSequence) {
    }

    /**
     * Called when a compaction has replaced its input files with its output.
     *
     * @param inputFiles  numbers of the files merged
     * @param outputFile  number of the file written, or -1 if the inputs held nothing live
     */
    default void onCompaction(java.util.List<Long> inputFiles, long outputFile) {
    }

    /**
     * Called when a background flush or compaction fails; the store keeps serving and the inputs are untouched.
     *
     * @param operation "flush" or "compaction"
     * @param error     the failure
     */
    default void onBackgroundFailure(String operation, io.kintsugi.oplog.StorageException error) {
    }
}
