package io.kintsugi.oplog;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * A running delivery of log records to a {@link TailListener}, started by {@link Oplog#subscribe}. Close it to
 * stop; {@link #close()} waits for the delivery thread to finish.
 */
public final class TailSubscription implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TailSubscription.class.getName());
    private static final Duration WAIT = Duration.ofSeconds(1);

    private final LogState state;
    private final OplogTailer tailer;
    private final TailListener listener;
    private final Thread thread;
    private volatile boolean stopped;

    private TailSubscription(LogState state, OplogTailer tailer, TailListener listener) {
        this.state = state;
        this.tailer = tailer;
        this.listener = listener;
        this.thread = new Thread(this::run, "kintsugi-oplog-tail-" + state.dir.getFileName());
        thread.setDaemon(true);
    }

    static TailSubscription start(LogState state, OplogTailer tailer, TailListener listener) {
        TailSubscription s = new TailSubscription(state, tailer, listener);
        s.thread.start();
        return s;
    }

    /** @return the sequence of the next record to deliver */
    public long nextSequence() {
        return tailer.nextSequence();
    }

    /** @return whether the subscription is still delivering */
    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (!stopped) {
                LogRecord r = tailer.poll(WAIT, () -> stopped);
                if (r != null && !stopped) {
                    deliver(r);
                }
            }
        } catch (StorageException e) {
            if (!stopped) {
                listener.onError(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tailer.close();
        }
    }

    private void deliver(LogRecord r) {
        try {
            listener.onRecord(r);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "tail listener failed on record " + r.sequence() + "; stopping", e);
            throw new StorageException("tail listener failed on record " + r.sequence() + ": " + e, e);
        }
    }

    /** Stops delivery and waits for the delivery thread to finish. */
    @Override
    public void close() {
        stopped = true;
        state.wakeWaiters();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
