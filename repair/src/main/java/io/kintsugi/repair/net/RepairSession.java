package io.kintsugi.repair.net;

import io.kintsugi.engine.RangeEntry;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.net.RepairFrameFormat.Frame;
import io.kintsugi.validation.scan.RangeHasher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves one repair connection on the server: the handshake, then one request. Whatever goes wrong ends the
 * connection, with an ERROR frame saying why when the connection still works.
 */
final class RepairSession implements Runnable {

    private static final Logger LOG = Logger.getLogger(RepairSession.class.getName());

    /** Lets a test alter a frame just before it is sent (a damaged chunk, a lying end frame). */
    interface FrameTap {
        byte[] beforeSend(int type, byte[] frame);
    }

    private final RepairChannel channel;
    private final RangeSource source;
    /** What this replica does when told to pull; null when it does not take pull orders. */
    private final PullHandler puller;
    /** What this replica answers about its lineage log; null when it serves none. */
    private final LineageHandler lineage;
    /** The repair service's plans as of now; null when no service is attached to the server. */
    private final Supplier<ApprovalHandler> approvals;
    private final RepairAuthenticator authenticator;
    private final RepairServerOptions options;
    private final BooleanSupplier closing;
    private final FrameTap tap;
    private final Consumer<RepairSession> onEnd;
    /** True while the session waits for the client: a closing server may end it at once. */
    private volatile boolean awaitingClient = true;

    RepairSession(RepairChannel channel, RangeSource source, PullHandler puller, LineageHandler lineage,
                  Supplier<ApprovalHandler> approvals, RepairAuthenticator authenticator, RepairServerOptions options,
                  BooleanSupplier closing, FrameTap tap, Consumer<RepairSession> onEnd) {
        this.channel = channel;
        this.source = source;
        this.puller = puller;
        this.lineage = lineage;
        this.approvals = approvals;
        this.authenticator = authenticator;
        this.options = options;
        this.closing = closing;
        this.tap = tap;
        this.onEnd = onEnd;
    }

    boolean awaitingClient() {
        return awaitingClient;
    }

    RepairChannel channel() {
        return channel;
    }

    @Override
    public void run() {
        String peer = channel.connection().peer();
        try {
            serve();
        } catch (RepairProtocolException | CorruptionException e) {
            LOG.log(Level.WARNING, "repair client " + peer + " sent a bad frame: " + e.getMessage());
            sendQuietly(ErrorFrames.error(RepairFrameFormat.REASON_PROTOCOL_ERROR, e.getMessage()));
        } catch (IOException e) {
            LOG.log(Level.FINE, "repair connection from " + peer + " ended: " + e);
        } catch (StorageException | IllegalArgumentException | IllegalStateException e) {
            // The source failed outside a stream (digestAt) or was interrupted by a forced close.
            LOG.log(Level.WARNING, "serving repair client " + peer + " failed: " + e.getMessage());
            sendQuietly(ErrorFrames.error(RepairFrameFormat.REASON_SOURCE_FAILED, e.getMessage()));
        } finally {
            channel.close();
            onEnd.accept(this);
        }
    }

    private void serve() throws IOException {
        channel.connection().readTimeout(options.requestTimeout());
        Frame f = channel.receive(RepairFrameFormat.HANDSHAKE_FRAME_BYTES);
        expect(f, RepairFrameFormat.TYPE_HELLO, "HELLO");
        HandshakeFrames.Hello hello = HandshakeFrames.decodeHello(f.body());
        if (hello.protocolVersion() != RepairFrameFormat.PROTOCOL_VERSION) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_UNSUPPORTED_VERSION, "this server speaks repair "
                    + "protocol version " + RepairFrameFormat.PROTOCOL_VERSION + ", the client "
                    + hello.protocolVersion()));
            return;
        }
        byte[] nonce = RepairAuthenticator.nonce();
        byte[] signed = HandshakeFrames.welcomeSignedBody(nonce);
        send(HandshakeFrames.welcome(signed, authenticator.welcomeProof(hello.nonce(), signed)));

        f = channel.receive(RepairFrameFormat.HANDSHAKE_FRAME_BYTES);
        expect(f, RepairFrameFormat.TYPE_REQUEST, "REQUEST");
        HandshakeFrames.Request request = HandshakeFrames.decodeRequest(f.body());
        byte[] expected = authenticator.requestProof(nonce, hello.nonce(), request.kind(), request.sequence());
        if (!RepairAuthenticator.matches(expected, request.proof())) {
            LOG.log(Level.WARNING, "repair client " + channel.connection().peer()
                    + " did not prove it knows the shared secret");
            send(ErrorFrames.error(RepairFrameFormat.REASON_AUTHENTICATION_FAILED,
                    "the request's proof does not match this server's shared secret"));
            return;
        }
        if (request.kind() == RepairFrameFormat.KIND_PULL) {
            pull(nonce, hello.nonce());
            return;
        }
        if (request.kind() == RepairFrameFormat.KIND_LINEAGE) {
            lineage(nonce, hello.nonce());
            return;
        }
        if (request.kind() == RepairFrameFormat.KIND_PLANS) {
            plans();
            return;
        }
        if (request.kind() == RepairFrameFormat.KIND_DECIDE) {
            decide(nonce, hello.nonce());
            return;
        }
        awaitingClient = false;
        if (closing.getAsBoolean()) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_SHUTTING_DOWN, "the repair server is closing"));
            return;
        }
        try {
            if (request.kind() == RepairFrameFormat.KIND_DIGEST_AT) {
                Optional<RangeDigest> d = source.digestAt(request.sequence());
                send(d.isPresent() ? DigestFrames.digest(d.get()) : DigestFrames.noDigest());
            } else {
                stream(request.sequence());
            }
        } catch (StorageException | IllegalArgumentException e) {
            // This replica failed to read its own copy (damage, I/O, a pair over the limits): not the client's
            // fault, and the client must look elsewhere.
            LOG.log(Level.WARNING, "answering the request at sequence " + request.sequence() + " failed: "
                    + e.getMessage());
            send(ErrorFrames.error(RepairFrameFormat.REASON_SOURCE_FAILED, e.getMessage()));
        }
    }

    /** Receives the PULL frame, checks its proof, and has this replica pull, check and install the range. */
    private void pull(byte[] serverNonce, byte[] clientNonce) throws IOException {
        Frame f = channel.receive(RepairFrameFormat.MAX_PULL_FRAME_BYTES);
        expect(f, RepairFrameFormat.TYPE_PULL, "PULL");
        PullFrames.Pull pull = PullFrames.decodePull(f.body());
        byte[] expected = authenticator.pullProof(serverNonce, clientNonce, pull.signedBody());
        if (!RepairAuthenticator.matches(expected, pull.proof())) {
            LOG.log(Level.WARNING, "repair client " + channel.connection().peer()
                    + " sent a pull order without a valid proof");
            send(ErrorFrames.error(RepairFrameFormat.REASON_AUTHENTICATION_FAILED,
                    "the pull order's proof does not match this server's shared secret"));
            return;
        }
        awaitingClient = false;
        if (closing.getAsBoolean()) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_SHUTTING_DOWN, "the repair server is closing"));
            return;
        }
        if (puller == null) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_PULL_FAILED,
                    "this repair server takes no pull orders"));
            return;
        }
        PullOutcome outcome;
        try {
            outcome = puller.pull(pull.order());
        } catch (RuntimeException e) {
            // Any failure of the pull is the coordinator's to weigh (try another source, report): say what it was.
            LOG.log(Level.WARNING, "pulling the range at sequence " + pull.order().expected().sequence()
                    + " failed: " + e);
            send(ErrorFrames.error(RepairFrameFormat.REASON_PULL_FAILED, e.getClass().getSimpleName() + ": "
                    + e.getMessage()));
            return;
        }
        send(PullFrames.pulled(outcome));
    }

    /** Receives the LINEAGE_QUERY frame, checks its proof, and answers from this replica's lineage log. */
    private void lineage(byte[] serverNonce, byte[] clientNonce) throws IOException {
        Frame f = channel.receive(RepairFrameFormat.MAX_LINEAGE_QUERY_FRAME_BYTES);
        expect(f, RepairFrameFormat.TYPE_LINEAGE_QUERY, "LINEAGE_QUERY");
        LineageFrames.LineageQuery query = LineageFrames.decodeLineageQuery(f.body());
        byte[] expected = authenticator.lineageProof(serverNonce, clientNonce, query.signedBody());
        if (!RepairAuthenticator.matches(expected, query.proof())) {
            LOG.log(Level.WARNING, "repair client " + channel.connection().peer()
                    + " sent a lineage query without a valid proof");
            send(ErrorFrames.error(RepairFrameFormat.REASON_AUTHENTICATION_FAILED,
                    "the lineage query's proof does not match this server's shared secret"));
            return;
        }
        awaitingClient = false;
        if (closing.getAsBoolean()) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_SHUTTING_DOWN, "the repair server is closing"));
            return;
        }
        if (lineage == null) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_SOURCE_FAILED,
                    "this repair server serves no lineage log"));
            return;
        }
        byte[] answer;
        try {
            answer = LineageFrames.lineageRecords(lineage.copiedFrom(query.request()));
        } catch (RuntimeException e) {
            // A log that cannot be read (damage, I/O, an answer over the limits) makes this replica no source: say
            // why, so that the coordinator's log does.
            LOG.log(Level.WARNING, "answering a lineage query failed: " + e.getMessage());
            send(ErrorFrames.error(RepairFrameFormat.REASON_SOURCE_FAILED, "reading the lineage log failed: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage()));
            return;
        }
        send(answer);
    }

    /** Lists the plans waiting for approval on the attached repair service. */
    private void plans() throws IOException {
        awaitingClient = false;
        ApprovalHandler handler = approvals.get();
        if (refusedForApprovals(handler)) {
            return;
        }
        List<PendingPlan> waiting;
        try {
            waiting = handler.pendingPlans();
        } catch (IllegalStateException e) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_NO_REPAIR_SERVICE, e.getMessage()));
            return;
        }
        List<PendingPlan> listed = waiting.subList(0, Math.min(waiting.size(), RepairFrameFormat.MAX_LISTED_PLANS));
        send(PlanFrameFormat.plans(new PlanListing(waiting.size(), listed)));
    }

    /** Receives the DECISION frame, checks its proof, and has the attached repair service carry it out. */
    private void decide(byte[] serverNonce, byte[] clientNonce) throws IOException {
        Frame f = channel.receive(RepairFrameFormat.HANDSHAKE_FRAME_BYTES);
        expect(f, RepairFrameFormat.TYPE_DECISION, "DECISION");
        PlanFrameFormat.Decision decision = PlanFrameFormat.decodeDecision(f.body());
        byte[] expected = authenticator.decisionProof(serverNonce, clientNonce, decision.signedBody());
        if (!RepairAuthenticator.matches(expected, decision.proof())) {
            LOG.log(Level.WARNING, "repair client " + channel.connection().peer()
                    + " sent a decision on a plan without a valid proof");
            send(ErrorFrames.error(RepairFrameFormat.REASON_AUTHENTICATION_FAILED,
                    "the decision's proof does not match this server's shared secret"));
            return;
        }
        awaitingClient = false;
        ApprovalHandler handler = approvals.get();
        if (refusedForApprovals(handler)) {
            return;
        }
        boolean approve = decision.decision() == RepairFrameFormat.DECISION_APPROVE;
        PlanDecision outcome;
        try {
            outcome = approve ? handler.approve(decision.repairId())
                    : handler.reject(decision.repairId(), decision.why());
        } catch (PlanNotWaitingException e) {
            send(ErrorFrames.error(e.decided() ? RepairFrameFormat.REASON_ALREADY_DECIDED
                    : RepairFrameFormat.REASON_NO_SUCH_PLAN, e.getMessage()));
            return;
        } catch (IllegalStateException e) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_NO_REPAIR_SERVICE, e.getMessage()));
            return;
        } catch (RuntimeException e) {
            // The repair itself threw (it did not merely fail: that is a FAILED outcome): say what it was.
            LOG.log(Level.WARNING, "carrying out the decision on plan " + decision.repairId() + " failed: " + e);
            send(ErrorFrames.error(RepairFrameFormat.REASON_DECISION_FAILED, e.getClass().getSimpleName()
                    + ": " + e.getMessage()));
            return;
        }
        send(PlanFrameFormat.decided(outcome));
    }

    /** @return true when the request was refused because no repair service is attached or the server closes */
    private boolean refusedForApprovals(ApprovalHandler handler) throws IOException {
        if (closing.getAsBoolean()) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_SHUTTING_DOWN, "the repair server is closing"));
            return true;
        }
        if (handler == null) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_NO_REPAIR_SERVICE, "no repair service is "
                    + "attached to this repair server, so it has no plans to list, approve or reject; ask the one "
                    + "beside the primary"));
            return true;
        }
        return false;
    }

    private void stream(long sequence) throws IOException {
        Optional<RangeDigest> digest = source.digestAt(sequence);
        if (digest.isEmpty()) {
            notHeld(sequence);
            return;
        }
        RangeStream pairs;
        try {
            pairs = source.openRange(sequence);
        } catch (RangeUnavailableException e) {
            notHeld(sequence);
            return;
        }
        try (pairs) {
            send(DigestFrames.digest(digest.get()));
            RangeHasher hasher = new RangeHasher();
            List<RangeEntry> chunk = new ArrayList<>();
            long chunkBytes = 0;
            int chunks = 0;
            while (pairs.next()) {
                RangeEntry e = new RangeEntry(pairs.key(), pairs.value());
                long length = ChunkFrames.pairLength(e);
                if (!chunk.isEmpty() && chunkBytes + length > options.chunkBytes()) {
                    if (!sendChunk(chunk)) {
                        return;
                    }
                    chunks++;
                    chunk.clear();
                    chunkBytes = 0;
                }
                chunk.add(e);
                chunkBytes += length;
                hasher.add(e.key(), e.value());
            }
            if (!chunk.isEmpty()) {
                if (!sendChunk(chunk)) {
                    return;
                }
                chunks++;
            }
            send(ChunkFrames.end(new ChunkFrames.End(sequence, hasher.count(), hasher.bytes(),
                    hasher.hash(), chunks)));
        }
    }

    /** @return false when the server is closing and the stream was ended instead */
    private boolean sendChunk(List<RangeEntry> chunk) throws IOException {
        if (closing.getAsBoolean()) {
            send(ErrorFrames.error(RepairFrameFormat.REASON_SHUTTING_DOWN,
                    "the repair server is closing; the stream was cut short"));
            return false;
        }
        send(ChunkFrames.chunk(chunk));
        return true;
    }

    private void notHeld(long sequence) throws IOException {
        send(ErrorFrames.error(RepairFrameFormat.REASON_NOT_HELD, "this replica holds no range at sequence "
                + sequence));
    }

    private static void expect(Frame f, int type, String name) {
        if (f.type() != type) {
            throw new RepairProtocolException(RepairProtocolException.Problem.UNEXPECTED, "expected a " + name
                    + " frame, got type code " + f.type());
        }
    }

    private void send(byte[] frame) throws IOException {
        int type = frame[RepairFrameFormat.TYPE_OFFSET] & 0xFF;
        channel.send(tap == null ? frame : tap.beforeSend(type, frame));
    }

    private void sendQuietly(byte[] frame) {
        try {
            channel.send(frame);
        } catch (IOException e) {
            // Best effort: the connection is already failing, and the client sees it end either way.
            LOG.log(Level.FINE, "could not tell repair client " + channel.connection().peer() + " why: " + e);
        }
    }
}
