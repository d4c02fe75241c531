package io.kintsugi.validation.scan;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.validation.Hash128;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The payload of a range-hash marker: an oplog record of the engine's log-marker type
 * ({@code WriteBatchFormat.TYPE_LOG_MARKER}), whose own frame carries the CRC32C that covers this payload.
 *
 * <p>Layout (little-endian):
 * <pre>
 * offset size field
 *      0    1 marker kind    {@value #KIND_RANGE_HASH} = range hash; other values belong to other extensions
 *      1    1 version        {@value #VERSION_CURRENT}
 *      2    1 algorithm      {@link HashAlgorithm#code()}
 *      3    1 flags          bit 0: the range runs to the end of the namespace (no end key);
 *                            bit 1: hold, a probe's marker: replicas keep the snapshot at the marker for a while
 *                            so that the range can be copied as of it;
 *                            bit 2: the primary could not read the range (only with bit 1; count, bytes and hash
 *                            are then 0); other bits 0
 *      4   16 primary id     UUID, most significant half first (big-endian)
 *     20    8 scan id        the scan pass
 *     28    8 batch          the batch's number within the pass, 0 or more
 *     36    8 hashed at      the primary's snapshot sequence, 0 or more
 *     44    8 count          pairs in the range, 0 or more
 *     52    8 bytes          key and value bytes in the range, 0 or more
 *     60    8 hash low       lower 64 bits of the 128-bit hash
 *     68    8 hash high      upper 64 bits
 *     76    1 namespace length n, 1..64
 *     77    n namespace      ASCII, [a-z0-9_.-]
 *   77+n    4 from length    0..{@value #MAX_KEY_LENGTH}
 *           f from           first key (inclusive)
 *           4 to length      0..{@value #MAX_KEY_LENGTH} + 1; only when flag bit 0 is clear
 *           t to             end key (exclusive)
 * </pre>
 * Nothing may follow. A payload that breaks any of these rules passed its oplog checksum and so was written wrong:
 * it is {@link CorruptionKind#INVALID_CONTENT}.
 */
public final class RangeHashMarkerFormat {

    /** The marker kind byte of a range-hash marker. */
    public static final int KIND_RANGE_HASH = 1;
    public static final int VERSION_CURRENT = 1;
    /** Flag bit 0: the range runs to the end of the namespace and the payload has no end key. */
    public static final int FLAG_OPEN_END = 1;
    /** Flag bit 1: a probe's marker; replicas keep the snapshot at it for a while so the range can be copied. */
    public static final int FLAG_HOLD = 2;
    /** Flag bit 2: the primary could not read the probed range; its count, bytes and hash are 0 (with bit 1 only). */
    public static final int FLAG_PRIMARY_DAMAGED = 4;
    /** The store's key limit; an end key may be one byte longer (a successor of a longest key). */
    public static final int MAX_KEY_LENGTH = 64 * 1024;
    public static final int FIXED_LENGTH = 77;

    private RangeHashMarkerFormat() {
    }

    /**
     * @param payload a log marker's payload
     * @return whether it is a range-hash marker (by its first byte); other kinds belong to other extensions
     */
    public static boolean isRangeHashMarker(byte[] payload) {
        return payload.length > 0 && payload[0] == KIND_RANGE_HASH;
    }

    /**
     * @param m the marker
     * @return its payload
     */
    public static byte[] encode(RangeHashMarker m) {
        byte[] ns = m.namespace().getBytes(StandardCharsets.US_ASCII);
        byte[] from = m.from();
        byte[] to = m.to();
        ByteBuffer b = ByteBuffer.allocate(FIXED_LENGTH + ns.length + 4 + from.length
                + (to == null ? 0 : 4 + to.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) KIND_RANGE_HASH).put((byte) VERSION_CURRENT).put((byte) m.algorithm().code())
                .put((byte) ((to == null ? FLAG_OPEN_END : 0) | (m.hold() ? FLAG_HOLD : 0)
                        | (m.primaryDamaged() ? FLAG_PRIMARY_DAMAGED : 0)));
        b.order(ByteOrder.BIG_ENDIAN).putLong(m.primaryId().getMostSignificantBits())
                .putLong(m.primaryId().getLeastSignificantBits()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(m.scanId()).putLong(m.batch()).putLong(m.hashedAt()).putLong(m.count()).putLong(m.bytes())
                .putLong(m.hash().low()).putLong(m.hash().high());
        b.put((byte) ns.length).put(ns);
        b.putInt(from.length).put(from);
        if (to != null) {
            b.putInt(to.length).put(to);
        }
        return b.array();
    }

    /**
     * @param payload  a range-hash marker's payload
     * @param oplogDir the oplog it came from, for the report
     * @param sequence the marker's sequence, for the report
     * @return the marker
     * @throws CorruptionException if the payload breaks the layout
     */
    public static RangeHashMarker decode(byte[] payload, Path oplogDir, long sequence) {
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int kind = b.get() & 0xff;
            int version = b.get() & 0xff;
            int algorithmCode = b.get() & 0xff;
            int flags = b.get() & 0xff;
            if (kind != KIND_RANGE_HASH) {
                throw bad(oplogDir, sequence, payload, "marker kind " + kind + " is not a range-hash marker");
            }
            if (version != VERSION_CURRENT) {
                throw bad(oplogDir, sequence, payload, "range-hash marker version " + version + " is "
                        + (version > VERSION_CURRENT ? "newer" : "older") + " than the supported version "
                        + VERSION_CURRENT);
            }
            HashAlgorithm algorithm = HashAlgorithm.ofCode(algorithmCode);
            if (algorithm == null) {
                throw bad(oplogDir, sequence, payload, "unknown hash algorithm code " + algorithmCode);
            }
            if ((flags & ~(FLAG_OPEN_END | FLAG_HOLD | FLAG_PRIMARY_DAMAGED)) != 0) {
                throw bad(oplogDir, sequence, payload, "unknown flags " + Integer.toBinaryString(flags));
            }
            b.order(ByteOrder.BIG_ENDIAN);
            UUID primary = new UUID(b.getLong(), b.getLong());
            b.order(ByteOrder.LITTLE_ENDIAN);
            long scanId = b.getLong();
            long batch = b.getLong();
            long hashedAt = b.getLong();
            long count = b.getLong();
            long bytes = b.getLong();
            long low = b.getLong();
            long high = b.getLong();
            if (batch < 0 || hashedAt < 0 || count < 0 || bytes < 0) {
                throw bad(oplogDir, sequence, payload, "a negative batch, sequence, count or byte total");
            }
            int nsLength = b.get() & 0xff;
            if (nsLength < 1 || nsLength > 64) {
                throw bad(oplogDir, sequence, payload, "namespace length " + nsLength + " is outside 1..64");
            }
            byte[] ns = new byte[nsLength];
            b.get(ns);
            String namespace = new String(ns, StandardCharsets.US_ASCII);
            if (!namespace.matches("[a-z0-9_.-]{1,64}")) {
                throw bad(oplogDir, sequence, payload, "the namespace name has characters outside [a-z0-9_.-]");
            }
            byte[] from = key(b, MAX_KEY_LENGTH, oplogDir, sequence, payload, "from");
            byte[] to = (flags & FLAG_OPEN_END) != 0 ? null
                    : key(b, MAX_KEY_LENGTH + 1, oplogDir, sequence, payload, "to");
            if (b.hasRemaining()) {
                throw bad(oplogDir, sequence, payload, b.remaining() + " bytes follow the marker's last field");
            }
            if (to != null && java.util.Arrays.compareUnsigned(from, to) >= 0) {
                throw bad(oplogDir, sequence, payload, "the range's end does not sort after its start");
            }
            boolean damaged = (flags & FLAG_PRIMARY_DAMAGED) != 0;
            if (damaged && ((flags & FLAG_HOLD) == 0 || count != 0 || bytes != 0 || high != 0 || low != 0)) {
                throw bad(oplogDir, sequence, payload, "a primary-damaged marker without the hold flag, or with a "
                        + "count, bytes or hash other than 0");
            }
            return new RangeHashMarker(primary, scanId, batch, hashedAt, algorithm, namespace, from, to, count, bytes,
                    new Hash128(high, low), (flags & FLAG_HOLD) != 0, damaged);
        } catch (BufferUnderflowException e) {
            throw bad(oplogDir, sequence, payload, "the payload ends before its last field");
        }
    }

    private static byte[] key(ByteBuffer b, int max, Path dir, long sequence, byte[] payload, String field) {
        int length = b.getInt();
        if (length < 0 || length > max || length > b.remaining()) {
            throw bad(dir, sequence, payload, "the " + field + " key length " + Integer.toUnsignedString(length)
                    + " is outside 0.." + max + " or runs past the payload");
        }
        byte[] k = new byte[length];
        b.get(k);
        return k;
    }

    private static CorruptionException bad(Path oplogDir, long sequence, byte[] payload, String detail) {
        return new CorruptionException(CorruptionReport.of(oplogDir, -1, payload.length,
                CorruptionKind.INVALID_CONTENT, "range-hash marker at oplog sequence " + sequence
                        + " passed its checksum but is malformed: " + detail));
    }
}
