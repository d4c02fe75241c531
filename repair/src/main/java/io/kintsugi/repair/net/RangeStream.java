package io.kintsugi.repair.net;

/**
 * The pairs of one held range, in ascending unsigned key order, as a replica offers them to be streamed. Used like
 * a {@link io.kintsugi.engine.Cursor}; not thread-safe.
 */
public interface RangeStream extends AutoCloseable {

    /**
     * Moves to the next pair.
     *
     * @return false when the range is exhausted
     * @throws io.kintsugi.oplog.CorruptionException if the replica's copy of the next pairs is damaged
     */
    boolean next();

    /**
     * @return the current key
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    byte[] key();

    /**
     * @return the current value
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    byte[] value();

    /** Releases what the stream holds (a snapshot, files). */
    @Override
    void close();
}
