package io.kintsugi.engine;

/**
 * Backpressure between writes and flushes: when too many sealed memtables wait for a flush, the thread that
 * applies writes waits (and with it every writer) until the flusher catches up, instead of letting memory grow
 * without bound. If the last flush failed, writes are not held back: the oplog keeps them durable and the failure
 * has been reported.
 */
final class FlushBacklog {

    private final int limit;
    private boolean lastFlushFailed;

    FlushBacklog(int limit) {
        this.limit = limit;
    }

    /** Waits while {@code versions} holds {@code limit} or more sealed memtables. */
    synchronized void awaitCapacity(VersionSet versions) {
        while (versions.current().immutables.size() >= limit && !lastFlushFailed) {
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Called by the flusher after each flush attempt. */
    synchronized void flushed(boolean failed) {
        lastFlushFailed = failed;
        notifyAll();
    }
}
