package io.kintsugi.engine.replication;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * One two-way byte stream between two replicas. Reads that wait longer than the read timeout throw
 * {@link java.net.SocketTimeoutException}; closing from either side makes the other side's reads end and its
 * writes fail.
 */
public interface ReplicationConnection extends Closeable {

    /** @return the stream of bytes from the peer */
    InputStream input();

    /** @return the stream of bytes to the peer; writes block while the peer is not reading (backpressure) */
    OutputStream output();

    /**
     * @param timeout how long a read may wait for bytes; zero waits forever
     * @throws IOException if the connection is closed
     */
    void readTimeout(Duration timeout) throws IOException;

    /** @return the peer's address, for status and messages */
    String peer();

    /** Closes both directions; idempotent. */
    @Override
    void close();
}
