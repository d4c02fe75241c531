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
 *      0    4 length    payload length in bytes, 0 to {@value #MAX_PAYLOAD_LENGTH}
 *      4    4 crc       masked CRC32C (see {@link Crc32c}) of bytes [0, 4) and [8, 25 + length)
 *      8    8 sequence  the record's sequence number, one more than the record before it (a new log starts
 *                       at OplogOptions.firstSequence, 1 by default)
 *     16    8 term      the term of the primary that assigned the sequence; never lower than the term before it
 *     24    1 type      record type, unsigned; 0..{@value #MAX_USER_TYPE} belong to the log's user, the rest is
 *                       reserved for the log itself
 *     25    n payload   opaque bytes
 * </pre>
 *
 * <p>The CRC covers every byte of the record except itself, so a flipped bit anywhere, including in the length,
 * sequence, term or type, is detected. The length comes first so that a reader knows how many bytes to read before
 * it can check anything; a damaged length is then caught by the CRC mismatch or by the bounds checks in
 * {@link #isPlausibleLength}.
 */
public final class RecordFormat {

    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = LENGTH_OFFSET + 4;
    public static final int SEQUENCE_OFFSET = CRC_OFFSET + 4;
    public static final int TERM_OFFSET = SEQUENCE_OFFSET + 8;
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
        dst.putInt(start + CRC_OFFSET, checksum(dst, start, dst.position()));
    }

    /**
     * Computes the masked CRC a record should carry.
     *
     * @param buf   a buffer holding the record
     * @param start absolute index of the record's first byte
     * @param end   absolute index just past the record's payload
     * @return the masked CRC32C over every byte of the record except the CRC field
     */
    public static int checksum(ByteBuffer buf, int start, int end) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(start + CRC_OFFSET).position(start + LENGTH_OFFSET);
        crc.update(view);
        view.limit(end).position(start + SEQUENCE_OFFSET);
        crc.update(view);
        return Crc32c.mask((int) crc.getValue());
    }
}
