package io.kintsugi.validation.health;

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
 * The payload of one health-log record: one {@link HealthEntry}. The health log is an oplog of its own (in
 * {@code <store>/health/}); the oplog frames, checksums and sequences every record, and this class defines what a
 * record's payload holds. Every record has type {@value #RECORD_TYPE} and term {@value #TERM}.
 *
 * <p>Layout (little-endian; {@code i32}/{@code i64} signed), {@value #FIXED_LENGTH} fixed bytes then the variable
 * fields back to back:
 * <pre>
 * offset size field
 *      0    1 version        {@value #VERSION_CURRENT}
 *      1    1 severity       1 INFO, 2 WARNING, 3 ERROR
 *      2    1 kind           1 SCAN_BATCH, 2 CHECKSUM_FAILURE, 3 INVARIANT_VIOLATION, 4 VERIFY, 5 REPAIR
 *      3    1 verdict        1 CONSISTENT, 2 INCONSISTENT, 3 DAMAGED, 4 NOT_CHECKED, 5 NONE
 *      4    1 flags          bit 0 min key present, bit 1 max key present, bit 2 expected hash present,
 *                            bit 3 found hash present; bits 4-7 are zero
 *      5    8 time seconds   i64, seconds since 1970-01-01T00:00:00Z
 *     13    4 time nanos     i32, 0..999 999 999
 *     17    8 count          i64, -1 (unknown) or more
 *     25    8 bytes          i64, -1 (unknown) or more
 *     33    8 sequence       i64, -1 (none) or more
 *     41   16 expected       Hash128: high i64, then low i64; all zero when absent
 *     57   16 found          Hash128 likewise
 *     73    2 replica length u16 r, 0..{@value #MAX_REPLICA_ID_BYTES}
 *     75    r replica id     UTF-8
 *      .    2 namespace len  u16 n, 0..{@value #MAX_NAMESPACE_BYTES}
 *      .    n namespace      UTF-8; empty when no namespace applies
 *      .    4 min key length i32 k1, 0..{@value #MAX_KEY_BYTES}; only when flag bit 0 is set
 *      .   k1 min key
 *      .    4 max key length i32 k2, 0..{@value #MAX_KEY_BYTES}; only when flag bit 1 is set
 *      .   k2 max key
 *      .    2 detail length  u16 d, 0..{@value #MAX_DETAIL_BYTES}
 *      .    d detail         UTF-8
 * </pre>
 * The payload ends right after the detail. Enum codes are explicit (never ordinals), and 0 is no code, so that
 * zeroed bytes never decode as an entry. An absent key (an open range end) and an empty key differ: the flag says
 * which. The time keeps nanoseconds, so that an entry decodes to exactly the entry that was appended.
 *
 * <p>A payload is decoded only after the oplog verified its record's CRC. A version outside
 * [{@value #VERSION_START}, {@value #VERSION_CURRENT}] is {@link UnsupportedFormatException} ("too old" or "too
 * new"); anything else that does not decode (an unknown code, a set reserved flag, a length beyond its limit or
 * past the end, bytes left over, text that is not UTF-8, a time outside {@link Instant}'s range) is a
 * {@link CorruptionException} of kind {@link CorruptionKind#INVALID_CONTENT} or {@link CorruptionKind#BAD_LENGTH}
 * naming the record's sequence: it was written wrong or its CRC collided, and it is never skipped.
 */
public final class HealthEntryFormat {

    /** The oldest payload version this build reads. */
    public static final int VERSION_START = 1;
    /** The payload version this build writes, and the newest it reads. */
    public static final int VERSION_CURRENT = 1;
    /** The oplog record type of a health entry (in the oplog's user range). */
    public static final int RECORD_TYPE = 1;
    /** The oplog term of every health-log record: the log is replica-local and never changes hands. */
    public static final long TERM = 0;

    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 0;
    /** Offset of the severity code. */
    public static final int SEVERITY_OFFSET = VERSION_OFFSET + 1;
    /** Offset of the kind code. */
    public static final int KIND_OFFSET = SEVERITY_OFFSET + 1;
    /** Offset of the verdict code. */
    public static final int VERDICT_OFFSET = KIND_OFFSET + 1;
    /** Offset of the flags byte. */
    public static final int FLAGS_OFFSET = VERDICT_OFFSET + 1;
    /** Offset of the time's seconds, an {@code i64}. */
    public static final int TIME_SECONDS_OFFSET = FLAGS_OFFSET + 1;
    /** Offset of the time's nanoseconds, an {@code i32}. */
    public static final int TIME_NANOS_OFFSET = TIME_SECONDS_OFFSET + 8;
    /** Offset of the count, an {@code i64}. */
    public static final int COUNT_OFFSET = TIME_NANOS_OFFSET + 4;
    /** Offset of the byte count, an {@code i64}. */
    public static final int BYTES_OFFSET = COUNT_OFFSET + 8;
    /** Offset of the sequence, an {@code i64}. */
    public static final int SEQUENCE_OFFSET = BYTES_OFFSET + 8;
    /** Offset of the expected hash, 16 bytes. */
    public static final int EXPECTED_OFFSET = SEQUENCE_OFFSET + 8;
    /** Offset of the found hash, 16 bytes. */
    public static final int FOUND_OFFSET = EXPECTED_OFFSET + 16;
    /** Length of the fixed part; the replica id's length field starts here. */
    public static final int FIXED_LENGTH = FOUND_OFFSET + 16;

    /** Flag: the min key is present. */
    public static final int FLAG_MIN_KEY = 1;
    /** Flag: the max key is present. */
    public static final int FLAG_MAX_KEY = 1 << 1;
    /** Flag: the expected hash is present. */
    public static final int FLAG_EXPECTED = 1 << 2;
    /** Flag: the found hash is present. */
    public static final int FLAG_FOUND = 1 << 3;
    private static final int KNOWN_FLAGS = FLAG_MIN_KEY | FLAG_MAX_KEY | FLAG_EXPECTED | FLAG_FOUND;

    /** Longest replica id, in UTF-8 bytes. */
    public static final int MAX_REPLICA_ID_BYTES = 255;
    /** Longest namespace name, in UTF-8 bytes (store namespace names are at most 64). */
    public static final int MAX_NAMESPACE_BYTES = 255;
    /** Longest range bound: the store's key limit. */
    public static final int MAX_KEY_BYTES = Limits.MAX_KEY_LENGTH;
    /** Longest detail text, in UTF-8 bytes. */
    public static final int MAX_DETAIL_BYTES = 4096;
    /** The longest payload an entry can encode to. */
    public static final int MAX_ENCODED_LENGTH = FIXED_LENGTH + 2 + MAX_REPLICA_ID_BYTES + 2 + MAX_NAMESPACE_BYTES
            + 4 + MAX_KEY_BYTES + 4 + MAX_KEY_BYTES + 2 + MAX_DETAIL_BYTES;

    private HealthEntryFormat() {
    }

    /**
     * @param e the entry
     * @return its payload
     * @throws IllegalArgumentException if a field is outside its limit (each message names the field and the limit)
     */
    public static byte[] encode(HealthEntry e) {
        Objects.requireNonNull(e, "entry");
        byte[] replica = utf8(e.replicaId(), "replica id", MAX_REPLICA_ID_BYTES);
        byte[] namespace = utf8(e.namespace(), "namespace", MAX_NAMESPACE_BYTES);
        byte[] detail = utf8(e.detail(), "detail", MAX_DETAIL_BYTES);
        byte[] minKey = e.minKey();
        byte[] maxKey = e.maxKey();
        checkKey(minKey, "min key");
        checkKey(maxKey, "max key");
        checkAtLeastMinusOne(e.count(), "count");
        checkAtLeastMinusOne(e.bytes(), "bytes");
        checkAtLeastMinusOne(e.sequence(), "sequence");
        int flags = (minKey != null ? FLAG_MIN_KEY : 0) | (maxKey != null ? FLAG_MAX_KEY : 0)
                | (e.expected() != null ? FLAG_EXPECTED : 0) | (e.found() != null ? FLAG_FOUND : 0);
        int length = FIXED_LENGTH + 2 + replica.length + 2 + namespace.length
                + (minKey != null ? 4 + minKey.length : 0) + (maxKey != null ? 4 + maxKey.length : 0)
                + 2 + detail.length;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION_CURRENT);
        b.put((byte) severityCode(e.severity()));
        b.put((byte) kindCode(e.kind()));
        b.put((byte) verdictCode(e.verdict()));
        b.put((byte) flags);
        b.putLong(e.time().getEpochSecond());
        b.putInt(e.time().getNano());
        b.putLong(e.count());
        b.putLong(e.bytes());
        b.putLong(e.sequence());
        putHash(b, e.expected());
        putHash(b, e.found());
        b.putShort((short) replica.length).put(replica);
        b.putShort((short) namespace.length).put(namespace);
        if (minKey != null) {
            b.putInt(minKey.length).put(minKey);
        }
        if (maxKey != null) {
            b.putInt(maxKey.length).put(maxKey);
        }
        b.putShort((short) detail.length).put(detail);
        return b.array();
    }

    /**
     * @param payload  a verified record payload
     * @param dir      the health-log directory, for reports
     * @param sequence the record's sequence in the health log, for reports
     * @return the entry
     * @throws UnsupportedFormatException if the payload's version is outside the supported range
     * @throws CorruptionException        if the payload does not decode
     */
    public static HealthEntry decode(byte[] payload, Path dir, long sequence) {
        return new Decoder(payload, dir, sequence).entry();
    }

    /** Reads one payload, reporting every failure with the record's sequence and never with payload bytes. */
    private static final class Decoder {
        private final ByteBuffer b;
        private final Path dir;
        private final long sequence;

        Decoder(byte[] payload, Path dir, long sequence) {
            this.b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            this.dir = dir;
            this.sequence = sequence;
        }

        HealthEntry entry() {
            int version = u8("version");
            if (version < VERSION_START) {
                throw new UnsupportedFormatException(dir + ": health-log entry at sequence " + sequence
                        + " has format version " + version + ", which is too old; this build reads versions "
                        + VERSION_START + " to " + VERSION_CURRENT);
            }
            if (version > VERSION_CURRENT) {
                throw new UnsupportedFormatException(dir + ": health-log entry at sequence " + sequence
                        + " has format version " + version + ", which is too new; this build reads versions "
                        + VERSION_START + " to " + VERSION_CURRENT + " (was it written by a newer Kintsugi?)");
            }
            Severity severity = severity(u8("severity"));
            HealthKind kind = kind(u8("kind"));
            Verdict verdict = verdict(u8("verdict"));
            int flags = u8("flags");
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw bad(CorruptionKind.INVALID_CONTENT, "flags 0x" + Integer.toHexString(flags)
                        + " set reserved bits (known: 0x" + Integer.toHexString(KNOWN_FLAGS) + ")");
            }
            long seconds = i64("time seconds");
            int nanos = i32("time nanos");
            if (nanos < 0 || nanos > 999_999_999) {
                throw bad(CorruptionKind.INVALID_CONTENT, "time nanos " + nanos + " is outside 0..999999999");
            }
            Instant time;
            try {
                time = Instant.ofEpochSecond(seconds, nanos);
            } catch (DateTimeException e) {
                throw bad(CorruptionKind.INVALID_CONTENT, "time of " + seconds + " seconds is outside the range of"
                        + " an Instant");
            }
            long count = atLeastMinusOne(i64("count"), "count");
            long bytes = atLeastMinusOne(i64("bytes"), "bytes");
            long entrySequence = atLeastMinusOne(i64("sequence"), "sequence");
            Hash128 expected = hash("expected hash", (flags & FLAG_EXPECTED) != 0);
            Hash128 found = hash("found hash", (flags & FLAG_FOUND) != 0);
            String replica = text("replica id", MAX_REPLICA_ID_BYTES);
            String namespace = text("namespace", MAX_NAMESPACE_BYTES);
            byte[] minKey = (flags & FLAG_MIN_KEY) != 0 ? key("min key") : null;
            byte[] maxKey = (flags & FLAG_MAX_KEY) != 0 ? key("max key") : null;
            String detail = text("detail", MAX_DETAIL_BYTES);
            if (b.hasRemaining()) {
                throw bad(CorruptionKind.INVALID_CONTENT, b.remaining() + " bytes left over after the detail");
            }
            return new HealthEntry(time, severity, replica, kind, verdict, namespace, minKey, maxKey, count, bytes,
                    expected, found, entrySequence, detail);
        }

        private CorruptionException bad(CorruptionKind kind, String what) {
            return new CorruptionException(CorruptionReport.of(dir, -1, -1, kind, "health-log entry at sequence "
                    + sequence + ": " + what));
        }

        private void need(int n, String field) {
            if (b.remaining() < n) {
                throw bad(CorruptionKind.BAD_LENGTH, field + " needs " + n + " bytes at payload offset "
                        + b.position() + ", " + b.remaining() + " remain");
            }
        }

        private int u8(String field) {
            need(1, field);
            return Byte.toUnsignedInt(b.get());
        }

        private int u16(String field) {
            need(2, field);
            return Short.toUnsignedInt(b.getShort());
        }

        private int i32(String field) {
            need(4, field);
            return b.getInt();
        }

        private long i64(String field) {
            need(8, field);
            return b.getLong();
        }

        private long atLeastMinusOne(long v, String field) {
            if (v < -1) {
                throw bad(CorruptionKind.INVALID_CONTENT, field + " " + v + " is below -1");
            }
            return v;
        }

        private Hash128 hash(String field, boolean present) {
            need(16, field);
            long high = b.getLong();
            long low = b.getLong();
            if (!present && (high != 0 || low != 0)) {
                throw bad(CorruptionKind.INVALID_CONTENT, field + " is flagged absent but its bytes are not zero");
            }
            return present ? new Hash128(high, low) : null;
        }

        private String text(String field, int limit) {
            int n = u16(field + " length");
            if (n > limit) {
                throw bad(CorruptionKind.BAD_LENGTH, field + " length " + n + " exceeds the limit of " + limit
                        + " bytes");
            }
            need(n, field);
            ByteBuffer slice = b.slice().limit(n);
            b.position(b.position() + n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
            } catch (CharacterCodingException e) {
                throw bad(CorruptionKind.INVALID_CONTENT, field + " of " + n + " bytes is not valid UTF-8");
            }
        }

        private byte[] key(String field) {
            int n = i32(field + " length");
            if (n < 0 || n > MAX_KEY_BYTES) {
                throw bad(CorruptionKind.BAD_LENGTH, field + " length " + n + " is outside 0.." + MAX_KEY_BYTES);
            }
            need(n, field);
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }

        private Severity severity(int code) {
            switch (code) {
                case 1: return Severity.INFO;
                case 2: return Severity.WARNING;
                case 3: return Severity.ERROR;
                default: throw unknown("severity", code);
            }
        }

        private HealthKind kind(int code) {
            switch (code) {
                case 1: return HealthKind.SCAN_BATCH;
                case 2: return HealthKind.CHECKSUM_FAILURE;
                case 3: return HealthKind.INVARIANT_VIOLATION;
                case 4: return HealthKind.VERIFY;
                case 5: return HealthKind.REPAIR;
                default: throw unknown("kind", code);
            }
        }

        private Verdict verdict(int code) {
            switch (code) {
                case 1: return Verdict.CONSISTENT;
                case 2: return Verdict.INCONSISTENT;
                case 3: return Verdict.DAMAGED;
                case 4: return Verdict.NOT_CHECKED;
                case 5: return Verdict.NONE;
                default: throw unknown("verdict", code);
            }
        }

        private CorruptionException unknown(String field, int code) {
            return bad(CorruptionKind.INVALID_CONTENT, "unknown " + field + " code " + code);
        }
    }

    /**
     * @param s a severity
     * @return its code in the format
     */
    public static int severityCode(Severity s) {
        switch (s) {
            case INFO: return 1;
            case WARNING: return 2;
            case ERROR: return 3;
            default: throw new IllegalArgumentException("severity " + s + " has no code in format version "
                    + VERSION_CURRENT);
        }
    }

    /**
     * @param k a kind
     * @return its code in the format
     */
    public static int kindCode(HealthKind k) {
        switch (k) {
            case SCAN_BATCH: return 1;
            case CHECKSUM_FAILURE: return 2;
            case INVARIANT_VIOLATION: return 3;
            case VERIFY: return 4;
            case REPAIR: return 5;
            default: throw new IllegalArgumentException("kind " + k + " has no code in format version "
                    + VERSION_CURRENT);
        }
    }

    /**
     * @param v a verdict
     * @return its code in the format
     */
    public static int verdictCode(Verdict v) {
        switch (v) {
            case CONSISTENT: return 1;
            case INCONSISTENT: return 2;
            case DAMAGED: return 3;
            case NOT_CHECKED: return 4;
            case NONE: return 5;
            default: throw new IllegalArgumentException("verdict " + v + " has no code in format version "
                    + VERSION_CURRENT);
        }
    }

    private static void putHash(ByteBuffer b, Hash128 h) {
        b.putLong(h == null ? 0 : h.high()).putLong(h == null ? 0 : h.low());
    }

    private static byte[] utf8(String s, String field, int limit) {
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
                    + limit + " bytes (HealthEntryFormat.MAX_" + constantName(field) + ")");
        }
        return bytes;
    }

    private static String constantName(String field) {
        switch (field) {
            case "replica id": return "REPLICA_ID_BYTES";
            case "namespace": return "NAMESPACE_BYTES";
            default: return "DETAIL_BYTES";
        }
    }

    private static void checkKey(byte[] key, String field) {
        if (key != null && key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException(field + " of " + key.length + " bytes exceeds the limit of "
                    + MAX_KEY_BYTES + " bytes (HealthEntryFormat.MAX_KEY_BYTES, the store's key limit)");
        }
    }

    private static void checkAtLeastMinusOne(long v, String field) {
        if (v < -1) {
            throw new IllegalArgumentException(field + " must be -1 (unknown) or at least 0, was " + v);
        }
    }
}
