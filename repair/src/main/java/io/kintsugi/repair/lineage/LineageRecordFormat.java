package io.kintsugi.repair.lineage;

import io.kintsugi.engine.Limits;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.UnsupportedFormatException;
import io.kintsugi.validation.Hash128;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Objects;

/**
 * The payload of one lineage-log record: one {@link LineageRecord}. The lineage log is an oplog of its own (in
 * {@code <store>/lineage/}); the oplog frames, checksums and sequences every record, and this class defines what a
 * record's payload holds (docs/FORMAT.md section 15). Every record has type {@value #RECORD_TYPE} and term
 * {@value #TERM}.
 *
 * <p>Layout (little-endian; {@code i32}/{@code i64} signed), {@value #FIXED_LENGTH} fixed bytes then the variable
 * fields back to back:
 * <pre>
 * offset size field
 *      0    1 version         {@value #VERSION_CURRENT}
 *      1    1 kind            1 RANGE_COPY, 2 WHOLE_REPLICA_COPY
 *      2    1 flags           bit 0 from present, bit 1 to present, bit 2 range hash present; bits 3-7 are zero
 *      3    8 time seconds    i64, seconds since 1970-01-01T00:00:00Z
 *     11    4 time nanos      i32, 0..999 999 999
 *     15    8 sequence        i64, 0 or more: the source's sequence the copy was taken at
 *     23    8 count           i64, -1 (unknown) or more
 *     31    8 bytes           i64, -1 (unknown) or more
 *     39   16 range hash      Hash128: high i64, then low i64; all zero when absent
 *     55    2 target length   u16 t, 1..{@value #MAX_REPLICA_ID_BYTES}
 *      .    t target replica  UTF-8
 *      .    2 source length   u16 s, 1..{@value #MAX_REPLICA_ID_BYTES}
 *      .    s source replica  UTF-8
 *      .    2 namespace len   u16 n, 0..{@value #MAX_NAMESPACE_BYTES}
 *      .    n namespace       UTF-8; empty for a whole-replica copy
 *      .    4 from length     i32 k1, 0..{@value #MAX_KEY_BYTES}; only when flag bit 0 is set
 *      .   k1 from            first key, inclusive
 *      .    4 to length       i32 k2, 0..{@value #MAX_KEY_BYTES}; only when flag bit 1 is set
 *      .   k2 to              end key, exclusive
 *      .    2 repair id len   u16 r, 0..{@value #MAX_REPAIR_ID_BYTES}
 *      .    r repair id       UTF-8
 * </pre>
 * The payload ends right after the repair id. Codes are explicit (never ordinals) and 0 is no code, so zeroed bytes
 * never decode. An absent bound (open) and an empty key differ: the flag says which.
 *
 * <p>A payload is decoded only after the oplog verified its record's CRC. A version outside
 * [{@value #VERSION_START}, {@value #VERSION_CURRENT}] is {@link UnsupportedFormatException} ("too old" or "too
 * new"); anything else that does not decode (an unknown code, a set reserved flag, a length beyond its limit or past
 * the end, bytes left over, text that is not UTF-8, a time outside {@link Instant}'s range, a record that breaks
 * {@link LineageRecord}'s rules) is a {@link CorruptionException} of kind {@link CorruptionKind#INVALID_CONTENT}
 * (or {@link CorruptionKind#BAD_LENGTH} for a length) naming the lineage directory, the record's sequence and the
 * payload offset, never payload bytes.
 */
public final class LineageRecordFormat {

    /** The oldest payload version this build reads. */
    public static final int VERSION_START = 1;
    /** The payload version this build writes, and the newest it reads. */
    public static final int VERSION_CURRENT = 1;
    /** The oplog record type of a lineage record. */
    public static final int RECORD_TYPE = 1;
    /** The oplog term of every lineage record: the log is replica-local and never changes hands. */
    public static final long TERM = 0;

    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 0;
    /** Offset of the kind code. */
    public static final int KIND_OFFSET = VERSION_OFFSET + 1;
    /** Offset of the flags byte. */
    public static final int FLAGS_OFFSET = KIND_OFFSET + 1;
    /** Offset of the time's seconds, an {@code i64}. */
    public static final int TIME_SECONDS_OFFSET = FLAGS_OFFSET + 1;
    /** Offset of the time's nanoseconds, an {@code i32}. */
    public static final int TIME_NANOS_OFFSET = TIME_SECONDS_OFFSET + 8;
    /** Offset of the source sequence, an {@code i64}. */
    public static final int SEQUENCE_OFFSET = TIME_NANOS_OFFSET + 4;
    /** Offset of the count, an {@code i64}. */
    public static final int COUNT_OFFSET = SEQUENCE_OFFSET + 8;
    /** Offset of the byte count, an {@code i64}. */
    public static final int BYTES_OFFSET = COUNT_OFFSET + 8;
    /** Offset of the range hash, 16 bytes. */
    public static final int RANGE_HASH_OFFSET = BYTES_OFFSET + 8;
    /** Length of the fixed part; the target replica id's length field starts here. */
    public static final int FIXED_LENGTH = RANGE_HASH_OFFSET + 16;

    /** Flag: the from bound is present. */
    public static final int FLAG_FROM = 1;
    /** Flag: the to bound is present. */
    public static final int FLAG_TO = 1 << 1;
    /** Flag: the range hash is present. */
    public static final int FLAG_RANGE_HASH = 1 << 2;
    private static final int KNOWN_FLAGS = FLAG_FROM | FLAG_TO | FLAG_RANGE_HASH;

    /** Longest replica id, in UTF-8 bytes. */
    public static final int MAX_REPLICA_ID_BYTES = 255;
    /** Longest namespace name, in UTF-8 bytes (store namespace names are at most 64). */
    public static final int MAX_NAMESPACE_BYTES = 255;
    /** Longest range bound: the store's key limit. */
    public static final int MAX_KEY_BYTES = Limits.MAX_KEY_LENGTH;
    /** Longest repair id, in UTF-8 bytes. */
    public static final int MAX_REPAIR_ID_BYTES = 255;
    /** The longest payload a record can encode to. */
    public static final int MAX_ENCODED_LENGTH = FIXED_LENGTH + 2 + MAX_REPLICA_ID_BYTES + 2 + MAX_REPLICA_ID_BYTES
            + 2 + MAX_NAMESPACE_BYTES + 4 + MAX_KEY_BYTES + 4 + MAX_KEY_BYTES + 2 + MAX_REPAIR_ID_BYTES;

    private LineageRecordFormat() {
    }

    /**
     * @param r the record
     * @return its payload
     * @throws IllegalArgumentException if a field is outside its limit (each message names the field and the limit)
     */
    public static byte[] encode(LineageRecord r) {
        Objects.requireNonNull(r, "record");
        byte[] target = utf8(r.targetReplica(), "target replica id", MAX_REPLICA_ID_BYTES, "MAX_REPLICA_ID_BYTES");
        byte[] source = utf8(r.sourceReplica(), "source replica id", MAX_REPLICA_ID_BYTES, "MAX_REPLICA_ID_BYTES");
        byte[] namespace = utf8(r.namespace(), "namespace", MAX_NAMESPACE_BYTES, "MAX_NAMESPACE_BYTES");
        byte[] repairId = utf8(r.repairId(), "repair id", MAX_REPAIR_ID_BYTES, "MAX_REPAIR_ID_BYTES");
        byte[] from = r.from();
        byte[] to = r.to();
        checkKey(from, "from");
        checkKey(to, "to");
        int flags = (from != null ? FLAG_FROM : 0) | (to != null ? FLAG_TO : 0)
                | (r.rangeHash() != null ? FLAG_RANGE_HASH : 0);
        int length = FIXED_LENGTH + 2 + target.length + 2 + source.length + 2 + namespace.length
                + (from != null ? 4 + from.length : 0) + (to != null ? 4 + to.length : 0) + 2 + repairId.length;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION_CURRENT);
        b.put((byte) kindCode(r.kind()));
        b.put((byte) flags);
        b.putLong(r.time().getEpochSecond());
        b.putInt(r.time().getNano());
        b.putLong(r.sequence());
        b.putLong(r.count());
        b.putLong(r.bytes());
        Hash128 h = r.rangeHash();
        b.putLong(h == null ? 0 : h.high()).putLong(h == null ? 0 : h.low());
        b.putShort((short) target.length).put(target);
        b.putShort((short) source.length).put(source);
        b.putShort((short) namespace.length).put(namespace);
        if (from != null) {
            b.putInt(from.length).put(from);
        }
        if (to != null) {
            b.putInt(to.length).put(to);
        }
        b.putShort((short) repairId.length).put(repairId);
        return b.array();
    }

    /**
     * @param payload  a verified record payload
     * @param dir      the lineage-log directory, for reports
     * @param sequence the record's sequence in the lineage log, for reports
     * @return the record
     * @throws UnsupportedFormatException if the payload's version is outside the supported range
     * @throws CorruptionException        if the payload does not decode
     */
    public static LineageRecord decode(byte[] payload, Path dir, long sequence) {
        Objects.requireNonNull(payload, "payload");
        return new Decoder(payload, dir, sequence).record();
    }

    /**
     * @param k a kind
     * @return its code in the format
     */
    public static int kindCode(LineageKind k) {
        switch (k) {
            case RANGE_COPY: return 1;
            case WHOLE_REPLICA_COPY: return 2;
            default: throw new IllegalArgumentException("kind " + k + " has no code in format version "
                    + VERSION_CURRENT);
        }
    }

    /** Reads one payload, reporting every failure with the record's sequence and offset, never payload bytes. */
    private static final class Decoder {
        private final ByteBuffer b;
        private final Path dir;
        private final long sequence;

        Decoder(byte[] payload, Path dir, long sequence) {
            this.b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            this.dir = dir;
            this.sequence = sequence;
        }

        LineageRecord record() {
            int version = u8("version");
            if (version < VERSION_START || version > VERSION_CURRENT) {
                throw new UnsupportedFormatException(dir + ": lineage record at sequence " + sequence
                        + " has format version " + version + ", which is too " + (version < VERSION_START
                        ? "old" : "new") + "; this build reads versions " + VERSION_START + " to " + VERSION_CURRENT
                        + (version > VERSION_CURRENT ? " (was it written by a newer Kintsugi?)" : ""));
            }
            int kindAt = b.position();
            LineageKind kind = kind(u8("kind"), kindAt);
            int flagsAt = b.position();
            int flags = u8("flags");
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw bad(CorruptionKind.INVALID_CONTENT, flagsAt, "flags 0x" + Integer.toHexString(flags)
                        + " set reserved bits (known: 0x" + Integer.toHexString(KNOWN_FLAGS) + ")");
            }
            int timeAt = b.position();
            long seconds = i64("time seconds");
            int nanos = i32("time nanos");
            if (nanos < 0 || nanos > 999_999_999) {
                throw bad(CorruptionKind.INVALID_CONTENT, timeAt + 8, "time nanos " + nanos
                        + " is outside 0..999999999");
            }
            Instant time;
            try {
                time = Instant.ofEpochSecond(seconds, nanos);
            } catch (DateTimeException e) {
                throw bad(CorruptionKind.INVALID_CONTENT, timeAt, "time of " + seconds
                        + " seconds is outside the range of an Instant");
            }
            long seq = i64("sequence");
            long count = i64("count");
            long bytes = i64("bytes");
            int hashAt = b.position();
            need(16, "range hash");
            long high = b.getLong();
            long low = b.getLong();
            boolean hasHash = (flags & FLAG_RANGE_HASH) != 0;
            if (!hasHash && (high != 0 || low != 0)) {
                throw bad(CorruptionKind.INVALID_CONTENT, hashAt, "range hash is flagged absent but its bytes are"
                        + " not zero");
            }
            String target = text("target replica id", MAX_REPLICA_ID_BYTES);
            String source = text("source replica id", MAX_REPLICA_ID_BYTES);
            String namespace = text("namespace", MAX_NAMESPACE_BYTES);
            byte[] from = (flags & FLAG_FROM) != 0 ? key("from") : null;
            byte[] to = (flags & FLAG_TO) != 0 ? key("to") : null;
            String repairId = text("repair id", MAX_REPAIR_ID_BYTES);
            if (b.hasRemaining()) {
                throw bad(CorruptionKind.INVALID_CONTENT, b.position(), b.remaining()
                        + " bytes left over after the repair id");
            }
            String problem = LineageRecord.problem(kind, target, source, namespace, from, to, seq, count, bytes);
            if (problem != null) {
                throw bad(CorruptionKind.INVALID_CONTENT, 0, problem);
            }
            return new LineageRecord(time, kind, target, source, namespace, from, to, seq, count, bytes,
                    hasHash ? new Hash128(high, low) : null, repairId);
        }

        private CorruptionException bad(CorruptionKind kind, int payloadOffset, String what) {
            // The oplog verified the record and hands over its payload only, so the report names the log's
            // directory and places the damage by record sequence and payload offset.
            return new CorruptionException(CorruptionReport.of(dir, -1, -1, kind, "lineage record at sequence "
                    + sequence + ", payload offset " + payloadOffset + ": " + what));
        }

        private void need(int n, String field) {
            if (b.remaining() < n) {
                throw bad(CorruptionKind.BAD_LENGTH, b.position(), field + " needs " + n + " bytes, "
                        + b.remaining() + " remain");
            }
        }

        private int u8(String field) {
            need(1, field);
            return Byte.toUnsignedInt(b.get());
        }

        private int i32(String field) {
            need(4, field);
            return b.getInt();
        }

        private long i64(String field) {
            need(8, field);
            return b.getLong();
        }

        private String text(String field, int limit) {
            need(2, field + " length");
            int at = b.position();
            int n = Short.toUnsignedInt(b.getShort());
            if (n > limit) {
                throw bad(CorruptionKind.BAD_LENGTH, at, field + " length " + n + " exceeds the limit of " + limit
                        + " bytes");
            }
            need(n, field);
            ByteBuffer slice = b.slice().limit(n);
            b.position(b.position() + n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
            } catch (CharacterCodingException e) {
                throw bad(CorruptionKind.INVALID_CONTENT, at + 2, field + " of " + n + " bytes is not valid UTF-8");
            }
        }

        private byte[] key(String field) {
            int at = b.position();
            int n = i32(field + " length");
            if (n < 0 || n > MAX_KEY_BYTES) {
                throw bad(CorruptionKind.BAD_LENGTH, at, field + " length " + n + " is outside 0.." + MAX_KEY_BYTES);
            }
            need(n, field);
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }

        private LineageKind kind(int code, int at) {
            switch (code) {
                case 1: return LineageKind.RANGE_COPY;
                case 2: return LineageKind.WHOLE_REPLICA_COPY;
                default: throw bad(CorruptionKind.INVALID_CONTENT, at, "unknown kind code " + code);
            }
        }
    }

    private static byte[] utf8(String s, String field, int limit, String constant) {
        byte[] bytes;
        try {
            // Strict, so that text with an unpaired surrogate fails here instead of decoding to something else.
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(field + " of " + s.length() + " characters is not well-formed"
                    + " Unicode (an unpaired surrogate?)");
        }
        if (bytes.length > limit) {
            throw new IllegalArgumentException(field + " is " + bytes.length + " bytes in UTF-8, over the limit of "
                    + limit + " bytes (LineageRecordFormat." + constant + ")");
        }
        return bytes;
    }

    private static void checkKey(byte[] key, String field) {
        if (key != null && key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException(field + " key of " + key.length + " bytes exceeds the limit of "
                    + MAX_KEY_BYTES + " bytes (LineageRecordFormat.MAX_KEY_BYTES, the store's key limit)");
        }
    }
}
