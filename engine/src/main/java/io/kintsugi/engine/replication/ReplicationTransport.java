package io.kintsugi.engine.replication;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * How replicas reach each other: {@link TcpTransport} between processes and machines, {@link InProcessNetwork}
 * between stores in one JVM (tests, the demo). A store listens on its transport for the whole time it is open, so
 * that followers can find it once it is promoted; followers connect to a primary's {@link #endpoint()}.
 *
 * <p>The interface is public so that tests can wrap a transport to cut connections or damage bytes.
 */
public interface ReplicationTransport extends Closeable {

    /**
     * Starts accepting connections. Each is handed to {@code acceptor}, which must return promptly (it runs on the
     * transport's accepting thread, or on the connecting thread in process) and serve the connection on a thread of
     * its own.
     *
     * @param acceptor receives every accepted connection
     * @throws IOException           if the endpoint cannot be bound
     * @throws IllegalStateException if already listening
     */
    void listen(Consumer<ReplicationConnection> acceptor) throws IOException;

    /** @return the address followers connect to, e.g. {@code 127.0.0.1:41234} or an in-process name */
    String endpoint();

    /**
     * Opens a connection to another store's endpoint.
     *
     * @param endpoint what that store's {@link #endpoint()} returned
     * @param timeout  how long to try
     * @return the connection
     * @throws IOException if nothing listens there or the attempt times out
     */
    ReplicationConnection connect(String endpoint, Duration timeout) throws IOException;

    /** Stops listening, so that {@link #listen} may be called again; connections already made stay open. */
    @Override
    void close();
}
