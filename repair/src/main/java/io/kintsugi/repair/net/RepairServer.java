package io.kintsugi.repair.net;

import io.kintsugi.engine.replication.ReplicationConnection;
import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves a replica's {@link RangeSource} to repair clients over TCP: range digests and range streams, each
 * connection authenticated with an HMAC challenge over a shared secret and served by one thread of a fixed pool.
 *
 * <pre>{@code
 * try (RepairServer server = RepairServer.start(source, RepairServerOptions.builder().secret(secret).build())) {
 *     publish(server.endpoint());   // "127.0.0.1:41234"
 *     ...
 * }
 * }</pre>
 *
 * <p>Listening and connections reuse the replication transport ({@link TcpTransport}): blocking sockets with read
 * timeouts and TCP's own flow control, so a slow client slows its stream rather than filling the server's memory.
 * A connection beyond {@link RepairServerOptions#maxConnections()} busy ones and
 * {@link RepairServerOptions#maxWaitingConnections()} waiting ones is answered with an ERROR frame (busy) and
 * closed.
 */
public final class RepairServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RepairServer.class.getName());

    private final RangeSource source;
    private final PullHandler puller;
    private final LineageHandler lineage;
    /** The repair service whose plans this server lists and decides; null when none is attached. */
    private volatile ApprovalHandler approvals;
    private final RepairServerOptions options;
    private final RepairAuthenticator authenticator;
    private final RepairSession.FrameTap tap;
    private final TcpTransport transport;
    private final ThreadPoolExecutor pool;
    private final Set<RepairSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicInteger served = new AtomicInteger();
    /** Kept from the start: the transport forgets its port once closed, and callers still name the server by it. */
    private volatile String endpoint;

    private RepairServer(RangeSource source, PullHandler puller, LineageHandler lineage, RepairServerOptions options,
                         RepairSession.FrameTap tap) {
        this.source = source;
        this.puller = puller;
        this.lineage = lineage;
        this.options = options;
        this.authenticator = new RepairAuthenticator(options.secret());
        this.tap = tap;
        this.transport = TcpTransport.bind(options.host(), options.port());
        AtomicInteger threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(options.maxConnections(), options.maxConnections(), 0L,
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(Math.max(1, options.maxWaitingConnections())),
                r -> {
                    Thread t = new Thread(r, "kintsugi-repair-serve-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Listens and starts serving.
     *
     * @param source  what this replica offers
     * @param options where to listen and how to serve
     * @return the running server; close it
     * @throws StorageException if the address cannot be listened on
     */
    public static RepairServer start(RangeSource source, RepairServerOptions options) {
        return start(source, null, null, options, null);
    }

    /**
     * Listens and starts serving, taking pull orders too ({@link RepairClient#pull}): the replica behind
     * {@code puller} fetches, checks and installs the ranges a coordinator tells it to.
     *
     * @param source  what this replica offers
     * @param puller  what this replica does with a pull order
     * @param options where to listen and how to serve
     * @return the running server; close it
     * @throws StorageException if the address cannot be listened on
     */
    public static RepairServer start(RangeSource source, PullHandler puller, RepairServerOptions options) {
        Objects.requireNonNull(puller, "puller");
        return start(source, puller, null, options, null);
    }

    /**
     * Listens and starts serving, taking pull orders and answering questions about this replica's lineage log
     * ({@link RepairClient#lineage}), so that a coordinator in another process can choose it as a source.
     *
     * @param source  what this replica offers
     * @param puller  what this replica does with a pull order
     * @param lineage what this replica answers about the copies it made
     * @param options where to listen and how to serve
     * @return the running server; close it
     * @throws StorageException if the address cannot be listened on
     */
    public static RepairServer start(RangeSource source, PullHandler puller, LineageHandler lineage,
                                     RepairServerOptions options) {
        Objects.requireNonNull(puller, "puller");
        Objects.requireNonNull(lineage, "lineage");
        return start(source, puller, lineage, options, null);
    }

    /** As {@link #start(RangeSource, RepairServerOptions)}, with a tap that sees every frame sent (tests). */
    static RepairServer start(RangeSource source, RepairServerOptions options, RepairSession.FrameTap tap) {
        return start(source, null, null, options, tap);
    }

    /** As {@link #start(RangeSource, RepairServerOptions)}, with a tap that sees every frame sent (tests). */
    private static RepairServer start(RangeSource source, PullHandler puller, LineageHandler lineage,
                                      RepairServerOptions options, RepairSession.FrameTap tap) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        RepairServer server = new RepairServer(source, puller, lineage, options, tap);
        try {
            server.transport.listen(server::accept);
            server.endpoint = server.transport.endpoint();
        } catch (IOException e) {
            server.pool.shutdownNow();
            throw new StorageException("the repair server could not listen on " + options.host() + ":"
                    + options.port() + ": " + e.getMessage(), e);
        }
        return server;
    }

    /** @return {@code host:port} that clients connect to; the actual port when 0 was asked for */
    public String endpoint() {
        return endpoint;
    }

    /** @return connections accepted and not yet ended */
    public int openConnections() {
        return sessions.size();
    }

    /** @return whether {@link #close()} has begun */
    public boolean isClosing() {
        return closing.get();
    }

    /** @return connections served to their end since the start */
    public int connectionsServed() {
        return served.get();
    }

    /**
     * Attaches the repair service whose waiting plans this server lists (PLANS requests) and approves or rejects
     * (DECIDE requests) for clients in other processes, such as {@code kintsugi repair plans}; or detaches it. The
     * requests are authenticated like every other; without a service attached they are answered with ERROR reason
     * {@link RepairFrameFormat#REASON_NO_REPAIR_SERVICE}. Takes effect for requests that arrive afterwards.
     *
     * @param handler the service's approvals ({@code RepairService.approvals()}), or null to detach
     */
    public void approvals(ApprovalHandler handler) {
        this.approvals = handler;
    }

    private void accept(ReplicationConnection connection) {
        RepairChannel channel = new RepairChannel(connection, "repair-client:" + connection.peer());
        if (closing.get()) {
            refuse(channel, RepairFrameFormat.REASON_SHUTTING_DOWN, "the repair server is closing");
            return;
        }
        RepairSession session = new RepairSession(channel, source, puller, lineage, () -> approvals, authenticator,
                options, closing::get, tap, ended -> {
                    sessions.remove(ended);
                    served.incrementAndGet();
                });
        sessions.add(session);
        try {
            if (options.maxWaitingConnections() == 0 && pool.getActiveCount() >= options.maxConnections()) {
                throw new RejectedExecutionException("no thread is free");
            }
            pool.execute(session);
        } catch (RejectedExecutionException e) {
            sessions.remove(session);
            refuse(channel, RepairFrameFormat.REASON_BUSY, "the repair server already serves "
                    + options.maxConnections() + " connections with " + options.maxWaitingConnections()
                    + " waiting (RepairServerOptions.maxConnections, maxWaitingConnections)");
        }
    }

    private static void refuse(RepairChannel channel, int reason, String detail) {
        try {
            channel.send(ErrorFrames.error(reason, detail));
        } catch (IOException e) {
            // Best effort: a client that cannot be told why sees the connection end.
            LOG.log(Level.FINE, "could not tell repair client " + channel.connection().peer() + " why: " + e);
        } finally {
            channel.close();
        }
    }

    /**
     * Stops listening, ends connections still waiting for a client's frame, lets streams under way stop at their
     * next chunk with an ERROR frame (shutting down) for up to {@link RepairServerOptions#closeGrace()}, then closes
     * whatever connection is left. Idempotent.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        transport.close();
        pool.shutdown();
        for (RepairSession s : sessions) {
            if (s.awaitingClient()) {
                s.channel().close();
            }
        }
        try {
            if (!pool.awaitTermination(options.closeGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                for (RepairSession s : sessions) {
                    s.channel().close();
                }
                pool.shutdownNow();
                pool.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            for (RepairSession s : sessions) {
                s.channel().close();
            }
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "RepairServer{" + endpoint() + ", open=" + openConnections() + '}';
    }
}
