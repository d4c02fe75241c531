package io.kintsugi.engine.replication;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Replication between stores of one JVM, through bounded in-memory pipes instead of sockets: the same frames, the
 * same checks, no ports. Give every store of a replica set a transport of the same network:
 *
 * <pre>{@code
 * InProcessNetwork net = new InProcessNetwork();
 * StoreOptions a = StoreOptions.builder().replication(ReplicationOptions.builder(net.transport("a")).build()).build();
 * }</pre>
 */
public final class InProcessNetwork {

    /** Bytes each direction of a connection buffers before the writer blocks. */
    public static final int PIPE_CAPACITY = 1 << 20;

    private final Map<String, Consumer<ReplicationConnection>> listeners = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();

    /**
     * @param name the endpoint name other stores connect to; unique in this network
     * @return a transport that listens under {@code name} once its store opens
     */
    public ReplicationTransport transport(String name) {
        Objects.requireNonNull(name, "name");
        return new Transport(name);
    }

    private final class Transport implements ReplicationTransport {
        private final String name;
        private volatile boolean listening;

        Transport(String name) {
            this.name = name;
        }

        @Override
        public void listen(Consumer<ReplicationConnection> acceptor) throws IOException {
            if (listeners.putIfAbsent(name, acceptor) != null) {
                throw new IOException("in-process endpoint '" + name + "' is already taken");
            }
            listening = true;
        }

        @Override
        public String endpoint() {
            return name;
        }

        @Override
        public ReplicationConnection connect(String endpoint, Duration timeout) throws IOException {
            Consumer<ReplicationConnection> acceptor = listeners.get(endpoint);
            if (acceptor == null) {
                throw new ConnectException("nothing listens on in-process endpoint '" + endpoint + "'");
            }
            BytePipe toServer = new BytePipe(PIPE_CAPACITY);
            BytePipe toClient = new BytePipe(PIPE_CAPACITY);
            long id = connections.incrementAndGet();
            Connection client = new Connection(toClient, toServer, "in-process:" + endpoint + "#" + id);
            Connection server = new Connection(toServer, toClient, "in-process:" + name + "#" + id);
            acceptor.accept(server);
            return client;
        }

        @Override
        public void close() {
            if (listening) {
                listening = false;
                listeners.remove(name);
            }
        }

        @Override
        public String toString() {
            return "in-process:" + name;
        }
    }

    /** Two pipes, one per direction. */
    private static final class Connection implements ReplicationConnection {
        private final BytePipe in;
        private final BytePipe out;
        private final String peer;

        Connection(BytePipe in, BytePipe out, String peer) {
            this.in = in;
            this.out = out;
            this.peer = peer;
        }

        @Override
        public java.io.InputStream input() {
            return in.in;
        }

        @Override
        public java.io.OutputStream output() {
            return out.out;
        }

        @Override
        public void readTimeout(Duration timeout) {
            in.readTimeoutNanos(timeout.toNanos());
        }

        @Override
        public String peer() {
            return peer;
        }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }
}
