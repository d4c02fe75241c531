package io.kintsugi.repair.net;

import io.kintsugi.engine.replication.TcpTransport;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.net.RepairFrameFormat.Frame;
import io.kintsugi.repair.net.RepairProtocolException.Problem;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Asks a replica's {@link RepairServer} for the digest of the range it holds at a sequence, or streams that range,
 * hashing the pairs as they arrive and checking them against the server's end frame and against the digest the
 * caller expects; tells a replica to pull a range, asks about its lineage; and lists, approves and rejects the
 * repair plans of the repair service attached to a server. Each call uses its own connection; the client is
 * thread-safe.
 *
 * <pre>{@code
 * RepairClient client = new RepairClient(RepairClientOptions.builder().secret(secret).build());
 * RangeDigest majority = ...;                                   // what most replicas say of the range
 * List<RangeEntry> image = new ArrayList<>();
 * client.fetchRange(sourceEndpoint, majority.sequence(), majority, (k, v) -> image.add(new RangeEntry(k, v)));
 * // only now is the image known to be the majority's range
 * }</pre>
 */
public final class RepairClient {

    private final RepairClientOptions options;
    private final RepairAuthenticator authenticator;
    /** Used only to connect: the replication transport's sockets, with its buffering and no-delay settings. */
    private final TcpTransport dialer = TcpTransport.bind("127.0.0.1", 0);

    /** @param options the secret and timeouts */
    public RepairClient(RepairClientOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.authenticator = new RepairAuthenticator(options.secret());
    }

    /**
     * @param endpoint the server's {@code host:port}
     * @param sequence the sequence of the range
     * @return the server's digest of the range it holds at {@code sequence}, or empty when it holds none there
     * @throws RepairConnectionException if connecting failed, a timeout passed, or the server hung up
     * @throws RepairProtocolException if authentication failed or the server sent something malformed
     * @throws io.kintsugi.oplog.CorruptionException if a frame failed its CRC (naming the endpoint and offset)
     * @throws RepairRefusedException if the server answered with an ERROR frame
     */
    public Optional<RangeDigest> digestAt(String endpoint, long sequence) {
        checkSequence(sequence);
        try (RepairChannel channel = open(endpoint, RepairFrameFormat.KIND_DIGEST_AT, sequence)) {
            Frame f = receive(channel, endpoint);
            expect(f, RepairFrameFormat.TYPE_DIGEST, endpoint, sequence);
            return Optional.ofNullable(DigestFrames.decodeDigest(f.body()));
        }
    }

    /**
     * Streams the range a server holds at {@code sequence} to {@code sink}, and checks it: the server's digest must
     * describe the range {@code expected} describes, and the pairs received (ascending, inside the range) must have
     * the count, bytes and hash of the server's end frame and of {@code expected}. The sink sees pairs before the
     * check is complete: only a normal return means they were right.
     *
     * @param endpoint the server's {@code host:port}
     * @param sequence the sequence of the range
     * @param expected the digest the range must match (the majority's), at {@code sequence}
     * @param sink     receives the pairs in ascending key order
     * @return what was received
     * @throws IllegalArgumentException if {@code expected} is not at {@code sequence}
     * @throws RangeMismatchException if the pairs do not match the end frame or {@code expected}
     * @throws RangeUnavailableException if the server holds no range at {@code sequence}
     * @throws RepairProtocolException if authentication failed, the server described another range, or sent pairs
     *                                 out of order, outside the range, or a malformed frame
     * @throws io.kintsugi.oplog.CorruptionException if a frame failed its CRC (naming the endpoint and offset)
     * @throws RepairConnectionException if connecting failed, a timeout passed, or the server hung up
     * @throws RepairRefusedException if the server answered with an ERROR frame (busy, closing, its copy damaged)
     */
    public RangeFetch fetchRange(String endpoint, long sequence, RangeDigest expected, RangeSink sink) {
        checkSequence(sequence);
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(sink, "sink");
        if (expected.sequence() != sequence) {
            throw new IllegalArgumentException("the expected digest is at sequence " + expected.sequence()
                    + ", not at the sequence asked for, " + sequence);
        }
        try (RepairChannel channel = open(endpoint, RepairFrameFormat.KIND_STREAM_RANGE, sequence)) {
            Frame f = receive(channel, endpoint);
            expect(f, RepairFrameFormat.TYPE_DIGEST, endpoint, sequence);
            RangeDigest digest = DigestFrames.decodeDigest(f.body());
            if (digest == null) {
                throw new RangeUnavailableException(sequence, "the repair server at " + endpoint
                        + " holds no range at sequence " + sequence);
            }
            RangeReceiver receiver = new RangeReceiver(endpoint, expected, digest, sink);
            while (true) {
                f = receive(channel, endpoint);
                if (f.type() == RepairFrameFormat.TYPE_CHUNK) {
                    receiver.chunk(ChunkFrames.decodeChunk(f.body()));
                } else {
                    expect(f, RepairFrameFormat.TYPE_END, endpoint, sequence);
                    return receiver.end(ChunkFrames.decodeEnd(f.body()));
                }
            }
        }
    }

    /**
     * Tells the replica behind the server at {@code endpoint} to pull the range {@code order.expected()} describes
     * from {@code order.sourceEndpoint()}, check it against that digest and install it; returns once it has. The
     * order is signed with the shared secret together with both nonces, so no one without it can redirect a replica.
     * The read timeout of this client's options must cover the whole pull.
     *
     * @param endpoint the target replica's repair server, {@code host:port}
     * @param order    what to pull
     * @return what the target installed
     * @throws RepairRefusedException    if the target answered with an ERROR frame: reason
     *                                   {@link RepairFrameFormat#REASON_PULL_FAILED} when its pull failed (the
     *                                   detail says why), or busy, shutting down
     * @throws RepairProtocolException   if authentication failed or the target sent something malformed
     * @throws io.kintsugi.oplog.CorruptionException if a frame failed its CRC
     * @throws RepairConnectionException if connecting failed, a timeout passed, or the target hung up
     */
    public PullOutcome pull(String endpoint, PullOrder order) {
        Objects.requireNonNull(order, "order");
        byte[] signed = PullFrames.pullSignedBody(order);
        long sequence = order.expected().sequence();
        byte[][] nonces = new byte[2][];
        try (RepairChannel channel = open(endpoint, RepairFrameFormat.KIND_PULL, sequence, nonces)) {
            try {
                channel.send(PullFrames.pull(signed, authenticator.pullProof(nonces[0], nonces[1], signed)));
            } catch (IOException e) {
                throw lost(endpoint, e);
            }
            Frame f = receive(channel, endpoint);
            expect(f, RepairFrameFormat.TYPE_PULLED, endpoint, sequence);
            return PullFrames.decodePulled(f.body());
        }
    }

    /**
     * Asks the replica behind the server at {@code endpoint} which copies its lineage log holds that answer
     * {@code request}: what a coordinator needs to trust a replica in another process as a source. The query is
     * signed with the shared secret together with both nonces.
     *
     * @param endpoint the replica's repair server, {@code host:port}
     * @param request  the question
     * @return the matching records, oldest first
     * @throws RepairRefusedException    if the server answered with an ERROR frame (reason
     *                                   {@link RepairFrameFormat#REASON_SOURCE_FAILED} when it serves no lineage or
     *                                   could not read its log; busy; shutting down)
     * @throws RepairProtocolException   if authentication failed or the server sent something malformed
     * @throws io.kintsugi.oplog.CorruptionException if a frame failed its CRC
     * @throws RepairConnectionException if connecting failed, a timeout passed, or the server hung up
     */
    public List<LineageRecord> lineage(String endpoint, LineageRequest request) {
        Objects.requireNonNull(request, "request");
        byte[] signed = LineageFrames.lineageQuerySignedBody(request);
        byte[][] nonces = new byte[2][];
        try (RepairChannel channel = open(endpoint, RepairFrameFormat.KIND_LINEAGE, 0, nonces)) {
            try {
                channel.send(LineageFrames.lineageQuery(signed,
                        authenticator.lineageProof(nonces[0], nonces[1], signed)));
            } catch (IOException e) {
                throw lost(endpoint, e);
            }
            Frame f = receive(channel, endpoint);
            expect(f, RepairFrameFormat.TYPE_LINEAGE_RECORDS, endpoint, 0);
            return LineageFrames.decodeLineageRecords(f.body());
        }
    }

    /**
     * Lists the repair plans waiting for approval on the repair service attached to the server at
     * {@code endpoint} (typically the primary's agent). Metadata only: ranges as fingerprints.
     *
     * @param endpoint the repair server, {@code host:port}
     * @return the plans, oldest first, and how many wait in all
     * @throws RepairRefusedException    if the server answered with an ERROR frame: reason
     *                                   {@link RepairFrameFormat#REASON_NO_REPAIR_SERVICE} when no repair service is
     *                                   attached to it; busy; shutting down
     * @throws RepairProtocolException   if authentication failed or the server sent something malformed
     * @throws io.kintsugi.oplog.CorruptionException if a frame failed its CRC
     * @throws RepairConnectionException if connecting failed, a timeout passed, or the server hung up
     */
    public PlanListing plans(String endpoint) {
        try (RepairChannel channel = open(endpoint, RepairFrameFormat.KIND_PLANS, 0)) {
            Frame f = receive(channel, endpoint);
            expect(f, RepairFrameFormat.TYPE_PLANS, endpoint, 0);
            return PlanFrameFormat.decodePlans(f.body());
        }
    }

    /**
     * Approves a waiting plan on the repair service attached to the server at {@code endpoint}, and returns once
     * the repair ran: the read timeout of this client's options must cover the repair (a vote, a pull and a proof;
     * and any repair the service runs before it).
     *
     * @param endpoint the repair server, {@code host:port}
     * @param repairId the plan's repair id, as {@link #plans} lists it
     * @return what came of it: {@link PlanDecision.Outcome#REPAIRED} or another outcome of the repair
     * @throws IllegalArgumentException  if the repair id is not 1 to 64 printable ASCII characters
     * @throws RepairRefusedException    if the server answered with an ERROR frame: reason
     *                                   {@link RepairFrameFormat#REASON_NO_SUCH_PLAN} (no plan of that id),
     *                                   {@link RepairFrameFormat#REASON_ALREADY_DECIDED},
     *                                   {@link RepairFrameFormat#REASON_NO_REPAIR_SERVICE},
     *                                   {@link RepairFrameFormat#REASON_DECISION_FAILED} (the repair threw); busy;
     *                                   shutting down
     * @throws RepairProtocolException   if authentication failed or the server sent something malformed
     * @throws io.kintsugi.oplog.CorruptionException if a frame failed its CRC
     * @throws RepairConnectionException if connecting failed, a timeout passed, or the server hung up
     */
    public PlanDecision approve(String endpoint, String repairId) {
        return decide(endpoint, RepairFrameFormat.DECISION_APPROVE, repairId, "");
    }

    /**
     * Rejects a waiting plan on the repair service attached to the server at {@code endpoint}: nothing changes, and
     * the primary's health log records the rejection with {@code why}.
     *
     * @param endpoint the repair server, {@code host:port}
     * @param repairId the plan's repair id, as {@link #plans} lists it
     * @param why      who rejects it and why, metadata only, at most {@value RepairFrameFormat#MAX_DETAIL_BYTES}
     *                 UTF-8 bytes
     * @return the rejection ({@link PlanDecision.Outcome#REJECTED})
     * @throws IllegalArgumentException  if the repair id is malformed or {@code why} too long
     * @throws RepairRefusedException    as {@link #approve}
     * @throws RepairProtocolException   if authentication failed or the server sent something malformed
     * @throws io.kintsugi.oplog.CorruptionException if a frame failed its CRC
     * @throws RepairConnectionException if connecting failed, a timeout passed, or the server hung up
     */
    public PlanDecision reject(String endpoint, String repairId, String why) {
        return decide(endpoint, RepairFrameFormat.DECISION_REJECT, repairId, Objects.requireNonNull(why, "why"));
    }

    private PlanDecision decide(String endpoint, int decision, String repairId, String why) {
        byte[] signed = PlanFrameFormat.decisionSignedBody(decision, repairId, why);
        byte[][] nonces = new byte[2][];
        try (RepairChannel channel = open(endpoint, RepairFrameFormat.KIND_DECIDE, 0, nonces)) {
            try {
                channel.send(PlanFrameFormat.decision(signed, authenticator.decisionProof(nonces[0], nonces[1],
                        signed)));
            } catch (IOException e) {
                throw lost(endpoint, e);
            }
            Frame f = receive(channel, endpoint);
            expect(f, RepairFrameFormat.TYPE_DECIDED, endpoint, 0);
            PlanDecision d = PlanFrameFormat.decodeDecided(f.body());
            if (!d.repairId().equals(repairId)) {
                throw new RepairProtocolException(Problem.UNEXPECTED, "the repair server at " + endpoint
                        + " answered a decision on plan " + repairId + " about plan " + d.repairId());
            }
            return d;
        }
    }

    /** Connects, authenticates both ways and sends the request. */
    private RepairChannel open(String endpoint, int kind, long sequence) {
        return open(endpoint, kind, sequence, new byte[2][]);
    }

    /** As above; {@code nonces} receives the server's nonce and the client's, which a PULL frame's proof covers. */
    private RepairChannel open(String endpoint, int kind, long sequence, byte[][] nonces) {
        Objects.requireNonNull(endpoint, "endpoint");
        RepairChannel channel;
        try {
            channel = new RepairChannel(dialer.connect(endpoint, options.connectTimeout()), "repair:" + endpoint);
        } catch (IOException e) {
            throw new RepairConnectionException("could not connect to the repair server at " + endpoint
                    + " within the connect timeout of " + options.connectTimeout() + ": " + e, e);
        }
        boolean handedOver = false;
        try {
            channel.connection().readTimeout(options.readTimeout());
            byte[] nonce = RepairAuthenticator.nonce();
            channel.send(HandshakeFrames.hello(nonce));
            Frame f = channel.receive(RepairFrameFormat.HANDSHAKE_FRAME_BYTES);
            expect(f, RepairFrameFormat.TYPE_WELCOME, endpoint, sequence);
            HandshakeFrames.Welcome w = HandshakeFrames.decodeWelcome(f.body());
            if (w.protocolVersion() != RepairFrameFormat.PROTOCOL_VERSION) {
                throw new RepairProtocolException(Problem.UNSUPPORTED_VERSION, "the repair server at " + endpoint
                        + " speaks protocol version " + w.protocolVersion() + ", this client "
                        + RepairFrameFormat.PROTOCOL_VERSION);
            }
            byte[] proof = authenticator.welcomeProof(nonce, w.signedBody());
            if (!RepairAuthenticator.matches(proof, w.proof())) {
                throw new RepairProtocolException(Problem.AUTHENTICATION_FAILED, "the repair server at " + endpoint
                        + (w.proof().length == 0 ? " sent no proof, but this client has a shared secret"
                        : proof.length == 0 ? " sent a proof, but this client has no shared secret"
                        : " did not prove it knows this client's shared secret"));
            }
            channel.send(HandshakeFrames.request(kind, sequence,
                    authenticator.requestProof(w.nonce(), nonce, kind, sequence)));
            nonces[0] = w.nonce();
            nonces[1] = nonce;
            handedOver = true;
            return channel;
        } catch (IOException e) {
            throw lost(endpoint, e);
        } finally {
            if (!handedOver) {
                channel.close();
            }
        }
    }

    private Frame receive(RepairChannel channel, String endpoint) {
        try {
            return channel.receive(RepairFrameFormat.MAX_FRAME_BYTES);
        } catch (IOException e) {
            throw lost(endpoint, e);
        }
    }

    private RepairConnectionException lost(String endpoint, IOException e) {
        if (e instanceof SocketTimeoutException) {
            return new RepairConnectionException("the repair server at " + endpoint + " sent nothing within the read "
                    + "timeout of " + options.readTimeout(), e);
        }
        return new RepairConnectionException("the connection to the repair server at " + endpoint
                + " ended before the answer was complete: " + e.getMessage(), e);
    }

    /** Turns an ERROR frame into its exception, and any other unexpected type into UNEXPECTED. */
    private static void expect(Frame f, int type, String endpoint, long sequence) {
        if (f.type() == type) {
            return;
        }
        if (f.type() != RepairFrameFormat.TYPE_ERROR) {
            throw new RepairProtocolException(Problem.UNEXPECTED, "the repair server at " + endpoint
                    + " sent a frame of type code " + f.type() + " where type " + type + " was expected");
        }
        ErrorFrames.Error e = ErrorFrames.decodeError(f.body());
        String said = "the repair server at " + endpoint + " refused: " + e.detail();
        switch (e.reason()) {
            case RepairFrameFormat.REASON_NOT_HELD -> throw new RangeUnavailableException(sequence, said);
            case RepairFrameFormat.REASON_AUTHENTICATION_FAILED ->
                    throw new RepairProtocolException(Problem.AUTHENTICATION_FAILED, said);
            case RepairFrameFormat.REASON_UNSUPPORTED_VERSION ->
                    throw new RepairProtocolException(Problem.UNSUPPORTED_VERSION, said);
            default -> throw new RepairRefusedException(e.reason(), said + " (reason " + e.reason() + ")");
        }
    }

    private static void checkSequence(long sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException("a range's sequence must be at least 0, was " + sequence);
        }
    }
}
