package io.kintsugi.oplog.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The byte layout of one oplog record, the unit that is appended, replicated and replayed.
 *
 * <p>Layout (little-endian), a {@value #HEADER_LENGTH}-byte header followed by the payload:
 * <pre>
 * offset size field
 *      0    4 length      payload length in bytes, 0 to {@value #MAX_PAYLOAD_LENGTH}
 *      4    4 header crc  masked CRC32C (see {@link Crc32c}) of bytes [0, 4) and [12, 29): length, sequence, term,
 *                         type
 *      8    4 crc         masked CRC32C of bytes [0, 4) and [12, 29 + length): length, sequence, term, type,
 *                         payload; every byte of the record except the two CRC fields [4, 12)
 *     12    8 sequence    the record's sequence number, one more than the record before it (a new log starts
 *                         at OplogOptions.firstSequence, 1 by default)
 *     20    8 term        the term of the primary that assigned the sequence; never lower than the term before it
 *     28    1 type        record type, unsigned; 0..{@value #MAX_USER_TYPE} belong to the log's user, the rest is
 *                         reserved for the log itself
 *     29    n payload     opaque bytes
 * </pre>
 *
 * <p>Why two CRCs. The record CRC alone detects a flipped bit anywhere, but it cannot say <em>where</em> the record
 * ends when the record is bad: the length it would need to trust is one of the bytes it found damaged. Recovery must
 * then look for intact records at every byte after the bad one, and a record torn by a crash whose payload happens to
 * hold the bytes of an encoded record (an application storing log records as values) looks like damage followed by
 * valid data. The header CRC covers the fields that describe the record, so when it matches the length is trusted:
 * a torn or damaged record has a known extent, and only bytes after it can prove that acknowledged data follows.
 *
 * <p>What each CRC covers, and why:
 * <ul>
 *   <li>The header CRC covers length, sequence and term and type, and neither CRC field. It does not cover the record
 *       CRC so that damage to the record CRC (a field that is itself checked) leaves the length trusted: it is
 *       reported as a record checksum mismatch of a record with a known extent.</li>
 *   <li>The record CRC covers every byte except the two CRC fields, header fields included, so that it alone
 *       verifies a whole record (a replica checks records by it on arrival). The header CRC is left out because it
 *       is a function of bytes the record CRC already covers.</li>
 * </ul>
 * Both are computed as one running CRC32C over the two ranges in order, as if the eight CRC bytes had been cut out,
 * so neither depends on where the record is stored.
 *
 * <p>A reader checks, in order: that a whole header is there, the header CRC, that the length is within
 * {@link #isPlausibleLength} (a header CRC cannot vouch for a length the writer should never have written), that
 * the whole record is there, and the record CRC.
 */
public final class RecordFormat {

    /** Offset of the payload length, an {@code i32}. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the header CRC, a masked CRC32C of the length, sequence, term and type fields. */
    public static final int HEADER_CRC_OFFSET = LENGTH_OFFSET + 4;
    /** Offset of the record CRC, a masked CRC32C of every byte of the record except the two CRC fields. */
    public static final int CRC_OFFSET = HEADER_CRC_OFFSET + 4;
    /** Offset of the sequence number, an {@code i64}; the fields from here to the payload follow both CRCs. */
    public static final int SEQUENCE_OFFSET = CRC_OFFSET + 4;
    /** Offset of the term, an {@code i64}. */
    public static final int TERM_OFFSET = SEQUENCE_OFFSET + 8;
    /** Offset of the record type, a {@code u8}. */
    public static final int TYPE_OFFSET = TERM_OFFSET + 8;
    /** Length of the record header; the payload starts here. */
    public static final int HEADER_LENGTH = TYPE_OFFSET + 1;

    /** The largest payload the format can hold (256 MiB); logs are usually configured with a smaller limit. */
    public static final int MAX_PAYLOAD_LENGTH = 256 << 20;
    /** The largest record type available to users of the log; higher types are reserved. */
    public static final int MAX_USER_TYPE = 239;

    private RecordFormat() {
    }

    /**
     * @param payloadLength length of the payload
     * @return the number of bytes the record takes on disk
     */
    public static int encodedLength(int payloadLength) {
        return HEADER_LENGTH + payloadLength;
    }

    /**
     * @param payloadLength a stored length field
     * @return whether it is within the format's limits
     */
    public static boolean isPlausibleLength(int payloadLength) {
        return payloadLength >= 0 && payloadLength <= MAX_PAYLOAD_LENGTH;
    }

    /**
     * Encodes a record at {@code dst}'s position and advances the position past it.
     *
     * @param dst      a little-endian buffer with at least {@link #encodedLength} bytes remaining
     * @param sequence the record's sequence number
     * @param term     the record's term
     * @param type     the record type, 0..255
     * @param payload  the payload
     */
    public static void encode(ByteBuffer dst, long sequence, long term, int type, byte[] payload) {
        if (dst.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("records are little-endian; the buffer is " + dst.order());
        }
        int start = dst.position();
        dst.putInt(start + LENGTH_OFFSET, payload.length);
        dst.putLong(start + SEQUENCE_OFFSET, sequence);
        dst.putLong(start + TERM_OFFSET, term);
        dst.put(start + TYPE_OFFSET, (byte) type);
        dst.position(start + HEADER_LENGTH);
        dst.put(payload);
        dst.putInt(start + HEADER_CRC_OFFSET, headerChecksum(dst, start));
        dst.putInt(start + CRC_OFFSET, checksum(dst, start, dst.position()));
    }

    /**
     * Computes the masked header CRC a record should carry. It needs only the record's first
     * {@value #HEADER_LENGTH} bytes, so a reader can trust the length before it reads the payload.
     *
     * @param buf   a buffer holding at least the record's header
     * @param start absolute index of the record's first byte
     * @return the masked CRC32C over the length, sequence, term and type fields: bytes [0, 4) and
     *         [{@value #SEQUENCE_OFFSET}, {@value #HEADER_LENGTH}) of the record
     */
    public static int headerChecksum(ByteBuffer buf, int start) {
        return maskedCrcWithoutCrcFields(buf, start, start + HEADER_LENGTH);
    }

    /**
     * Computes the masked record CRC a record should carry.
     *
     * @param buf   a buffer holding the record
     * @param start absolute index of the record's first byte
     * @param end   absolute index just past the record's payload
     * @return the masked CRC32C over every byte of the record except the two CRC fields: bytes [0, 4) and
     *         [{@value #SEQUENCE_OFFSET}, end - start) of the record
     */
    public static int checksum(ByteBuffer buf, int start, int end) {
        return maskedCrcWithoutCrcFields(buf, start, end);
    }

    /** One running CRC32C over [start, start + 4) and [start + 12, end): the record with its CRC fields cut out. */
    private static int maskedCrcWithoutCrcFields(ByteBuffer buf, int start, int end) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(start + HEADER_CRC_OFFSET).position(start + LENGTH_OFFSET);
        crc.update(view);
        view.limit(end).position(start + SEQUENCE_OFFSET);
        crc.update(view);
        return Crc32c.mask((int) crc.getValue());
    }
}
