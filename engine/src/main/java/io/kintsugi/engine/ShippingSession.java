package io.kintsugi.engine;

import io.kintsugi.engine.format.ReplicationFrameFormat;
import io.kintsugi.engine.format.ReplicationFrameFormat.Frame;
import io.kintsugi.engine.replication.ReplicationConnection;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.ReplicationProtocolException;
import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.OplogTailer;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.format.RecordFormat;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The primary's side of one follower's connection: answers the handshake, then streams the oplog from the sequence
 * the follower asks for, in batches, never more than {@link ReplicationOptions#maxUnacknowledgedRecords()} ahead of
 * its acknowledgements. A second thread reads the follower's acknowledgements.
 *
 * <p>Stops when the follower goes away, when the store stops being primary of the term the session began in, or
 * when the follower tells it of a higher term, which fences the store.
 */
final class ShippingSession {

    private static final Logger LOG = System.getLogger(ShippingSession.class.getName());

    private final Replication replication;
    private final ReplicationOptions options;
    private final FrameChannel channel;
    private final Thread sender;
    private volatile boolean stopped;
    private volatile UUID follower;
    private volatile Thread ackReader;

    ShippingSession(Replication replication, ReplicationConnection connection) {
        this.replication = replication;
        this.options = replication.options;
        this.channel = new FrameChannel(connection);
        this.sender = new Thread(this::run, "kintsugi-repl-ship-" + connection.peer());
        this.sender.setDaemon(true);
    }

    void start() {
        sender.start();
    }

    /** Asks the session to end; closing the connection unblocks its threads. */
    void stop() {
        stopped = true;
        channel.close();
    }

    void join() {
        try {
            sender.join(10_000);
            Thread a = ackReader;
            if (a != null) {
                a.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        String peer = channel.connection().peer();
        try {
            channel.connection().readTimeout(options.peerTimeout());
            handshakeAndStream();
        } catch (ReplicationProtocolException e) {
            replication.countRefused(e);
            LOG.log(Level.WARNING, "replication from store " + replication.storeId + " to " + peer
                    + " stopped: " + e.getMessage());
            reject(ReplicationFrameFormat.REASON_PROTOCOL_ERROR, e.getMessage());
        } catch (CorruptionException e) {
            // A damaged record in this primary's own oplog: never shipped, always reported.
            LOG.log(Level.ERROR, "replication from store " + replication.storeId + " to " + peer + " stopped at a "
                    + "damaged oplog record: " + e.report().describe());
            reject(ReplicationFrameFormat.REASON_PROTOCOL_ERROR, "the primary's oplog is damaged at the next record "
                    + "the follower needs: " + e.report().describe());
        } catch (IOException | StorageException e) {
            if (!stopped) {
                LOG.log(Level.DEBUG, () -> "replication to " + peer + " ended: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "replication from store " + replication.storeId + " to " + peer + " failed", e);
        } finally {
            stopped = true;
            channel.close();
            UUID id = follower;
            if (id != null) {
                replication.acks.disconnected(id);
            }
            replication.sessionEnded(this);
        }
    }

    private void handshakeAndStream() throws IOException, InterruptedException {
        Frame first = channel.receive(FrameChannel.HANDSHAKE_FRAME_LIMIT);
        if (first.type() != ReplicationFrameFormat.TYPE_HELLO) {
            throw new ReplicationProtocolException(ReplicationProtocolException.Problem.UNEXPECTED,
                    "expected HELLO as the first frame, got " + ReplicationFrameFormat.typeName(first.type()));
        }
        ReplicationFrameFormat.Hello hello = ReplicationFrameFormat.decodeHello(first.body());
        if (hello.protocolVersion() != ReplicationFrameFormat.PROTOCOL_VERSION) {
            reject(ReplicationFrameFormat.REASON_UNSUPPORTED_VERSION, "this primary speaks replication protocol "
                    + ReplicationFrameFormat.PROTOCOL_VERSION + ", the follower " + hello.protocolVersion());
            return;
        }
        String peer = channel.connection().peer();
        if (replication.role() != io.kintsugi.engine.replication.Role.PRIMARY) {
            reject(ReplicationFrameFormat.REASON_NOT_PRIMARY, "store " + replication.storeId
                    + " is not a primary: " + replication.notPrimary().getMessage());
            return;
        }
        long term = replication.primaryTerm();
        byte[] nonce = Authenticator.nonce();
        TermHistory history = replication.terms.current();
        byte[] signed = ReplicationFrameFormat.welcomeSignedBody(replication.storeId, term,
                replication.oplog.firstSequence(), replication.oplog.lastSequence(), nonce, history);
        channel.send(ReplicationFrameFormat.welcome(signed, replication.auth.welcomeProof(hello.nonce(), signed)));

        Frame second = channel.receive(FrameChannel.HANDSHAKE_FRAME_LIMIT);
        if (second.type() == ReplicationFrameFormat.TYPE_REJECT) {
            onFollowerReject(ReplicationFrameFormat.decodeReject(second.body()), hello.follower(), false);
            return;
        }
        if (second.type() != ReplicationFrameFormat.TYPE_FETCH) {
            throw new ReplicationProtocolException(ReplicationProtocolException.Problem.UNEXPECTED,
                    "expected FETCH after WELCOME, got " + ReplicationFrameFormat.typeName(second.type()));
        }
        ReplicationFrameFormat.Fetch fetch = ReplicationFrameFormat.decodeFetch(second.body());
        if (replication.auth.enabled() && !Authenticator.matches(replication.auth.fetchProof(nonce, hello.nonce(),
                hello.follower(), hello.followerTerm(), fetch.fromSequence()), fetch.proof())) {
            replication.protocolErrors.incrementAndGet();
            LOG.log(Level.WARNING, "replication peer " + peer + " (claiming to be store " + hello.follower()
                    + ") failed authentication: " + (fetch.proof().length == 0 ? "it sent no proof"
                    : "its proof does not match the shared secret"));
            reject(ReplicationFrameFormat.REASON_AUTHENTICATION_FAILED, "the follower's proof does not match this "
                    + "primary's shared secret");
            return;
        }
        if (hello.followerTerm() > term) {
            // Learned only now that the follower proved it holds the secret: no outsider can fence a primary.
            replication.fence(hello.followerTerm(), "follower " + hello.follower() + " at " + peer);
            reject(ReplicationFrameFormat.REASON_NOT_PRIMARY, "store " + replication.storeId + " was primary at term "
                    + term + " but the follower has seen term " + hello.followerTerm() + "; it takes no more writes");
            return;
        }
        long firstRetained = replication.oplog.firstSequence();
        if (fetch.fromSequence() < firstRetained) {
            reject(ReplicationFrameFormat.REASON_NOT_RETAINED, "the follower needs sequence " + fetch.fromSequence()
                    + " but this primary retains sequences from " + firstRetained + " on");
            return;
        }
        long last = replication.oplog.lastSequence();
        if (fetch.fromSequence() > last + 1) {
            throw new ReplicationProtocolException(ReplicationProtocolException.Problem.OUT_OF_ORDER,
                    "the follower asks for sequence " + fetch.fromSequence() + " but this primary's log ends at "
                            + last);
        }
        follower = hello.follower();
        replication.acks.connected(follower, peer, fetch.fromSequence() - 1);
        Thread reader = new Thread(this::readAcks, "kintsugi-repl-acks-" + peer);
        reader.setDaemon(true);
        ackReader = reader;
        reader.start();
        stream(fetch.fromSequence(), term);
    }

    private void stream(long from, long term) throws IOException, InterruptedException {
        Duration heartbeat = options.heartbeatInterval();
        int frameRoom = options.maxFrameBytes() - 64;
        try (OplogTailer tailer = replication.oplog.tailer(from)) {
            long next = from;
            LogRecord pending = null;
            while (!stopped && replication.isPrimaryAt(term)) {
                long windowStart = next - options.maxUnacknowledgedRecords();
                if (replication.acks.acked(follower) < windowStart) {
                    replication.acks.awaitAck(follower, windowStart, heartbeat);
                    if (replication.acks.acked(follower) < windowStart) {
                        continue; // still full; the acknowledgement reader ends the session if the follower died
                    }
                }
                LogRecord r = pending != null ? pending : tailer.poll(heartbeat);
                pending = null;
                if (r == null) {
                    channel.send(ReplicationFrameFormat.heartbeat(replication.oplog.lastSequence(), term));
                    continue;
                }
                List<LogRecord> batch = new ArrayList<>();
                batch.add(r);
                long bytes = RecordFormat.encodedLength(r.payload().length);
                long limit = Math.min(options.maxBatchRecords(),
                        replication.acks.acked(follower) + options.maxUnacknowledgedRecords() - next + 1);
                while (batch.size() < limit && bytes < options.maxBatchBytes()) {
                    LogRecord more = tailer.poll(Duration.ZERO);
                    if (more == null) {
                        break;
                    }
                    int size = RecordFormat.encodedLength(more.payload().length);
                    if (bytes + size > frameRoom) {
                        pending = more;
                        break;
                    }
                    batch.add(more);
                    bytes += size;
                }
                channel.send(ReplicationFrameFormat.records(replication.oplog.lastSequence(), batch));
                next += batch.size();
            }
        }
        if (!stopped && !replication.closed()) {
            reject(ReplicationFrameFormat.REASON_NOT_PRIMARY, "store " + replication.storeId + " is no longer primary "
                    + "of term " + term);
        }
    }

    private void readAcks() {
        try {
            while (!stopped) {
                Frame f = channel.receive(FrameChannel.HANDSHAKE_FRAME_LIMIT);
                switch (f.type()) {
                    case ReplicationFrameFormat.TYPE_ACK ->
                            replication.acks.acked(follower, ReplicationFrameFormat.decodeAck(f.body()));
                    case ReplicationFrameFormat.TYPE_REJECT -> {
                        onFollowerReject(ReplicationFrameFormat.decodeReject(f.body()), follower, true);
                        stop();
                    }
                    default -> throw new ReplicationProtocolException(ReplicationProtocolException.Problem.UNEXPECTED,
                            "a follower may send ACK or REJECT while streaming, not "
                                    + ReplicationFrameFormat.typeName(f.type()));
                }
            }
        } catch (IOException | StorageException e) {
            if (!stopped) {
                LOG.log(Level.DEBUG, () -> "replication acknowledgements from " + channel.connection().peer()
                        + " ended: " + e);
            }
        } finally {
            stop();
        }
    }

    /** @param authenticated whether the follower proved it knows the secret on this connection already */
    private void onFollowerReject(ReplicationFrameFormat.Reject r, UUID id, boolean authenticated) {
        if (authenticated && r.reason() == ReplicationFrameFormat.REASON_STALE_TERM
                && r.term() > replication.oplog.currentTerm()) {
            replication.fence(r.term(), "follower " + id + " at " + channel.connection().peer());
        } else {
            LOG.log(Level.INFO, () -> "follower " + id + " at " + channel.connection().peer() + " ended replication: "
                    + r.detail());
        }
    }

    private void reject(int reason, String detail) {
        try {
            channel.send(ReplicationFrameFormat.reject(reason, replication.oplog.currentTerm(), detail));
        } catch (IOException e) {
            // the peer is gone; it learns nothing more either way
        }
    }
}
