package io.kintsugi.repair.net;

import io.kintsugi.engine.Limits;
import io.kintsugi.engine.RangeEntry;
import io.kintsugi.engine.format.ReplicationFrameFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.lineage.LineageRecordFormat;
import io.kintsugi.repair.net.RepairProtocolException.Problem;
import io.kintsugi.validation.Hash128;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The frames of the repair protocol, version {@value #PROTOCOL_VERSION}: a replica asks another for the digest of
 * the range it holds at a sequence, or for the range's pairs. Documented in {@code docs/FORMAT.md} section 14.
 *
 * <p>Every frame, as replication frames are (little-endian):
 * <pre>
 * offset size field
 *      0    4 length  n, the bytes after this header: type and body, 1..the receiver's frame limit
 *      4    4 crc     masked CRC32C of those n bytes
 *      8    1 type    one of the TYPE_ constants
 *      9  n-1 body    as the type says
 * </pre>
 *
 * <p>Bodies:
 * <pre>
 * HELLO   (1, client to server)  u16 protocol version, 32 client nonce
 * WELCOME (2, server to client)  u16 protocol version, 32 server nonce, u8 m (0 or 32), m bytes proof
 * REQUEST (3, client to server)  u8 kind (KIND_ constants), i64 sequence (at least 0), u8 m (0 or 32), m proof
 * DIGEST  (4, server to client)  u8 found (0 or 1); when 1: i64 sequence, u8 status, i64 count, i64 bytes,
 *                                i64 hash low, i64 hash high, u8 flags (bit 0: open end), u8 namespace length
 *                                (1..64), namespace ASCII, u32 from length (0..65536), from,
 *                                [u32 to length (0..65537), to: only when flag bit 0 is clear],
 *                                u16 detail length (0..1024), detail UTF-8
 * CHUNK   (5, server to client)  u32 pairs p (at least 1), p times: u32 key length (0..65536), key,
 *                                u32 value length (0..16 MiB), value
 * END     (6, server to client)  i64 sequence, i64 count, i64 bytes, i64 hash low, i64 hash high, u32 chunks
 * ERROR   (7, either way)        u8 reason (REASON_ constants), u16 k (0..1024), k bytes UTF-8 detail
 * PULL    (8, client to server)  u8 e (1..255), e bytes ASCII source endpoint, u8 r (1..255), r bytes UTF-8
 *                                source replica id, u8 i (0..64), i bytes ASCII repair id, u32 d, d bytes: the
 *                                expected digest as a DIGEST body (found = 1), u8 m (0 or 32), m bytes proof
 * PULLED  (9, server to client)  i64 sequence, i64 count, i64 bytes, i64 wire bytes, i64 bytes written,
 *                                u8 staged on disk (0 or 1)
 * LINEAGE_QUERY (10, c to s)     u8 r (1..255), r bytes UTF-8 source replica id, u8 n (1..64), n bytes ASCII
 *                                namespace, u8 flags (bit 0: from present, bit 1: to present, others 0),
 *                                [u32 from length (0..65536), from: bit 0], [u32 to length (0..65537), to: bit 1],
 *                                i64 since epoch seconds, i32 since nanoseconds (0..999 999 999), u8 m (0 or 32),
 *                                m bytes proof
 * LINEAGE_RECORDS (11, s to c)   u32 c (0..{@value #MAX_LINEAGE_RECORDS}), c times: u32 length
 *                                (1..LineageRecordFormat.MAX_ENCODED_LENGTH), a lineage record payload (FORMAT.md 15)
 * PLANS   (12, s to c)           the plans waiting for approval: see {@link PlanFrameFormat}
 * DECISION (13, c to s)          approve or reject one plan: see {@link PlanFrameFormat}
 * DECIDED (14, s to c)           what came of the decision: see {@link PlanFrameFormat}
 * </pre>
 * The conversation: HELLO, WELCOME, REQUEST; then for DIGEST_AT one DIGEST, for STREAM_RANGE one DIGEST (found)
 * followed by CHUNK frames and one END; for PULL the client's PULL frame and one PULLED; for LINEAGE the client's
 * LINEAGE_QUERY frame and one LINEAGE_RECORDS; for PLANS one PLANS; for DECIDE the client's DECISION frame and one
 * DECIDED; or an ERROR instead of any server frame. One request per connection.
 * The proofs are HMAC-SHA256 values ({@code RepairAuthenticator}); a peer without a shared secret sends none.
 */
public final class RepairFrameFormat {

    /** The protocol version this build speaks. */
    public static final int PROTOCOL_VERSION = 1;
    /** Bytes of the frame header: length and crc. */
    public static final int HEADER_LENGTH = ReplicationFrameFormat.HEADER_LENGTH;
    /** Offset of the length field in a frame. */
    public static final int LENGTH_OFFSET = ReplicationFrameFormat.LENGTH_OFFSET;
    /** Offset of the masked CRC32C in a frame. */
    public static final int CRC_OFFSET = ReplicationFrameFormat.CRC_OFFSET;
    /** Offset of the type in a frame; the CRC covers the frame from here to its end. */
    public static final int TYPE_OFFSET = ReplicationFrameFormat.TYPE_OFFSET;
    /** Length of a nonce and of a proof. */
    public static final int NONCE_LENGTH = 32;
    /** Longest detail text of a DIGEST or ERROR frame, in bytes. */
    public static final int MAX_DETAIL_BYTES = 1024;
    /** Longest {@code from} bound of a digest: a key. */
    public static final int MAX_FROM_LENGTH = Limits.MAX_KEY_LENGTH;
    /** Longest {@code to} bound of a digest: a key and one byte more, so that a range can end right after a key. */
    public static final int MAX_TO_LENGTH = Limits.MAX_KEY_LENGTH + 1;
    /**
     * Longest frame (n: type and body) a client accepts once the server has proved itself: a chunk holding one
     * pair of the largest key and the largest value, with room to spare (16 MiB + 128 KiB).
     */
    public static final int MAX_FRAME_BYTES = Limits.MAX_VALUE_LENGTH + (128 << 10);
    /**
     * Longest frame accepted from a peer that has not proved itself: every frame a server receives (HELLO,
     * REQUEST, ERROR) and the WELCOME a client receives are far smaller.
     */
    public static final int HANDSHAKE_FRAME_BYTES = 4096;

    /** Frame type: the client's greeting. */
    public static final int TYPE_HELLO = 1;
    /** Frame type: the server's answer to HELLO, with its proof. */
    public static final int TYPE_WELCOME = 2;
    /** Frame type: the client's request, with its proof. */
    public static final int TYPE_REQUEST = 3;
    /** Frame type: a range digest, or that none is held. */
    public static final int TYPE_DIGEST = 4;
    /** Frame type: consecutive pairs of a streamed range. */
    public static final int TYPE_CHUNK = 5;
    /** Frame type: the end of a streamed range, with what was sent. */
    public static final int TYPE_END = 6;
    /** Frame type: the sender ends the conversation and says why. */
    public static final int TYPE_ERROR = 7;
    /** Frame type: the client tells the server's replica to pull a range from a source (after a PULL request). */
    public static final int TYPE_PULL = 8;
    /** Frame type: the server's replica pulled, checked and installed the range. */
    public static final int TYPE_PULLED = 9;
    /** Frame type: the client asks which copies the server's lineage log holds (after a LINEAGE request). */
    public static final int TYPE_LINEAGE_QUERY = 10;
    /** Frame type: the server's lineage records that answer a LINEAGE_QUERY. */
    public static final int TYPE_LINEAGE_RECORDS = 11;
    /** Frame type: the repair plans waiting for approval on the server (answer to a PLANS request). */
    public static final int TYPE_PLANS = 12;
    /** Frame type: the client approves or rejects one waiting plan (after a DECIDE request). */
    public static final int TYPE_DECISION = 13;
    /** Frame type: what came of a DECISION: the repair's outcome, or the rejection. */
    public static final int TYPE_DECIDED = 14;

    /** Request kind: the digest of the range held at the sequence. */
    public static final int KIND_DIGEST_AT = 1;
    /** Request kind: the digest and the pairs of the range held at the sequence. */
    public static final int KIND_STREAM_RANGE = 2;
    /**
     * Request kind: the server's replica is to fetch the range at the sequence from another replica, check it against
     * an expected digest and install it; a PULL frame follows the request.
     */
    public static final int KIND_PULL = 3;
    /**
     * Request kind: the server's replica is to answer a question about its lineage log (which copies of a range it
     * took from a given replica since a time); a LINEAGE_QUERY frame follows the request, whose sequence is 0.
     */
    public static final int KIND_LINEAGE = 4;
    /** Request kind: list the repair plans waiting for approval ({@link PlanFrameFormat}); sequence 0. */
    public static final int KIND_PLANS = 5;
    /** Request kind: approve or reject one waiting plan; a DECISION frame follows the request, whose sequence is 0. */
    public static final int KIND_DECIDE = 6;

    /** ERROR reason: the peer did not prove that it knows the shared secret. */
    public static final int REASON_AUTHENTICATION_FAILED = 1;
    /** ERROR reason: the protocol version is not supported. */
    public static final int REASON_UNSUPPORTED_VERSION = 2;
    /** ERROR reason: the server holds no range at the sequence asked for. */
    public static final int REASON_NOT_HELD = 3;
    /** ERROR reason: a frame was malformed, damaged or out of turn. */
    public static final int REASON_PROTOCOL_ERROR = 4;
    /** ERROR reason: the server is closing. */
    public static final int REASON_SHUTTING_DOWN = 5;
    /** ERROR reason: the server already serves as many connections as it may. */
    public static final int REASON_BUSY = 6;
    /** ERROR reason: the server failed to read its own copy of the range (damage, I/O). */
    public static final int REASON_SOURCE_FAILED = 7;
    /** ERROR reason: the server's replica could not pull, check or install the range it was told to. */
    public static final int REASON_PULL_FAILED = 8;
    /** ERROR reason: no plan with the repair id of a DECISION waits, nor was one decided here recently. */
    public static final int REASON_NO_SUCH_PLAN = 9;
    /** ERROR reason: the plan of a DECISION was approved or rejected already. */
    public static final int REASON_ALREADY_DECIDED = 10;
    /** ERROR reason: no repair service is attached to this server, so it has no plans to list or decide. */
    public static final int REASON_NO_REPAIR_SERVICE = 11;
    /** ERROR reason: the repair service took the decision but could not carry it out (the repair threw). */
    public static final int REASON_DECISION_FAILED = 12;

    /** Longest source endpoint and longest source replica id of a PULL frame, in bytes. */
    public static final int MAX_PULL_NAME_BYTES = 255;
    /** Longest repair id of a PULL frame, in bytes. */
    public static final int MAX_REPAIR_ID_BYTES = 64;
    /** Longest PULL frame a server accepts: a digest with the longest bounds, names and detail, with room. */
    public static final int MAX_PULL_FRAME_BYTES = MAX_FROM_LENGTH + MAX_TO_LENGTH + 8192;

    /** Longest LINEAGE_QUERY frame a server accepts: the longest bounds and replica id, with room. */
    public static final int MAX_LINEAGE_QUERY_FRAME_BYTES = MAX_FROM_LENGTH + MAX_TO_LENGTH + 1024;
    /**
     * Most records in one LINEAGE_RECORDS frame. A replica copies a range from one peer once per repair, so an
     * answer this long means a log no coordinator should trust without a look; the frame must also stay within
     * {@link #MAX_FRAME_BYTES}.
     */
    public static final int MAX_LINEAGE_RECORDS = 4096;
    /**
     * Most plans listed in one PLANS frame (the oldest; the frame also says how many wait in all). A plan takes at
     * most 691 bytes, so a full listing stays far within {@link #MAX_FRAME_BYTES}.
     */
    public static final int MAX_LISTED_PLANS = 4096;
    /** Decision code of a DECISION frame: execute the plan. */
    public static final int DECISION_APPROVE = 1;
    /** Decision code of a DECISION frame: drop the plan, changing nothing. */
    public static final int DECISION_REJECT = 2;
    /** LINEAGE_QUERY flag: the {@code from} bound is present. */
    public static final int LINEAGE_FLAG_FROM = 1;
    /** LINEAGE_QUERY flag: the {@code to} bound is present. */
    public static final int LINEAGE_FLAG_TO = 1 << 1;

    /** Longest namespace name, as {@code Limits.NAMESPACE_NAME_PATTERN} allows. */
    static final int MAX_NAMESPACE_NAME_BYTES = 64;
    private static final int FLAG_OPEN_END = 1;
    private static final Pattern NAMESPACE = Pattern.compile(Limits.NAMESPACE_NAME_PATTERN);

    private RepairFrameFormat() {
    }

    /** A frame whose CRC matched: its type and body. */
    public record Frame(int type, ByteBuffer body) {
    }

    /** HELLO. */
    public record Hello(int protocolVersion, byte[] nonce) {
    }

    /** WELCOME; {@code signedBody} is what the proof signs: the body before the proof length. */
    public record Welcome(int protocolVersion, byte[] nonce, byte[] proof, byte[] signedBody) {
    }

    /** REQUEST. */
    public record Request(int kind, long sequence, byte[] proof) {
    }

    /** END: what the server sent. */
    public record End(long sequence, long count, long bytes, Hash128 hash, int chunks) {
    }

    /** ERROR. */
    public record Error(int reason, String detail) {
    }

    /**
     * PULL; {@code signedBody} is what the proof signs: the body before the proof length.
     *
     * @param order      what to pull
     * @param proof      the client's proof, or an empty array
     * @param signedBody the body bytes before the proof length
     */
    public record Pull(PullOrder order, byte[] proof, byte[] signedBody) {
    }

    /**
     * LINEAGE_QUERY; {@code signedBody} is what the proof signs: the body before the proof length.
     *
     * @param request    the question
     * @param proof      the client's proof, or an empty array
     * @param signedBody the body bytes before the proof length
     */
    public record LineageQuery(LineageRequest request, byte[] proof, byte[] signedBody) {
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Wraps a body in a frame. The frame is the replication frame's (FORMAT.md 10.1), so it is built by the same
     * code; the golden repair frames pin it all the same.
     *
     * @param type the frame type
     * @param body the body bytes
     * @return the whole frame
     */
    public static byte[] frame(int type, byte[] body) {
        return ReplicationFrameFormat.frame(type, body);
    }

    /** @return a HELLO frame */
    public static byte[] hello(byte[] nonce) {
        return frame(TYPE_HELLO, welcomeOrHelloBody(nonce));
    }

    /**
     * @param nonce the server's nonce
     * @return the WELCOME body before the proof length: what the server's proof signs
     */
    public static byte[] welcomeSignedBody(byte[] nonce) {
        return welcomeOrHelloBody(nonce);
    }

    /**
     * @param signedBody what {@link #welcomeSignedBody} returned
     * @param proof      the server's proof, or an empty array
     * @return a WELCOME frame
     */
    public static byte[] welcome(byte[] signedBody, byte[] proof) {
        ByteBuffer b = buffer(signedBody.length + 1 + proof.length);
        b.put(signedBody);
        putProof(b, proof);
        return frame(TYPE_WELCOME, b.array());
    }

    /**
     * @param kind     {@link #KIND_DIGEST_AT} or {@link #KIND_STREAM_RANGE}
     * @param sequence the sequence of the range, at least 0
     * @param proof    the client's proof, or an empty array
     * @return a REQUEST frame
     */
    public static byte[] request(int kind, long sequence, byte[] proof) {
        checkKind(kind);
        if (sequence < 0) {
            throw new IllegalArgumentException("a request's sequence must be at least 0, was " + sequence);
        }
        ByteBuffer b = buffer(1 + 8 + 1 + proof.length);
        b.put((byte) kind);
        b.putLong(sequence);
        putProof(b, proof);
        return frame(TYPE_REQUEST, b.array());
    }

    /** @return a DIGEST frame saying that no range is held at the sequence asked for */
    public static byte[] noDigest() {
        return frame(TYPE_DIGEST, new byte[] {0});
    }

    /** @return a DIGEST frame carrying {@code d} */
    public static byte[] digest(RangeDigest d) {
        byte[] ns = d.namespace().getBytes(StandardCharsets.US_ASCII);
        byte[] from = d.from();
        byte[] to = d.to();
        byte[] detail = d.detail().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = buffer(1 + 8 + 1 + 8 + 8 + 16 + 1 + 1 + ns.length + 4 + from.length
                + (to == null ? 0 : 4 + to.length) + 2 + detail.length);
        b.put((byte) 1);
        b.putLong(d.sequence());
        b.put((byte) d.status().code());
        b.putLong(d.count());
        b.putLong(d.bytes());
        b.putLong(d.hash().low());
        b.putLong(d.hash().high());
        b.put((byte) (to == null ? FLAG_OPEN_END : 0));
        b.put((byte) ns.length);
        b.put(ns);
        b.putInt(from.length);
        b.put(from);
        if (to != null) {
            b.putInt(to.length);
            b.put(to);
        }
        b.putShort((short) detail.length);
        b.put(detail);
        return frame(TYPE_DIGEST, b.array());
    }

    /**
     * @param pairs at least one pair, keys and values within the store's limits
     * @return a CHUNK frame
     * @throws IllegalArgumentException if there is no pair, a key or value is over its limit, or the frame would
     *                                  exceed {@link #MAX_FRAME_BYTES}
     */
    public static byte[] chunk(List<RangeEntry> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a CHUNK frame holds at least one pair");
        }
        long size = 4;
        for (RangeEntry e : pairs) {
            checkPair(e.key().length, e.value().length);
            size += pairLength(e);
        }
        if (1 + size > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a CHUNK frame of " + (1 + size) + " bytes exceeds the limit of "
                    + MAX_FRAME_BYTES + " bytes (RepairFrameFormat.MAX_FRAME_BYTES)");
        }
        ByteBuffer b = buffer((int) size);
        b.putInt(pairs.size());
        for (RangeEntry e : pairs) {
            b.putInt(e.key().length);
            b.put(e.key());
            b.putInt(e.value().length);
            b.put(e.value());
        }
        return frame(TYPE_CHUNK, b.array());
    }

    /**
     * @param e a pair
     * @return the bytes the pair takes in a CHUNK body
     */
    public static long pairLength(RangeEntry e) {
        return 8L + e.key().length + e.value().length;
    }

    /** @return an END frame */
    public static byte[] end(End e) {
        ByteBuffer b = buffer(8 * 5 + 4);
        b.putLong(e.sequence());
        b.putLong(e.count());
        b.putLong(e.bytes());
        b.putLong(e.hash().low());
        b.putLong(e.hash().high());
        b.putInt(e.chunks());
        return frame(TYPE_END, b.array());
    }

    /**
     * @param reason one of the REASON_ constants
     * @param detail why, metadata only; cut to {@value #MAX_DETAIL_BYTES} bytes
     * @return an ERROR frame
     */
    public static byte[] error(int reason, String detail) {
        byte[] text = detail.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_DETAIL_BYTES);
        ByteBuffer b = buffer(1 + 2 + n);
        b.put((byte) reason);
        b.putShort((short) n);
        b.put(text, 0, n);
        return frame(TYPE_ERROR, b.array());
    }

    /**
     * @param order what the server's replica is to pull
     * @return the PULL body before the proof length: what the client's proof signs
     * @throws IllegalArgumentException if a name is empty or over {@link #MAX_PULL_NAME_BYTES} bytes, or the repair
     *                                  id is over {@link #MAX_REPAIR_ID_BYTES} bytes
     */
    public static byte[] pullSignedBody(PullOrder order) {
        byte[] endpoint = name("source endpoint", order.sourceEndpoint(), StandardCharsets.US_ASCII, 1,
                MAX_PULL_NAME_BYTES);
        byte[] replica = name("source replica id", order.sourceReplica(), StandardCharsets.UTF_8, 1,
                MAX_PULL_NAME_BYTES);
        byte[] repairId = name("repair id", order.repairId(), StandardCharsets.US_ASCII, 0, MAX_REPAIR_ID_BYTES);
        byte[] digest = digest(order.expected());
        int digestBody = digest.length - HEADER_LENGTH - 1;
        ByteBuffer b = buffer(3 + endpoint.length + replica.length + repairId.length + 4 + digestBody);
        b.put((byte) endpoint.length).put(endpoint);
        b.put((byte) replica.length).put(replica);
        b.put((byte) repairId.length).put(repairId);
        b.putInt(digestBody);
        b.put(digest, HEADER_LENGTH + 1, digestBody);
        return b.array();
    }

    /**
     * @param signedBody what {@link #pullSignedBody} returned
     * @param proof      the client's proof, or an empty array
     * @return a PULL frame
     */
    public static byte[] pull(byte[] signedBody, byte[] proof) {
        ByteBuffer b = buffer(signedBody.length + 1 + proof.length);
        b.put(signedBody);
        putProof(b, proof);
        return frame(TYPE_PULL, b.array());
    }

    /** @return a PULLED frame */
    public static byte[] pulled(PullOutcome o) {
        ByteBuffer b = buffer(8 * 5 + 1);
        b.putLong(o.sequence());
        b.putLong(o.count());
        b.putLong(o.bytes());
        b.putLong(o.wireBytes());
        b.putLong(o.bytesWritten());
        b.put((byte) (o.stagedOnDisk() ? 1 : 0));
        return frame(TYPE_PULLED, b.array());
    }

    /**
     * @param request the question
     * @return the LINEAGE_QUERY body before the proof length: what the client's proof signs
     */
    public static byte[] lineageQuerySignedBody(LineageRequest request) {
        byte[] replica = request.sourceReplica().getBytes(StandardCharsets.UTF_8);
        byte[] ns = request.namespace().getBytes(StandardCharsets.US_ASCII);
        byte[] from = request.from();
        byte[] to = request.to();
        ByteBuffer b = buffer(1 + replica.length + 1 + ns.length + 1 + (from == null ? 0 : 4 + from.length)
                + (to == null ? 0 : 4 + to.length) + 8 + 4);
        b.put((byte) replica.length).put(replica);
        b.put((byte) ns.length).put(ns);
        b.put((byte) ((from == null ? 0 : LINEAGE_FLAG_FROM) | (to == null ? 0 : LINEAGE_FLAG_TO)));
        if (from != null) {
            b.putInt(from.length).put(from);
        }
        if (to != null) {
            b.putInt(to.length).put(to);
        }
        b.putLong(request.since().getEpochSecond());
        b.putInt(request.since().getNano());
        return b.array();
    }

    /**
     * @param signedBody what {@link #lineageQuerySignedBody} returned
     * @param proof      the client's proof, or an empty array
     * @return a LINEAGE_QUERY frame
     */
    public static byte[] lineageQuery(byte[] signedBody, byte[] proof) {
        ByteBuffer b = buffer(signedBody.length + 1 + proof.length);
        b.put(signedBody);
        putProof(b, proof);
        return frame(TYPE_LINEAGE_QUERY, b.array());
    }

    /**
     * @param records the answer, oldest first
     * @return a LINEAGE_RECORDS frame
     * @throws IllegalArgumentException if there are more than {@link #MAX_LINEAGE_RECORDS} records or the frame
     *                                  would exceed {@link #MAX_FRAME_BYTES}, or a record breaks a limit of
     *                                  FORMAT.md 15
     */
    public static byte[] lineageRecords(List<LineageRecord> records) {
        if (records.size() > MAX_LINEAGE_RECORDS) {
            throw new IllegalArgumentException("an answer of " + records.size() + " lineage records exceeds the limit "
                    + "of " + MAX_LINEAGE_RECORDS + " records (RepairFrameFormat.MAX_LINEAGE_RECORDS)");
        }
        List<byte[]> payloads = new ArrayList<>(records.size());
        long length = 4;
        for (LineageRecord r : records) {
            byte[] p = LineageRecordFormat.encode(r);
            payloads.add(p);
            length += 4 + p.length;
        }
        if (length + 1 > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("an answer of " + records.size() + " lineage records takes " + length
                    + " bytes, over the frame limit of " + MAX_FRAME_BYTES
                    + " bytes (RepairFrameFormat.MAX_FRAME_BYTES)");
        }
        ByteBuffer b = buffer((int) length);
        b.putInt(records.size());
        for (byte[] p : payloads) {
            b.putInt(p.length).put(p);
        }
        return frame(TYPE_LINEAGE_RECORDS, b.array());
    }

    private static byte[] name(String what, String value, java.nio.charset.Charset charset, int min, int max) {
        byte[] bytes = value.getBytes(charset);
        if (bytes.length < min || bytes.length > max) {
            throw new IllegalArgumentException("a PULL frame's " + what + " of " + bytes.length
                    + " bytes is outside " + min + ".." + max);
        }
        return bytes;
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Checks a frame header and returns the length of what follows it.
     *
     * @param header   the {@value #HEADER_LENGTH} header bytes
     * @param maxFrame the longest frame (type and body) the receiver accepts
     * @return n, the number of bytes to read next
     * @throws RepairProtocolException if the length is below 1 ({@code MALFORMED}) or above {@code maxFrame}
     *                                 ({@code TOO_LARGE})
     */
    public static int frameLength(byte[] header, int maxFrame) {
        int n = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(LENGTH_OFFSET);
        if (n < 1) {
            throw new RepairProtocolException(Problem.MALFORMED, "frame length " + n + " is below 1");
        }
        if (n > maxFrame) {
            throw new RepairProtocolException(Problem.TOO_LARGE, "frame length " + n + " exceeds the limit of "
                    + maxFrame + " bytes");
        }
        return n;
    }

    /**
     * Verifies the CRC of a frame's content.
     *
     * @param header  the frame header
     * @param content the n bytes after it
     * @param stream  where the frame came from, e.g. {@code repair:127.0.0.1:7001}; the report's file
     * @param offset  the frame's offset in that stream
     * @return the frame
     * @throws CorruptionException of kind {@code CHECKSUM_MISMATCH} naming {@code stream} and {@code offset} if the
     *                             CRC does not match
     */
    public static Frame verify(byte[] header, byte[] content, String stream, long offset) {
        int stored = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(CRC_OFFSET);
        int actual = Crc32c.maskedOf(ByteBuffer.wrap(content));
        if (stored != actual) {
            throw new CorruptionException(CorruptionReport.checksum(Path.of(stream), offset,
                    HEADER_LENGTH + content.length, stored, actual,
                    "a repair frame of type code " + (content[0] & 0xFF) + " does not match its CRC32C"));
        }
        ByteBuffer body = ByteBuffer.wrap(content, 1, content.length - 1).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Frame(content[0] & 0xFF, body);
    }

    /**
     * @param b the body of a frame of this type
     * @return the decoded HELLO
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static Hello decodeHello(ByteBuffer b) {
        return parse("HELLO", b, () -> {
            Hello h = new Hello(b.getShort() & 0xFFFF, bytes(b, NONCE_LENGTH));
            expectEnd("HELLO", b);
            return h;
        });
    }

    /**
     * @param b the body of a frame of this type
     * @return the decoded WELCOME
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static Welcome decodeWelcome(ByteBuffer b) {
        return parse("WELCOME", b, () -> {
            int start = b.position();
            int version = b.getShort() & 0xFFFF;
            byte[] nonce = bytes(b, NONCE_LENGTH);
            byte[] signed = new byte[b.position() - start];
            b.duplicate().position(start).get(signed);
            byte[] proof = proof("WELCOME", b);
            expectEnd("WELCOME", b);
            return new Welcome(version, nonce, proof, signed);
        });
    }

    /**
     * @param b the body of a frame of this type
     * @return the decoded REQUEST
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static Request decodeRequest(ByteBuffer b) {
        return parse("REQUEST", b, () -> {
            int kind = b.get() & 0xFF;
            if (!isKind(kind)) {
                throw malformed("REQUEST kind " + kind + " is not " + KIND_DIGEST_AT + " (DIGEST_AT), "
                        + KIND_STREAM_RANGE + " (STREAM_RANGE), " + KIND_PULL + " (PULL), " + KIND_LINEAGE
                        + " (LINEAGE), " + KIND_PLANS + " (PLANS) or " + KIND_DECIDE + " (DECIDE)");
            }
            long sequence = b.getLong();
            if (sequence < 0) {
                throw malformed("REQUEST sequence " + sequence + " is below 0");
            }
            byte[] proof = proof("REQUEST", b);
            expectEnd("REQUEST", b);
            return new Request(kind, sequence, proof);
        });
    }

    /**
     * @param b the body of a DIGEST frame
     * @return the digest, or null when the frame says that no range is held
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static RangeDigest decodeDigest(ByteBuffer b) {
        return parse("DIGEST", b, () -> {
            int found = b.get() & 0xFF;
            if (found == 0) {
                expectEnd("DIGEST", b);
                return null;
            }
            if (found != 1) {
                throw malformed("DIGEST found flag " + found + " is neither 0 nor 1");
            }
            long sequence = b.getLong();
            int statusCode = b.get() & 0xFF;
            long count = b.getLong();
            long bytes = b.getLong();
            long low = b.getLong();
            long high = b.getLong();
            int flags = b.get() & 0xFF;
            if ((flags & ~FLAG_OPEN_END) != 0) {
                throw malformed(String.format("DIGEST flags 0x%02x set bits other than bit 0", flags));
            }
            int nsLength = b.get() & 0xFF;
            String ns = new String(bytes(b, nsLength), StandardCharsets.US_ASCII);
            byte[] from = sized(b, "DIGEST from", MAX_FROM_LENGTH);
            byte[] to = (flags & FLAG_OPEN_END) != 0 ? null : sized(b, "DIGEST to", MAX_TO_LENGTH);
            String detail = detail("DIGEST", b);
            expectEnd("DIGEST", b);
            RangeDigest.Status status;
            try {
                status = RangeDigest.Status.ofCode(statusCode);
                return new RangeDigest(ns, from, to, sequence, count, bytes, new Hash128(high, low), status, detail);
            } catch (IllegalArgumentException e) {
                throw malformed("DIGEST holds an invalid digest: " + e.getMessage());
            }
        });
    }

    /**
     * @param b the body of a CHUNK frame
     * @return the pairs of the CHUNK, keys and values within the store's limits
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3; the message
     *                                 names the pair and the limit, never its bytes
     */
    public static List<RangeEntry> decodeChunk(ByteBuffer b) {
        return parse("CHUNK", b, () -> {
            int p = b.getInt();
            if (p < 1 || p > b.remaining() / 8) {
                throw malformed("CHUNK pair count " + p + " is below 1 or more than the " + b.remaining()
                        + " body bytes left can hold at 8 bytes each");
            }
            List<RangeEntry> pairs = new ArrayList<>(p);
            for (int i = 0; i < p; i++) {
                byte[] key = sized(b, "CHUNK key " + i, Limits.MAX_KEY_LENGTH);
                byte[] value = sized(b, "CHUNK value " + i, Limits.MAX_VALUE_LENGTH);
                pairs.add(new RangeEntry(key, value));
            }
            expectEnd("CHUNK", b);
            return pairs;
        });
    }

    /**
     * @param b the body of a frame of this type
     * @return the decoded END
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static End decodeEnd(ByteBuffer b) {
        return parse("END", b, () -> {
            long sequence = b.getLong();
            long count = b.getLong();
            long bytes = b.getLong();
            long low = b.getLong();
            long high = b.getLong();
            int chunks = b.getInt();
            if (sequence < 0 || count < 0 || bytes < 0 || chunks < 0) {
                throw malformed("END sequence " + sequence + ", count " + count + ", bytes " + bytes + " or chunks "
                        + chunks + " is below 0");
            }
            expectEnd("END", b);
            return new End(sequence, count, bytes, new Hash128(high, low), chunks);
        });
    }

    /**
     * @param b the body of an ERROR frame
     * @return the decoded ERROR; its detail is decoded leniently (a cut text may end inside a character)
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static Error decodeError(ByteBuffer b) {
        return parse("ERROR", b, () -> {
            int reason = b.get() & 0xFF;
            String detail = detail("ERROR", b);
            expectEnd("ERROR", b);
            return new Error(reason, detail);
        });
    }

    /**
     * @param b the body of a PULL frame
     * @return the decoded PULL
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static Pull decodePull(ByteBuffer b) {
        return parse("PULL", b, () -> {
            int start = b.position();
            String endpoint = new String(bytes(b, pullName(b, "source endpoint", 1, MAX_PULL_NAME_BYTES)),
                    StandardCharsets.US_ASCII);
            String replica = new String(bytes(b, pullName(b, "source replica id", 1, MAX_PULL_NAME_BYTES)),
                    StandardCharsets.UTF_8);
            String repairId = new String(bytes(b, pullName(b, "repair id", 0, MAX_REPAIR_ID_BYTES)),
                    StandardCharsets.US_ASCII);
            int d = b.getInt();
            if (d < 1 || d > b.remaining()) {
                throw malformed("PULL digest length " + d + " is below 1 or runs past the end of the body ("
                        + b.remaining() + " bytes left)");
            }
            int digestStart = b.position();
            int proofLengthAt = digestStart + d;
            ByteBuffer digestBody = b.duplicate().position(digestStart).limit(proofLengthAt).slice();
            RangeDigest expected = decodeDigest(digestBody);
            if (expected == null) {
                throw malformed("PULL carries no expected digest (found flag 0)");
            }
            byte[] signed = new byte[proofLengthAt - start];
            b.duplicate().position(start).get(signed);
            b.position(proofLengthAt);
            byte[] proof = proof("PULL", b);
            expectEnd("PULL", b);
            try {
                return new Pull(new PullOrder(endpoint, replica, repairId, expected), proof, signed);
            } catch (IllegalArgumentException e) {
                throw malformed("PULL holds an invalid order: " + e.getMessage());
            }
        });
    }

    /**
     * @param b the body of a PULLED frame
     * @return the decoded PULLED
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static PullOutcome decodePulled(ByteBuffer b) {
        return parse("PULLED", b, () -> {
            long sequence = b.getLong();
            long count = b.getLong();
            long bytes = b.getLong();
            long wire = b.getLong();
            long written = b.getLong();
            int staged = b.get() & 0xFF;
            if (staged > 1) {
                throw malformed("PULLED staged flag " + staged + " is neither 0 nor 1");
            }
            expectEnd("PULLED", b);
            try {
                return new PullOutcome(sequence, count, bytes, wire, written, staged == 1);
            } catch (IllegalArgumentException e) {
                throw malformed("PULLED holds an invalid outcome: " + e.getMessage());
            }
        });
    }

    /**
     * @param b the body of a LINEAGE_QUERY frame
     * @return the decoded query
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static LineageQuery decodeLineageQuery(ByteBuffer b) {
        return parse("LINEAGE_QUERY", b, () -> {
            int start = b.position();
            int r = b.get() & 0xFF;
            if (r < 1) {
                throw malformed("LINEAGE_QUERY source replica id length 0 is outside 1.." + MAX_PULL_NAME_BYTES);
            }
            String replica = new String(bytes(b, r), StandardCharsets.UTF_8);
            int n = b.get() & 0xFF;
            if (n < 1 || n > MAX_NAMESPACE_NAME_BYTES) {
                throw malformed("LINEAGE_QUERY namespace length " + n + " is outside 1.."
                        + MAX_NAMESPACE_NAME_BYTES);
            }
            String ns = new String(bytes(b, n), StandardCharsets.US_ASCII);
            int flags = b.get() & 0xFF;
            if ((flags & ~(LINEAGE_FLAG_FROM | LINEAGE_FLAG_TO)) != 0) {
                throw malformed("LINEAGE_QUERY flags " + flags + " set bits other than 0 and 1");
            }
            byte[] from = (flags & LINEAGE_FLAG_FROM) != 0 ? sized(b, "LINEAGE_QUERY from", MAX_FROM_LENGTH) : null;
            byte[] to = (flags & LINEAGE_FLAG_TO) != 0 ? sized(b, "LINEAGE_QUERY to", MAX_TO_LENGTH) : null;
            long seconds = b.getLong();
            int nanos = b.getInt();
            if (nanos < 0 || nanos > 999_999_999) {
                throw malformed("LINEAGE_QUERY since nanoseconds " + nanos + " is outside 0..999999999");
            }
            Instant since;
            try {
                since = Instant.ofEpochSecond(seconds, nanos);
            } catch (java.time.DateTimeException e) {
                throw malformed("LINEAGE_QUERY since seconds " + seconds + " is outside the range of an instant");
            }
            byte[] signed = new byte[b.position() - start];
            b.duplicate().position(start).get(signed);
            byte[] proof = proof("LINEAGE_QUERY", b);
            expectEnd("LINEAGE_QUERY", b);
            try {
                return new LineageQuery(new LineageRequest(replica, ns, from, to, since), proof, signed);
            } catch (IllegalArgumentException e) {
                throw malformed("LINEAGE_QUERY holds an invalid request: " + e.getMessage());
            }
        });
    }

    /**
     * @param b the body of a LINEAGE_RECORDS frame
     * @return the records, in the order sent
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3 or a record
     *                                 does not decode as FORMAT.md 15 says
     */
    public static List<LineageRecord> decodeLineageRecords(ByteBuffer b) {
        return parse("LINEAGE_RECORDS", b, () -> {
            long c = b.getInt() & 0xFFFFFFFFL;
            if (c > MAX_LINEAGE_RECORDS) {
                throw malformed("LINEAGE_RECORDS count " + c + " exceeds " + MAX_LINEAGE_RECORDS);
            }
            List<LineageRecord> out = new ArrayList<>((int) c);
            for (int i = 0; i < c; i++) {
                int length = b.getInt();
                int max = LineageRecordFormat.MAX_ENCODED_LENGTH;
                if (length < 1 || length > max) {
                    throw malformed("LINEAGE_RECORDS record " + i + " length " + length + " is outside 1.." + max);
                }
                if (length > b.remaining()) {
                    throw malformed("LINEAGE_RECORDS record " + i + " length " + length + " runs past the end of "
                            + "the body (" + b.remaining() + " bytes left)");
                }
                byte[] payload = bytes(b, length);
                try {
                    out.add(LineageRecordFormat.decode(payload, Path.of("lineage-records"),
                            i));
                } catch (StorageException | IllegalArgumentException e) {
                    // A record whose frame passed its CRC but does not decode was sent wrong: a protocol error.
                    throw malformed("LINEAGE_RECORDS record " + i + " does not decode: " + e.getMessage());
                }
            }
            expectEnd("LINEAGE_RECORDS", b);
            return out;
        });
    }

    private static int pullName(ByteBuffer b, String what, int min, int max) {
        int n = b.get() & 0xFF;
        if (n < min || n > max) {
            throw malformed("PULL " + what + " length " + n + " is outside " + min + ".." + max);
        }
        return n;
    }

    // ---------------------------------------------------------------- checks shared with RangeDigest

    static void checkNamespace(String ns) {
        if (!NAMESPACE.matcher(ns).matches()) {
            throw new IllegalArgumentException("a namespace name must match " + Limits.NAMESPACE_NAME_PATTERN
                    + ", got one of " + ns.length() + " characters that does not");
        }
    }

    static void checkBound(String which, int length, int limit) {
        if (length > limit) {
            throw new IllegalArgumentException("the range's " + which + " bound of " + length
                    + " bytes exceeds the limit of " + limit + " bytes");
        }
    }

    static void checkDetail(String detail) {
        int n = detail.getBytes(StandardCharsets.UTF_8).length;
        if (n > MAX_DETAIL_BYTES) {
            throw new IllegalArgumentException("a digest's detail of " + n + " UTF-8 bytes exceeds the limit of "
                    + MAX_DETAIL_BYTES + " bytes (RepairFrameFormat.MAX_DETAIL_BYTES)");
        }
    }

    static void checkPair(int keyLength, int valueLength) {
        if (keyLength > Limits.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key of " + keyLength + " bytes exceeds the limit of "
                    + Limits.MAX_KEY_LENGTH + " bytes (Limits.MAX_KEY_LENGTH)");
        }
        if (valueLength > Limits.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("value of " + valueLength + " bytes exceeds the limit of "
                    + Limits.MAX_VALUE_LENGTH + " bytes (Limits.MAX_VALUE_LENGTH)");
        }
    }

    private static void checkKind(int kind) {
        if (!isKind(kind)) {
            throw new IllegalArgumentException("request kind must be " + KIND_DIGEST_AT + " to " + KIND_DECIDE
                    + ", was " + kind);
        }
    }

    private static boolean isKind(int kind) {
        return kind >= KIND_DIGEST_AT && kind <= KIND_DECIDE;
    }

    // ---------------------------------------------------------------- helpers

    interface Parser<T> {
        T parse();
    }

    /** Runs a decoder, turning a body that ends before its last field into a MALFORMED frame. */
    static <T> T parse(String what, ByteBuffer b, Parser<T> p) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        try {
            return p.parse();
        } catch (BufferUnderflowException e) {
            throw malformed(what + " body ends before its last field");
        }
    }

    private static byte[] welcomeOrHelloBody(byte[] nonce) {
        ByteBuffer b = buffer(2 + NONCE_LENGTH);
        b.putShort((short) PROTOCOL_VERSION);
        b.put(checkNonce(nonce));
        return b.array();
    }

    private static byte[] checkNonce(byte[] nonce) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a nonce is " + NONCE_LENGTH + " bytes, got " + nonce.length);
        }
        return nonce;
    }

    static void putProof(ByteBuffer b, byte[] proof) {
        if (proof.length != 0 && proof.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a proof is 0 or " + NONCE_LENGTH + " bytes, got " + proof.length);
        }
        b.put((byte) proof.length);
        b.put(proof);
    }

    static byte[] proof(String what, ByteBuffer b) {
        int m = b.get() & 0xFF;
        if (m != 0 && m != NONCE_LENGTH) {
            throw malformed(what + " proof length " + m + " is neither 0 nor " + NONCE_LENGTH);
        }
        return bytes(b, m);
    }

    private static byte[] sized(ByteBuffer b, String what, int limit) {
        int n = b.getInt();
        if (n < 0 || n > limit) {
            throw malformed(what + " length " + n + " is outside 0.." + limit);
        }
        if (n > b.remaining()) {
            throw malformed(what + " length " + n + " runs past the end of the body (" + b.remaining()
                    + " bytes left)");
        }
        return bytes(b, n);
    }

    static String detail(String what, ByteBuffer b) {
        int k = b.getShort() & 0xFFFF;
        if (k > MAX_DETAIL_BYTES) {
            throw malformed(what + " detail length " + k + " exceeds " + MAX_DETAIL_BYTES);
        }
        byte[] text = bytes(b, k);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(text)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw malformed(what + " detail is not UTF-8");
        }
    }

    static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    static void expectEnd(String what, ByteBuffer b) {
        if (b.hasRemaining()) {
            throw malformed(what + " body has " + b.remaining() + " bytes after its last field");
        }
    }

    static RepairProtocolException malformed(String message) {
        return new RepairProtocolException(Problem.MALFORMED, message);
    }

    static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
