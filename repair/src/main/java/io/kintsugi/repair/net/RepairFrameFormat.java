package io.kintsugi.repair.net;

import io.kintsugi.engine.Limits;
import io.kintsugi.engine.format.ReplicationFrameFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.repair.net.RepairProtocolException.Problem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 *
 * <p>This class owns what the whole format shares: the frame and its checks ({@link #frame}, {@link #frameLength},
 * {@link #verify}), the protocol version, the type codes, the request kinds, the ERROR reasons and every limit. Each
 * family of bodies is laid out by a package-private class beside it: {@code HandshakeFrames} (HELLO, WELCOME,
 * REQUEST), {@code DigestFrames} (DIGEST), {@code ChunkFrames} (CHUNK, END), {@code ErrorFrames} (ERROR),
 * {@code PullFrames} (PULL, PULLED), {@code LineageFrames} (LINEAGE_QUERY, LINEAGE_RECORDS) and
 * {@link PlanFrameFormat} (PLANS, DECISION, DECIDED); {@code FrameFields} holds the field encodings they share.
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
    /** DIGEST flag: the range runs to the end of its namespace, so the body holds no {@code to} bound. */
    static final int FLAG_OPEN_END = 1;
    private static final Pattern NAMESPACE = Pattern.compile(Limits.NAMESPACE_NAME_PATTERN);

    private RepairFrameFormat() {
    }

    /** A frame whose CRC matched: its type and body. */
    public record Frame(int type, ByteBuffer body) {
    }

    // ---------------------------------------------------------------- the frame

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

    // ---------------------------------------------------------------- limits and kinds, checked by the families
    //                                                                  and by RangeDigest, LineageRequest, PendingPlan

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

    static boolean isKind(int kind) {
        return kind >= KIND_DIGEST_AT && kind <= KIND_DECIDE;
    }

}
