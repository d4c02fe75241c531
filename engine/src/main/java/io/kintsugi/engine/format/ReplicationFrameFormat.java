package io.kintsugi.engine.format;

import io.kintsugi.engine.replication.ReplicationProtocolException;
import io.kintsugi.engine.replication.ReplicationProtocolException.Problem;
import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.RecordFormat;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The frames replicas exchange over a replication connection (TCP or in-process), version
 * {@value #PROTOCOL_VERSION}.
 *
 * <p>Every frame (little-endian):
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
 * HELLO     (1, follower to primary)  u16 protocol version, 16 follower id, i64 follower's highest term,
 *                                     32 follower nonce
 * WELCOME   (2, primary to follower)  u16 protocol version, 16 primary id, i64 primary term,
 *                                     i64 first retained sequence, i64 last sequence, 32 primary nonce,
 *                                     u32 n, n × 32 term history entries (i64 term, i64 start sequence,
 *                                     16 primary id), u8 m (0 or 32), m bytes proof
 * FETCH     (3, follower to primary)  i64 first sequence wanted, u8 m (0 or 32), m bytes proof
 * RECORDS   (4, primary to follower)  i64 primary's last sequence, u32 n, n oplog records exactly as
 *                                     {@link RecordFormat} lays them out, each with its own two CRCs
 * HEARTBEAT (5, primary to follower)  i64 primary's last sequence, i64 primary term
 * ACK       (6, follower to primary)  i64 last sequence the follower holds durably and has applied
 * REJECT    (7, either way)           u8 reason (REASON_ constants), i64 sender's highest term,
 *                                     u16 k (at most {@value #MAX_DETAIL_BYTES}), k bytes UTF-8 detail
 * </pre>
 * UUIDs are written most significant half first. The proofs are HMAC-SHA256 values (see the replication
 * package's {@code Authenticator}); a peer without a shared secret sends none.
 */
public final class ReplicationFrameFormat {

    /** The protocol version this build speaks. */
    public static final int PROTOCOL_VERSION = 1;
    /** Bytes of the frame header: length and crc. */
    public static final int HEADER_LENGTH = 8;
    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int TYPE_OFFSET = 8;
    /** Length of a nonce and of a proof. */
    public static final int NONCE_LENGTH = 32;
    /** Longest detail text of a REJECT frame, in bytes. */
    public static final int MAX_DETAIL_BYTES = 1024;

    public static final int TYPE_HELLO = 1;
    public static final int TYPE_WELCOME = 2;
    public static final int TYPE_FETCH = 3;
    public static final int TYPE_RECORDS = 4;
    public static final int TYPE_HEARTBEAT = 5;
    public static final int TYPE_ACK = 6;
    public static final int TYPE_REJECT = 7;

    /** REJECT reason: the receiver of the HELLO is not a primary. */
    public static final int REASON_NOT_PRIMARY = 1;
    /** REJECT reason: the rejected side's term is lower than the sender's highest term. */
    public static final int REASON_STALE_TERM = 2;
    /** REJECT reason: the peer did not prove it knows the shared secret. */
    public static final int REASON_AUTHENTICATION_FAILED = 3;
    /** REJECT reason: the protocol version is not supported. */
    public static final int REASON_UNSUPPORTED_VERSION = 4;
    /** REJECT reason: the sequence asked for is no longer retained by the primary. */
    public static final int REASON_NOT_RETAINED = 5;
    /** REJECT reason: a frame was malformed or out of turn. */
    public static final int REASON_PROTOCOL_ERROR = 6;
    /** REJECT reason: the sender is closing. */
    public static final int REASON_SHUTTING_DOWN = 7;

    private ReplicationFrameFormat() {
    }

    /** A decoded frame: its type and its body, checked against the frame CRC. */
    public record Frame(int type, ByteBuffer body) {
    }

    /** HELLO. */
    public record Hello(int protocolVersion, UUID follower, long followerTerm, byte[] nonce) {
    }

    /** WELCOME; {@code signedLength} is how many body bytes the proof covers (all before the proof length). */
    public record Welcome(int protocolVersion, UUID primary, long term, long firstSequence, long lastSequence,
                          byte[] nonce, TermHistory history, byte[] proof, byte[] signedBody) {
    }

    /** FETCH. */
    public record Fetch(long fromSequence, byte[] proof) {
    }

    /** RECORDS: the records, each already verified against its own CRCs. */
    public record Records(long primaryLastSequence, List<LogRecord> records) {
    }

    /** HEARTBEAT. */
    public record Heartbeat(long primaryLastSequence, long term) {
    }

    /** REJECT. */
    public record Reject(int reason, long term, String detail) {
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Wraps a body in a frame.
     *
     * @param type the frame type
     * @param body the body bytes
     * @return the whole frame
     */
    public static byte[] frame(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + 1 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LENGTH_OFFSET, 1 + body.length);
        b.put(TYPE_OFFSET, (byte) type);
        b.position(TYPE_OFFSET + 1);
        b.put(body);
        b.putInt(CRC_OFFSET, Crc32c.maskedOf(b, TYPE_OFFSET, b.capacity()));
        return b.array();
    }

    /** @return a HELLO frame */
    public static byte[] hello(UUID follower, long followerTerm, byte[] nonce) {
        ByteBuffer b = buffer(2 + 16 + 8 + NONCE_LENGTH);
        b.putShort((short) PROTOCOL_VERSION);
        putUuid(b, follower);
        b.putLong(followerTerm);
        b.put(checkNonce(nonce));
        return frame(TYPE_HELLO, b.array());
    }

    /**
     * The WELCOME body up to (not including) the proof length: what the primary's proof signs.
     *
     * @return the signed part of a WELCOME body
     */
    public static byte[] welcomeSignedBody(UUID primary, long term, long firstSequence, long lastSequence,
                                           byte[] nonce, TermHistory history) {
        ByteBuffer b = buffer(2 + 16 + 8 + 8 + 8 + NONCE_LENGTH + 4
                + history.entries().size() * TermHistoryFormat.ENTRY_LENGTH);
        b.putShort((short) PROTOCOL_VERSION);
        putUuid(b, primary);
        b.putLong(term);
        b.putLong(firstSequence);
        b.putLong(lastSequence);
        b.put(checkNonce(nonce));
        b.putInt(history.entries().size());
        for (TermHistory.Entry e : history.entries()) {
            TermHistoryFormat.putEntry(b, e);
        }
        return b.array();
    }

    /**
     * @param signedBody what {@link #welcomeSignedBody} returned
     * @param proof      the primary's proof, or an empty array
     * @return a WELCOME frame
     */
    public static byte[] welcome(byte[] signedBody, byte[] proof) {
        ByteBuffer b = buffer(signedBody.length + 1 + proof.length);
        b.put(signedBody);
        putProof(b, proof);
        return frame(TYPE_WELCOME, b.array());
    }

    /** @return a FETCH frame */
    public static byte[] fetch(long fromSequence, byte[] proof) {
        ByteBuffer b = buffer(8 + 1 + proof.length);
        b.putLong(fromSequence);
        putProof(b, proof);
        return frame(TYPE_FETCH, b.array());
    }

    /**
     * @param primaryLastSequence the primary's last sequence as it sends
     * @param records             consecutive records
     * @return a RECORDS frame
     */
    public static byte[] records(long primaryLastSequence, List<LogRecord> records) {
        long size = 8 + 4;
        for (LogRecord r : records) {
            size += RecordFormat.encodedLength(r.payload().length);
        }
        if (size > Integer.MAX_VALUE - HEADER_LENGTH - 1) {
            throw new IllegalArgumentException("a RECORDS frame of " + size + " bytes is too large");
        }
        ByteBuffer b = buffer((int) size);
        b.putLong(primaryLastSequence);
        b.putInt(records.size());
        for (LogRecord r : records) {
            RecordFormat.encode(b, r.sequence(), r.term(), r.type(), r.payload());
        }
        return frame(TYPE_RECORDS, b.array());
    }

    /** @return a HEARTBEAT frame */
    public static byte[] heartbeat(long primaryLastSequence, long term) {
        ByteBuffer b = buffer(16);
        b.putLong(primaryLastSequence);
        b.putLong(term);
        return frame(TYPE_HEARTBEAT, b.array());
    }

    /** @return an ACK frame */
    public static byte[] ack(long durableSequence) {
        ByteBuffer b = buffer(8);
        b.putLong(durableSequence);
        return frame(TYPE_ACK, b.array());
    }

    /**
     * @param reason one of the REASON_ constants
     * @param term   the sender's highest term
     * @param detail why, metadata only; cut to {@value #MAX_DETAIL_BYTES} bytes
     * @return a REJECT frame
     */
    public static byte[] reject(int reason, long term, String detail) {
        byte[] text = detail.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_DETAIL_BYTES);
        ByteBuffer b = buffer(1 + 8 + 2 + n);
        b.put((byte) reason);
        b.putLong(term);
        b.putShort((short) n);
        b.put(text, 0, n);
        return frame(TYPE_REJECT, b.array());
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Checks a frame header and returns the length of what follows it.
     *
     * @param header   the {@value #HEADER_LENGTH} header bytes
     * @param maxFrame the longest frame (type and body) the receiver accepts
     * @return n, the number of bytes to read next
     * @throws ReplicationProtocolException if the length is zero or above {@code maxFrame}
     */
    public static int frameLength(byte[] header, int maxFrame) {
        int n = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(LENGTH_OFFSET);
        if (n < 1) {
            throw new ReplicationProtocolException(Problem.MALFORMED, "frame length " + n + " is below 1");
        }
        if (n > maxFrame) {
            throw new ReplicationProtocolException(Problem.TOO_LARGE, "frame length " + n
                    + " exceeds the limit of " + maxFrame + " bytes");
        }
        return n;
    }

    /**
     * Verifies the CRC of a frame's content.
     *
     * @param header  the frame header
     * @param content the n bytes after it
     * @return the frame
     * @throws ReplicationProtocolException if the CRC does not match
     */
    public static Frame verify(byte[] header, byte[] content) {
        int stored = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(CRC_OFFSET);
        int actual = Crc32c.maskedOf(ByteBuffer.wrap(content));
        if (stored != actual) {
            throw new ReplicationProtocolException(Problem.CHECKSUM_MISMATCH, String.format(
                    "a frame of %d bytes does not match its checksum: stored 0x%08x, computed 0x%08x",
                    content.length, stored, actual));
        }
        ByteBuffer body = ByteBuffer.wrap(content, 1, content.length - 1).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Frame(content[0] & 0xFF, body);
    }

    /** @return the decoded HELLO */
    public static Hello decodeHello(ByteBuffer b) {
        return parse("HELLO", b, () -> {
            Hello h = new Hello(b.getShort() & 0xFFFF, getUuid(b), b.getLong(), bytes(b, NONCE_LENGTH));
            expectEnd("HELLO", b);
            return h;
        });
    }

    /** @return the decoded WELCOME */
    public static Welcome decodeWelcome(ByteBuffer b) {
        return parse("WELCOME", b, () -> {
            int start = b.position();
            int version = b.getShort() & 0xFFFF;
            UUID primary = getUuid(b);
            long term = b.getLong();
            long first = b.getLong();
            long last = b.getLong();
            byte[] nonce = bytes(b, NONCE_LENGTH);
            int n = b.getInt();
            if (n < 0 || n > TermHistory.MAX_ENTRIES || (long) n * TermHistoryFormat.ENTRY_LENGTH > b.remaining()) {
                throw new ReplicationProtocolException(Problem.MALFORMED, "WELCOME holds " + n
                        + " term history entries; at most " + TermHistory.MAX_ENTRIES + " fit the rules and "
                        + b.remaining() / TermHistoryFormat.ENTRY_LENGTH + " fit the frame");
            }
            TermHistory history;
            try {
                history = TermHistory.of(TermHistoryFormat.readEntries(b, n));
            } catch (IllegalArgumentException e) {
                throw new ReplicationProtocolException(Problem.MALFORMED, "WELCOME holds an invalid term history: "
                        + e.getMessage());
            }
            byte[] signed = new byte[b.position() - start];
            b.duplicate().position(start).get(signed);
            byte[] proof = proof("WELCOME", b);
            expectEnd("WELCOME", b);
            return new Welcome(version, primary, term, first, last, nonce, history, proof, signed);
        });
    }

    /** @return the decoded FETCH */
    public static Fetch decodeFetch(ByteBuffer b) {
        return parse("FETCH", b, () -> {
            long from = b.getLong();
            if (from < 1) {
                throw new ReplicationProtocolException(Problem.MALFORMED, "FETCH asks for sequence " + from
                        + "; sequences start at 1");
            }
            byte[] proof = proof("FETCH", b);
            expectEnd("FETCH", b);
            return new Fetch(from, proof);
        });
    }

    /**
     * Decodes a RECORDS body and verifies every record against its own header and record CRCs.
     *
     * @param b the body
     * @return the records
     * @throws ReplicationProtocolException if the body is malformed or a record fails its checksum
     */
    public static Records decodeRecords(ByteBuffer b) {
        return parse("RECORDS", b, () -> {
            long primaryLast = b.getLong();
            int n = b.getInt();
            if (n < 1 || (long) n * RecordFormat.HEADER_LENGTH > b.remaining()) {
                throw new ReplicationProtocolException(Problem.MALFORMED, "RECORDS says it holds " + n
                        + " records; there must be at least 1 and the frame has room for at most "
                        + b.remaining() / RecordFormat.HEADER_LENGTH);
            }
            List<LogRecord> records = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                records.add(readRecord(b, i));
            }
            expectEnd("RECORDS", b);
            return new Records(primaryLast, records);
        });
    }

    private static LogRecord readRecord(ByteBuffer b, int index) {
        int start = b.position();
        if (b.remaining() < RecordFormat.HEADER_LENGTH) {
            throw new ReplicationProtocolException(Problem.MALFORMED, "record " + index + " of a RECORDS frame "
                    + "is cut off in its header");
        }
        int storedHeader = b.getInt(start + RecordFormat.HEADER_CRC_OFFSET);
        int actualHeader = RecordFormat.headerChecksum(b, start);
        if (storedHeader != actualHeader) {
            throw new ReplicationProtocolException(Problem.CHECKSUM_MISMATCH, String.format(
                    "record %d of a RECORDS frame does not match its header checksum: stored 0x%08x, computed "
                            + "0x%08x", index, storedHeader, actualHeader));
        }
        int length = b.getInt(start + RecordFormat.LENGTH_OFFSET);
        if (length < 0 || length > b.limit() - start - RecordFormat.HEADER_LENGTH) {
            throw new ReplicationProtocolException(Problem.MALFORMED, "record " + index + " of a RECORDS frame "
                    + "says its payload has " + length + " bytes; the frame has " + Math.max(0,
                    b.limit() - start - RecordFormat.HEADER_LENGTH) + " left");
        }
        int end = start + RecordFormat.HEADER_LENGTH + length;
        int stored = b.getInt(start + RecordFormat.CRC_OFFSET);
        int actual = RecordFormat.checksum(b, start, end);
        if (stored != actual) {
            throw new ReplicationProtocolException(Problem.CHECKSUM_MISMATCH, String.format(
                    "record %d of a RECORDS frame does not match its checksum: stored 0x%08x, computed 0x%08x",
                    index, stored, actual));
        }
        long sequence = b.getLong(start + RecordFormat.SEQUENCE_OFFSET);
        long term = b.getLong(start + RecordFormat.TERM_OFFSET);
        int type = b.get(start + RecordFormat.TYPE_OFFSET) & 0xFF;
        byte[] payload = new byte[length];
        b.position(start + RecordFormat.HEADER_LENGTH);
        b.get(payload);
        if (sequence < 1 || term < 0) {
            throw new ReplicationProtocolException(Problem.MALFORMED, "record " + index + " of a RECORDS frame "
                    + "has sequence " + sequence + " and term " + term);
        }
        return new LogRecord(sequence, term, type, payload);
    }

    /** @return the decoded HEARTBEAT */
    public static Heartbeat decodeHeartbeat(ByteBuffer b) {
        return parse("HEARTBEAT", b, () -> {
            Heartbeat h = new Heartbeat(b.getLong(), b.getLong());
            expectEnd("HEARTBEAT", b);
            return h;
        });
    }

    /** @return the sequence an ACK reports */
    public static long decodeAck(ByteBuffer b) {
        return parse("ACK", b, () -> {
            long s = b.getLong();
            expectEnd("ACK", b);
            return s;
        });
    }

    /** @return the decoded REJECT */
    public static Reject decodeReject(ByteBuffer b) {
        return parse("REJECT", b, () -> {
            int reason = b.get() & 0xFF;
            long term = b.getLong();
            int n = b.getShort() & 0xFFFF;
            if (n > MAX_DETAIL_BYTES) {
                throw new ReplicationProtocolException(Problem.MALFORMED, "REJECT detail of " + n
                        + " bytes exceeds the limit of " + MAX_DETAIL_BYTES);
            }
            String detail = new String(bytes(b, n), StandardCharsets.UTF_8);
            expectEnd("REJECT", b);
            return new Reject(reason, term, detail);
        });
    }

    /** @return a readable name of a frame type, for messages */
    public static String typeName(int type) {
        return switch (type) {
            case TYPE_HELLO -> "HELLO";
            case TYPE_WELCOME -> "WELCOME";
            case TYPE_FETCH -> "FETCH";
            case TYPE_RECORDS -> "RECORDS";
            case TYPE_HEARTBEAT -> "HEARTBEAT";
            case TYPE_ACK -> "ACK";
            case TYPE_REJECT -> "REJECT";
            default -> "unknown type " + type;
        };
    }

    // ---------------------------------------------------------------- helpers

    private interface Body<T> {
        T read();
    }

    private static <T> T parse(String what, ByteBuffer b, Body<T> body) {
        try {
            return body.read();
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new ReplicationProtocolException(Problem.MALFORMED, what + " frame body of " + b.limit()
                    + " bytes is too short for its fields");
        }
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void putUuid(ByteBuffer b, UUID id) {
        b.putLong(id.getMostSignificantBits());
        b.putLong(id.getLeastSignificantBits());
    }

    private static UUID getUuid(ByteBuffer b) {
        return new UUID(b.getLong(), b.getLong());
    }

    private static byte[] checkNonce(byte[] nonce) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a nonce has " + NONCE_LENGTH + " bytes, this one " + nonce.length);
        }
        return nonce;
    }

    private static void putProof(ByteBuffer b, byte[] proof) {
        if (proof.length != 0 && proof.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a proof has 0 or " + NONCE_LENGTH + " bytes, this one "
                    + proof.length);
        }
        b.put((byte) proof.length);
        b.put(proof);
    }

    private static byte[] proof(String what, ByteBuffer b) {
        int m = b.get() & 0xFF;
        if (m != 0 && m != NONCE_LENGTH) {
            throw new ReplicationProtocolException(Problem.MALFORMED, what + " proof length " + m
                    + " is neither 0 nor " + NONCE_LENGTH);
        }
        return bytes(b, m);
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static void expectEnd(String what, ByteBuffer b) {
        if (b.hasRemaining()) {
            throw new ReplicationProtocolException(Problem.MALFORMED, what + " frame body has " + b.remaining()
                    + " bytes after its last field");
        }
    }
}
