package io.kintsugi.engine;

import io.kintsugi.engine.format.ReplicationFrameFormat;
import io.kintsugi.engine.format.ReplicationFrameFormat.Frame;
import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.engine.replication.FollowerState;
import io.kintsugi.engine.replication.ReplicationConnection;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.ReplicationProtocolException;
import io.kintsugi.engine.replication.ReplicationProtocolException.Problem;
import io.kintsugi.engine.replication.ReplicationStatus;
import io.kintsugi.engine.replication.Role;
import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.SequenceMismatchException;
import io.kintsugi.oplog.StaleTermException;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A follower's side of replication: connects to the primary, authenticates it, compares term histories to find
 * where the logs agree, asks for the records after its last one, verifies each on arrival, appends it to its own
 * oplog with the same sequence and term (which applies it) and acknowledges it once durable. Reconnects after any
 * failure, with backoff, until told to stop; stops for good on divergence, on a primary that no longer retains what
 * it needs, or when its own store fails.
 */
final class FollowingSession {

    private static final Logger LOG = System.getLogger(FollowingSession.class.getName());

    /** What to do after a connection ends. */
    private enum Next { RETRY_NOW, RETRY_LATER, STOP }

    private final Replication replication;
    private final ReplicationOptions options;
    private final String endpoint;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile FrameChannel current;

    private volatile FollowerState state = FollowerState.CONNECTING;
    private volatile long primaryLastSequence = -1;
    private volatile long behindSinceNanos;
    private volatile long reconnects;
    private volatile String lastError;
    private volatile DivergenceReport divergence;
    /** The primary's term history as its WELCOME gave it when this store found its log diverged. */
    private volatile TermHistory primaryHistoryAtDivergence;

    FollowingSession(Replication replication, String endpoint) {
        this.replication = replication;
        this.options = replication.options;
        this.endpoint = endpoint;
        this.thread = new Thread(this::run, "kintsugi-repl-follow-" + endpoint);
        this.thread.setDaemon(true);
    }

    String endpoint() {
        return endpoint;
    }

    void start() {
        thread.start();
    }

    /** Stops and waits until no append of this session is in flight. */
    void stopAndJoin() {
        stopped = true;
        FrameChannel c = current;
        if (c != null) {
            c.close();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the divergence this session stopped at and the primary's history then, or null if it did not */
    Diverged diverged() {
        DivergenceReport d = divergence;
        return state == FollowerState.DIVERGED && d != null ? new Diverged(d, primaryHistoryAtDivergence, endpoint)
                : null;
    }

    /** A divergence, with what a rebase needs from the primary's handshake. */
    record Diverged(DivergenceReport report, TermHistory primaryHistory, String primaryEndpoint) {
    }

    ReplicationStatus status(Role role, long term, long lastSequence, String ownEndpoint) {
        long primaryLast = primaryLastSequence;
        long behind = behindSinceNanos;
        return new ReplicationStatus(role, term, lastSequence, ownEndpoint, state, endpoint, primaryLast,
                primaryLast < 0 ? 0 : Math.max(0, primaryLast - lastSequence),
                behind == 0 ? 0 : Math.max(0, (System.nanoTime() - behind) / 1_000_000), reconnects,
                replication.badFrames.get(), replication.protocolErrors.get(), lastError,
                Optional.ofNullable(divergence), List.of());
    }

    private void run() {
        Duration backoff = options.reconnectBackoff();
        boolean first = true;
        while (!stopped) {
            if (!first) {
                reconnects++;
            }
            first = false;
            Next next = connectOnce();
            if (next == Next.STOP || stopped) {
                break;
            }
            if (next == Next.RETRY_NOW) {
                backoff = options.reconnectBackoff();
            }
            if (!pause(backoff)) {
                break;
            }
            if (next == Next.RETRY_LATER) {
                backoff = backoff.multipliedBy(2);
                if (backoff.compareTo(options.maxReconnectBackoff()) > 0) {
                    backoff = options.maxReconnectBackoff();
                }
            }
        }
        if (state == FollowerState.STREAMING || state == FollowerState.CONNECTING) {
            state = FollowerState.IDLE;
        }
    }

    /** Sleeps in short steps so that a stop is noticed soon. @return false if stopped */
    private boolean pause(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        while (!stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(50, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private Next connectOnce() {
        if (state != FollowerState.NO_PRIMARY && state != FollowerState.AUTHENTICATION_FAILED) {
            state = FollowerState.CONNECTING;
        }
        ReplicationConnection connection;
        try {
            connection = options.transport().connect(endpoint, options.connectTimeout());
        } catch (IOException e) {
            lastError = "could not connect to " + endpoint + ": " + e.getMessage();
            return Next.RETRY_LATER;
        } catch (IllegalArgumentException e) {
            // A malformed endpoint never starts to work: say so instead of retrying forever.
            lastError = "cannot follow " + endpoint + ": " + e.getMessage();
            state = FollowerState.FAILED;
            LOG.log(Level.ERROR, "store " + replication.storeId + ": " + lastError);
            return Next.STOP;
        }
        FrameChannel channel = new FrameChannel(connection);
        current = channel;
        try {
            if (stopped) {
                return Next.STOP;
            }
            connection.readTimeout(options.peerTimeout());
            return converse(channel);
        } catch (ReplicationProtocolException e) {
            lastError = e.getMessage(); // before the count: status readers wait on counts
            replication.countRefused(e);
            LOG.log(Level.WARNING, "replication from " + endpoint + " to store " + replication.storeId
                    + ": dropped the connection: " + e.getMessage());
            reject(channel, ReplicationFrameFormat.REASON_PROTOCOL_ERROR, e.getMessage());
            return e.problem() == Problem.CHECKSUM_MISMATCH ? Next.RETRY_NOW : Next.RETRY_LATER;
        } catch (SocketTimeoutException e) {
            lastError = "no frame from the primary at " + endpoint + " for " + options.peerTimeout();
            return Next.RETRY_NOW;
        } catch (IOException e) {
            if (!stopped) {
                lastError = "connection to " + endpoint + " failed: " + e.getMessage();
            }
            return Next.RETRY_LATER;
        } catch (InterruptedException e) {
            return Next.STOP;
        } catch (RuntimeException e) { // its own store failed, or a defect: stop rather than guess
            if ((stopped || replication.closed()) && !(e instanceof CorruptionException)) {
                return Next.STOP; // the store closed under the session; damage is reported even then
            }
            lastError = "this store failed to apply replicated records: " + e.getMessage();
            state = FollowerState.FAILED;
            LOG.log(Level.ERROR, "store " + replication.storeId + " stops following " + endpoint + ": "
                    + lastError, e);
            return Next.STOP;
        } finally {
            channel.close();
            current = null;
        }
    }

    private Next converse(FrameChannel channel) throws IOException, InterruptedException {
        long helloTerm = replication.oplog.currentTerm();
        byte[] nonce = Authenticator.nonce();
        channel.send(ReplicationFrameFormat.hello(replication.storeId, helloTerm, nonce));
        Frame f = channel.receive(FrameChannel.HANDSHAKE_FRAME_LIMIT);
        if (f.type() == ReplicationFrameFormat.TYPE_REJECT) {
            return onReject(ReplicationFrameFormat.decodeReject(f.body()));
        }
        if (f.type() != ReplicationFrameFormat.TYPE_WELCOME) {
            throw new ReplicationProtocolException(Problem.UNEXPECTED, "expected WELCOME or REJECT after HELLO, got "
                    + ReplicationFrameFormat.typeName(f.type()));
        }
        ReplicationFrameFormat.Welcome w = ReplicationFrameFormat.decodeWelcome(f.body());
        if (w.protocolVersion() != ReplicationFrameFormat.PROTOCOL_VERSION) {
            throw new ReplicationProtocolException(Problem.UNSUPPORTED_VERSION, "the primary speaks replication "
                    + "protocol " + w.protocolVersion() + ", this store " + ReplicationFrameFormat.PROTOCOL_VERSION);
        }
        if (replication.auth.enabled()
                && !Authenticator.matches(replication.auth.welcomeProof(nonce, w.signedBody()), w.proof())) {
            lastError = "the store at " + endpoint + " did not prove it knows this store's replication secret";
            replication.protocolErrors.incrementAndGet();
            state = FollowerState.AUTHENTICATION_FAILED;
            LOG.log(Level.WARNING, lastError);
            reject(channel, ReplicationFrameFormat.REASON_AUTHENTICATION_FAILED, lastError);
            return Next.RETRY_LATER;
        }
        long myLast = replication.oplog.lastSequence();
        byte[] proof = replication.auth.fetchProof(w.nonce(), nonce, replication.storeId, helloTerm, myLast + 1);
        if (w.term() < helloTerm) {
            // Ask anyway, with proof: the stale primary checks the proof, steps down and says so.
            lastError = "the store at " + endpoint + " is primary of term " + w.term() + ", below term " + helloTerm
                    + " which this store has seen";
            state = FollowerState.NO_PRIMARY;
            channel.send(ReplicationFrameFormat.fetch(myLast + 1, proof));
            Frame answer = channel.receive(FrameChannel.HANDSHAKE_FRAME_LIMIT);
            if (answer.type() == ReplicationFrameFormat.TYPE_REJECT) {
                onReject(ReplicationFrameFormat.decodeReject(answer.body()));
            }
            state = FollowerState.NO_PRIMARY;
            return Next.RETRY_LATER;
        }
        if (w.term() > replication.oplog.currentTerm()) {
            replication.oplog.advanceTerm(w.term());
        }
        TermHistory mine = replication.terms.current();
        long agreed = mine.lastAgreement(myLast, w.history(), w.lastSequence());
        if (myLast > agreed) {
            primaryHistoryAtDivergence = w.history();
            divergence = DivergenceFinder.find(replication.oplog, replication.namespaces, agreed, myLast, w.primary(),
                    w.term());
            lastError = "this store's log " + divergence;
            state = FollowerState.DIVERGED;
            LOG.log(Level.ERROR, "store " + replication.storeId + " stops following " + endpoint + ": " + lastError);
            reject(channel, ReplicationFrameFormat.REASON_PROTOCOL_ERROR, "the follower's log diverged from the "
                    + "primary's after sequence " + agreed);
            return Next.STOP;
        }
        if (myLast + 1 < w.firstSequence()) {
            lastError = "the primary at " + endpoint + " retains sequences from " + w.firstSequence()
                    + " on, but this store needs " + (myLast + 1) + " next; it needs a resync, records are never "
                    + "skipped";
            state = FollowerState.NEEDS_RESYNC;
            LOG.log(Level.ERROR, "store " + replication.storeId + ": " + lastError);
            return Next.STOP;
        }
        channel.send(ReplicationFrameFormat.fetch(myLast + 1, proof));
        primaryLastSequence = Math.max(w.lastSequence(), myLast);
        state = FollowerState.STREAMING;
        return stream(channel, w, myLast + 1);
    }

    private Next stream(FrameChannel channel, ReplicationFrameFormat.Welcome w, long from)
            throws IOException, InterruptedException {
        long expected = from;
        TermHistory.Entry lastWriter = replication.terms.current().entryAt(from - 1);
        long lastTerm = lastWriter == null ? 0 : lastWriter.term();
        while (!stopped) {
            Frame f = channel.receive(options.maxFrameBytes());
            switch (f.type()) {
                case ReplicationFrameFormat.TYPE_RECORDS -> {
                    ReplicationFrameFormat.Records rs = ReplicationFrameFormat.decodeRecords(f.body());
                    lastTerm = checkOrder(rs.records(), expected, lastTerm, w);
                    apply(rs.records(), w.history());
                    expected += rs.records().size();
                    channel.send(ReplicationFrameFormat.ack(expected - 1));
                    noteProgress(rs.primaryLastSequence(), expected - 1);
                }
                case ReplicationFrameFormat.TYPE_HEARTBEAT -> {
                    ReplicationFrameFormat.Heartbeat h = ReplicationFrameFormat.decodeHeartbeat(f.body());
                    channel.send(ReplicationFrameFormat.ack(expected - 1));
                    noteProgress(h.primaryLastSequence(), expected - 1);
                }
                case ReplicationFrameFormat.TYPE_REJECT -> {
                    return onReject(ReplicationFrameFormat.decodeReject(f.body()));
                }
                default -> throw new ReplicationProtocolException(Problem.UNEXPECTED, "a primary may send RECORDS, "
                        + "HEARTBEAT or REJECT while streaming, not " + ReplicationFrameFormat.typeName(f.type()));
            }
        }
        return Next.STOP;
    }

    /** Checks a whole frame before any of it is applied. @return the term of its last record */
    private static long checkOrder(List<LogRecord> records, long expected, long lastTerm,
                                   ReplicationFrameFormat.Welcome w) {
        long seq = expected;
        long term = lastTerm;
        for (LogRecord r : records) {
            if (r.sequence() != seq) {
                throw new ReplicationProtocolException(Problem.OUT_OF_ORDER, "expected record " + seq
                        + " from the primary, got " + r.sequence());
            }
            if (r.term() < term || r.term() > w.term()) {
                throw new ReplicationProtocolException(Problem.OUT_OF_ORDER, "record " + r.sequence() + " has term "
                        + r.term() + "; it must be between the previous record's term " + term
                        + " and the primary's term " + w.term());
            }
            TermHistory.Entry writer = w.history().entryAt(r.sequence());
            if (writer == null || writer.term() != r.term()) {
                throw new ReplicationProtocolException(Problem.OUT_OF_ORDER, "record " + r.sequence() + " has term "
                        + r.term() + " but the primary's term history says term "
                        + (writer == null ? "none" : writer.term()) + " wrote that sequence");
            }
            term = r.term();
            seq++;
        }
        return term;
    }

    private void apply(List<LogRecord> records, TermHistory primaryHistory) throws InterruptedException {
        replication.maintenance.awaitFlushCapacity();
        CompletableFuture<Long> last = null;
        long recordedTerm = -1;
        for (LogRecord r : records) {
            if (r.term() != recordedTerm) {
                TermHistory.Entry writer = primaryHistory.entryAt(r.sequence());
                // Waits for earlier appends, so that the history never runs ahead of a record that could still fail.
                awaitAppend(last);
                try {
                    replication.terms.recordWriter(r.sequence(), r.term(), writer.primary());
                } catch (IllegalArgumentException e) {
                    throw new ReplicationProtocolException(Problem.OUT_OF_ORDER, "record " + r.sequence()
                            + " of term " + r.term() + " conflicts with this store's term history: "
                            + e.getMessage());
                }
                recordedTerm = r.term();
            }
            last = replication.oplog.appendAtAsync(r.sequence(), r.term(), r.type(), r.payload());
        }
        awaitAppend(last);
    }

    /** Waits, uninterruptibly, so that a stopping session never leaves an append of its own in flight. */
    private static void awaitAppend(CompletableFuture<Long> f) {
        if (f == null) {
            return;
        }
        try {
            f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof StaleTermException || c instanceof SequenceMismatchException) {
                throw new ReplicationProtocolException(Problem.OUT_OF_ORDER, "this store's oplog refused a "
                        + "replicated record: " + c.getMessage());
            }
            if (c instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("appending a replicated record failed: " + c, c);
        }
    }

    private void noteProgress(long primaryLast, long applied) {
        primaryLastSequence = Math.max(primaryLastSequence, primaryLast);
        if (primaryLastSequence > applied) {
            if (behindSinceNanos == 0) {
                behindSinceNanos = System.nanoTime();
            }
        } else {
            behindSinceNanos = 0;
        }
    }

    private Next onReject(ReplicationFrameFormat.Reject r) {
        lastError = "the store at " + endpoint + " refused: " + r.detail();
        switch (r.reason()) {
            case ReplicationFrameFormat.REASON_NOT_PRIMARY, ReplicationFrameFormat.REASON_STALE_TERM -> {
                state = FollowerState.NO_PRIMARY;
                return Next.RETRY_LATER;
            }
            case ReplicationFrameFormat.REASON_AUTHENTICATION_FAILED -> {
                state = FollowerState.AUTHENTICATION_FAILED;
                return Next.RETRY_LATER;
            }
            case ReplicationFrameFormat.REASON_NOT_RETAINED -> {
                state = FollowerState.NEEDS_RESYNC;
                return Next.STOP;
            }
            case ReplicationFrameFormat.REASON_UNSUPPORTED_VERSION -> {
                state = FollowerState.FAILED;
                return Next.STOP;
            }
            default -> {
                return Next.RETRY_LATER;
            }
        }
    }

    private void reject(FrameChannel channel, int reason, String detail) {
        try {
            channel.send(ReplicationFrameFormat.reject(reason, replication.oplog.currentTerm(), detail));
        } catch (IOException e) {
            // the primary is gone; it learns nothing more either way
        }
    }
}
