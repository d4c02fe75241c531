package io.kintsugi.engine;

/**
 * Iterates the live keys of a range in ascending unsigned byte order, as of one sequence number. Deleted keys are
 * skipped; each key appears once, with its newest value at that sequence.
 *
 * <pre>{@code
 * try (Cursor c = ns.scan(from, to)) {
 *     while (c.next()) {
 *         use(c.key(), c.value());
 *     }
 * }
 * }</pre>
 *
 * <p>Not thread-safe. A cursor holds the files it reads until it is closed: close it.
 */
public interface Cursor extends AutoCloseable {

    /**
     * Moves to the next key.
     *
     * @return false when the range is exhausted
     * @throws io.kintsugi.oplog.CorruptionException if the next entries lie in a damaged block
     * @throws io.kintsugi.oplog.StorageException    if the cursor or store is closed
     */
    boolean next();

    /**
     * @return the current key (a fresh array)
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    byte[] key();

    /**
     * @return the current value (a fresh array)
     * @throws IllegalStateException if {@link #next()} has not returned true
     */
    byte[] value();

    /**
     * What the cursor has cost so far: the key and value bytes of every stored version it stepped over, which is
     * the pairs it returned and also the older versions, tombstones and versions newer than its read point that it
     * skipped. A store with many versions of its keys costs more to scan than its live bytes say; a reader that
     * paces itself (the range-hash scanner) charges this.
     *
     * @return bytes stepped over since the cursor was opened, 0 or more
     */
    long bytesVisited();

    /** Releases the files the cursor holds. */
    @Override
    void close();
}
