package io.kintsugi.oplog;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A reader that waits for records that have not been written yet.
 *
 * <p>Not thread-safe: one tailer per thread.
 */
public final class OplogTailer implements AutoCloseable {

    private final LogState state;
    private final OplogReader reader;

    OplogTailer(LogState state, OplogReader reader) {
        this.state = state;
        this.reader = reader;
    }

    /** @return the sequence the next record will have */
    public long nextSequence() {
        return reader.nextSequence();
    }

    /**
     * Returns the next record, waiting up to {@code timeout} for it to be appended and made durable.
     *
     * @param timeout how long to wait at most
     * @return the next record, verified; or null if none arrived in time
     * @throws InterruptedException if interrupted while waiting
     * @throws CorruptionException  if the next record is damaged
     * @throws StorageException     if the log is closed or failed while waiting, or reading fails
     */
    public LogRecord poll(Duration timeout) throws InterruptedException {
        return poll(timeout, () -> false);
    }

    LogRecord poll(Duration timeout, BooleanSupplier cancelled) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            LogRecord r = reader.next();
            if (r != null) {
                return r;
            }
            if (state.failure() != null) {
                throw new StorageException("oplog " + state.dir + " failed; no more records will arrive: "
                        + state.failure().getMessage(), state.failure());
            }
            if (!state.awaitVisible(reader.nextSequence(), deadline, cancelled)) {
                state.ensureOpen();
                return null;
            }
        }
    }

    /** Releases the tailer's file handle. */
    @Override
    public void close() {
        reader.close();
    }
}
