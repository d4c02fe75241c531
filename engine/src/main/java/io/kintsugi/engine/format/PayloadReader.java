package io.kintsugi.engine.format;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;

/**
 * Reads little-endian fields from a verified block payload, checking every read against the payload's bounds, so
 * that a malformed payload is reported as corruption of its block rather than as an
 * {@link IndexOutOfBoundsException}.
 */
public final class PayloadReader {

    private final byte[] buf;
    private final int limit;
    private final BlockLocation location;
    private int pos;

    /**
     * @param buf      the payload
     * @param from     first byte to read
     * @param limit    end of the readable bytes, exclusive
     * @param location the block, for reports
     */
    public PayloadReader(byte[] buf, int from, int limit, BlockLocation location) {
        this.buf = buf;
        this.pos = from;
        this.limit = limit;
        this.location = location;
    }

    /** @return the position of the next read */
    public int position() {
        return pos;
    }

    /** @return the number of bytes left */
    public int remaining() {
        return limit - pos;
    }

    /**
     * @return the next byte, unsigned
     * @throws CorruptionException if no byte is left
     */
    public int u8() {
        need(1, "a byte");
        return buf[pos++] & 0xFF;
    }

    /**
     * @return the next little-endian int
     * @throws CorruptionException if fewer than 4 bytes are left
     */
    public int i32() {
        need(4, "an i32");
        int v = getInt(buf, pos);
        pos += 4;
        return v;
    }

    /**
     * @return the next little-endian long
     * @throws CorruptionException if fewer than 8 bytes are left
     */
    public long i64() {
        need(8, "an i64");
        long v = getLong(buf, pos);
        pos += 8;
        return v;
    }

    /**
     * @return the next unsigned LEB128 varint, as written by {@link ByteSink#putVarint}
     * @throws CorruptionException if it runs past the end, is longer than 5 bytes or exceeds
     *                             {@link Integer#MAX_VALUE}
     */
    public int varint() {
        long v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (v > Integer.MAX_VALUE) {
                    break;
                }
                return (int) v;
            }
        }
        throw location.malformed(CorruptionKind.BAD_LENGTH, "malformed varint ending at payload offset " + pos);
    }

    /**
     * Reads a length field and checks it against a limit and the bytes left.
     *
     * @param what  the field's name, for reports
     * @param value the length read
     * @param max   the largest length the format allows
     * @return {@code value}
     * @throws CorruptionException if it is negative, above {@code max} or runs past the end
     */
    public int checkLength(String what, int value, int max) {
        if (value < 0 || value > max || value > remaining()) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, what + " " + value + " at payload offset " + pos
                    + " is outside [0, " + Math.min(max, remaining()) + "]");
        }
        return value;
    }

    /**
     * @param n number of bytes
     * @return a copy of the next {@code n} bytes
     * @throws CorruptionException if fewer are left
     */
    public byte[] bytes(int n) {
        need(n, null);
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /**
     * Skips bytes.
     *
     * @param n number of bytes
     * @throws CorruptionException if fewer are left
     */
    public void skip(int n) {
        need(n, null);
        pos += n;
    }

    /**
     * @throws CorruptionException if any byte is left unread
     */
    public void expectEnd() {
        if (pos != limit) {
            throw location.malformed(CorruptionKind.BAD_LENGTH,
                    (limit - pos) + " unexpected bytes after the last field at payload offset " + pos);
        }
    }

    /** @return the little-endian int at {@code index} of {@code b} */
    public static int getInt(byte[] b, int index) {
        return (b[index] & 0xFF) | (b[index + 1] & 0xFF) << 8 | (b[index + 2] & 0xFF) << 16
                | (b[index + 3] & 0xFF) << 24;
    }

    /** @return the little-endian long at {@code index} of {@code b} */
    public static long getLong(byte[] b, int index) {
        return (getInt(b, index) & 0xFFFFFFFFL) | ((long) getInt(b, index + 4)) << 32;
    }

    /** @param what the field, or null for "n bytes"; the message is only built when the check fails */
    private void need(int n, String what) {
        if (n < 0 || n > limit - pos) {
            throw location.malformed(CorruptionKind.TRUNCATED, "payload ends before "
                    + (what == null ? n + " bytes" : what) + " at payload offset " + pos + " (" + (limit - pos)
                    + " bytes left)");
        }
    }
}
