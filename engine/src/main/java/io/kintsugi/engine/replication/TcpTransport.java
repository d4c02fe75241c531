package io.kintsugi.engine.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Replication over TCP, with plain blocking {@link Socket}s and one thread per connection.
 *
 * <p>Why not Netty or non-blocking {@code java.nio}: a replica set has a handful of connections, each a single
 * ordered stream that a dedicated thread reads and writes in turn. Blocking sockets give read timeouts
 * ({@link Socket#setSoTimeout}, which blocking {@code SocketChannel}s ignore) for detecting a dead peer, and TCP's own
 * flow control as backpressure: a sender whose follower stops reading blocks in {@code write}. An event loop
 * would add a dependency and callbacks without serving more connections than a replica set has.
 *
 * <p>Binding to {@code 127.0.0.1} keeps replication on the machine; bind to a routable address, and set a shared
 * secret in {@link ReplicationOptions}, to replicate across machines. The secret authenticates peers; it does not
 * encrypt. Use a private network or a tunnel where traffic must be confidential.
 */
public final class TcpTransport implements ReplicationTransport {

    private static final int BUFFER = 64 << 10;

    private final InetSocketAddress bindAddress;
    private volatile ServerSocket server;
    private volatile Thread acceptor;

    private TcpTransport(InetSocketAddress bindAddress) {
        this.bindAddress = bindAddress;
    }

    /**
     * @param host address to listen on, e.g. {@code 127.0.0.1}
     * @param port port to listen on; 0 picks a free one, which {@link #endpoint()} then reports
     * @return the transport; it listens once the store opens
     */
    public static TcpTransport bind(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        return new TcpTransport(new InetSocketAddress(host, port));
    }

    @Override
    public synchronized void listen(Consumer<ReplicationConnection> accept) throws IOException {
        if (server != null) {
            throw new IllegalStateException("this transport already listens on " + endpoint());
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(bindAddress);
        server = s;
        Thread t = new Thread(() -> acceptLoop(s, accept), "kintsugi-repl-accept-" + s.getLocalPort());
        t.setDaemon(true);
        acceptor = t;
        t.start();
    }

    private static void acceptLoop(ServerSocket s, Consumer<ReplicationConnection> accept) {
        while (!s.isClosed()) {
            Socket socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                accept.accept(new TcpConnection(socket));
            } catch (IOException | UncheckedIOException e) {
                closeQuietly(socket);
            }
        }
    }

    @Override
    public String endpoint() {
        ServerSocket s = server;
        if (s == null) {
            return bindAddress.getHostString() + ":" + bindAddress.getPort();
        }
        InetAddress a = s.getInetAddress();
        return a.getHostAddress() + ":" + s.getLocalPort();
    }

    @Override
    public ReplicationConnection connect(String endpoint, Duration timeout) throws IOException {
        int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1) {
            throw new IllegalArgumentException("a TCP endpoint is host:port, was '" + endpoint + "'");
        }
        int port;
        try {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a TCP endpoint is host:port, was '" + endpoint + "'", e);
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(endpoint.substring(0, colon), port),
                    (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
            return new TcpConnection(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        ServerSocket s = server;
        if (s != null) {
            closeQuietly(s);
        }
        server = null; // a store reopened with the same options listens again
        Thread t = acceptor;
        acceptor = null;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing to give up; the socket is unusable either way
        }
    }

    @Override
    public String toString() {
        return "tcp:" + endpoint();
    }

    /** A connected socket with buffered streams. */
    private static final class TcpConnection implements ReplicationConnection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final String peer;

        TcpConnection(Socket socket) throws IOException {
            this.socket = socket;
            socket.setTcpNoDelay(true); // frames are flushed whole; Nagle would only add latency to acks
            socket.setKeepAlive(true);
            this.in = new BufferedInputStream(socket.getInputStream(), BUFFER);
            this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
            this.peer = socket.getRemoteSocketAddress().toString();
        }

        @Override
        public InputStream input() {
            return in;
        }

        @Override
        public OutputStream output() {
            return out;
        }

        @Override
        public void readTimeout(Duration timeout) throws SocketException {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        }

        @Override
        public String peer() {
            return peer;
        }

        @Override
        public void close() {
            closeQuietly(socket);
        }
    }
}
