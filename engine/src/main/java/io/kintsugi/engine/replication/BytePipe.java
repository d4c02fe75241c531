package io.kintsugi.engine.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded, one-way byte stream between two threads of one JVM: the in-process stand-in for one direction of a
 * TCP connection. A full pipe blocks the writer (backpressure); a read waits at most the read timeout and then
 * throws {@link SocketTimeoutException}, like a socket; closing ends the reader's stream once it is drained and
 * fails the writer.
 */
final class BytePipe {

    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    private int head;
    private int size;
    private boolean closed;
    private volatile long readTimeoutNanos;

    BytePipe(int capacity) {
        this.ring = new byte[capacity];
    }

    void readTimeoutNanos(long nanos) {
        this.readTimeoutNanos = nanos;
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            lock.lock();
            try {
                long timeout = readTimeoutNanos;
                long wait = timeout;
                while (size == 0) {
                    if (closed) {
                        return -1;
                    }
                    if (timeout == 0) {
                        readable.await();
                    } else {
                        if (wait <= 0) {
                            throw new SocketTimeoutException("in-process read timed out after "
                                    + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
                        }
                        wait = readable.awaitNanos(wait);
                    }
                }
                int n = Math.min(len, size);
                int first = Math.min(n, ring.length - head);
                System.arraycopy(ring, head, b, off, first);
                System.arraycopy(ring, 0, b, off + first, n - first);
                head = (head + n) % ring.length;
                size -= n;
                writable.signalAll();
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading an in-process pipe");
            } finally {
                lock.unlock();
            }
        }
    };

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
                while (len > 0) {
                    while (size == ring.length && !closed) {
                        writable.await();
                    }
                    if (closed) {
                        throw new IOException("in-process connection closed");
                    }
                    int tail = (head + size) % ring.length;
                    int n = Math.min(len, Math.min(ring.length - size, ring.length - tail));
                    System.arraycopy(b, off, ring, tail, n);
                    size += n;
                    off += n;
                    len -= n;
                    readable.signalAll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while writing an in-process pipe");
            } finally {
                lock.unlock();
            }
        }
    };
}
