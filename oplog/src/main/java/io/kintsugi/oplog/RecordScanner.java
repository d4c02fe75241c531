package io.kintsugi.oplog;

import io.kintsugi.oplog.format.RecordFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Reads records one after the other from a segment file between a start offset and a limit, verifying each
 * record's header checksum before its length is used and its record checksum before any other of its bytes is used.
 * It does not throw on bad data: it says what it found, so that recovery can tell a torn tail from corruption and
 * readers can turn it into a {@link CorruptionException}.
 */
final class RecordScanner {

    /**
     * What {@link #next()} found at the current position. The failures are listed in the order they are checked;
     * whether the bad record's length can be trusted depends on which one it is.
     */
    enum Outcome {
        /** A record whose header and record checksums matched; see {@link #record()}. */
        RECORD,
        /** The position is exactly at the limit. */
        END,
        /** Fewer bytes than a record header remain before the limit. */
        SHORT_HEADER,
        /**
         * The stored header checksum does not match the length, sequence, term and type fields, so none of them,
         * the length included, can be trusted; see {@link #storedHeaderCrc()} and {@link #computedHeaderCrc()}.
         */
        HEADER_CHECKSUM,
        /**
         * The header checksum matched but the length is outside the format's limits: the writer wrote a header it
         * should not have, and the length cannot be used.
         */
        BAD_LENGTH,
        /** The header is intact and its length, which can be trusted, runs past the limit. */
        SHORT_PAYLOAD,
        /**
         * The header is intact and the whole record is there, but the stored record checksum does not match; the
         * record's length can be trusted. See {@link #storedCrc()} and {@link #computedCrc()}.
         */
        CHECKSUM
    }

    private static final int BUFFER_SIZE = 64 << 10;

    private final FileChannel channel;
    private long limit;
    private long position;
    private ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long bufferStart;
    private LogRecord record;
    private int storedHeaderCrc;
    private int computedHeaderCrc;
    private int storedCrc;
    private int computedCrc;
    private int badLength;

    RecordScanner(FileChannel channel, long start, long limit) {
        this.channel = channel;
        this.position = start;
        this.limit = limit;
        this.bufferStart = start;
        buffer.limit(0);
    }

    /** @return the offset of the next record to read (after a failure: of the bad record) */
    long position() {
        return position;
    }

    long limit() {
        return limit;
    }

    /** Moves the limit, for a reader of the active segment as more of it becomes visible. */
    void limit(long newLimit) {
        this.limit = newLimit;
    }

    /** @return the record found by the last {@link Outcome#RECORD} */
    LogRecord record() {
        return record;
    }

    /** @return the header checksum stored in the record found by the last {@link Outcome#HEADER_CHECKSUM} */
    int storedHeaderCrc() {
        return storedHeaderCrc;
    }

    /** @return the header checksum computed over the record found by the last {@link Outcome#HEADER_CHECKSUM} */
    int computedHeaderCrc() {
        return computedHeaderCrc;
    }

    /** @return the record checksum stored in the record found by the last {@link Outcome#CHECKSUM} */
    int storedCrc() {
        return storedCrc;
    }

    /** @return the record checksum computed over the record found by the last {@link Outcome#CHECKSUM} */
    int computedCrc() {
        return computedCrc;
    }

    /**
     * @return the length field of the bad record found by the last failed {@link #next()}; trusted only after
     *         {@link Outcome#SHORT_PAYLOAD} and {@link Outcome#CHECKSUM}, whose header checksum matched
     */
    int badLength() {
        return badLength;
    }

    /**
     * Reads the record at the current position; on {@link Outcome#RECORD} the position moves past it, otherwise
     * it stays at the start of the bad record.
     */
    Outcome next() throws IOException {
        record = null;
        if (position == limit) {
            return Outcome.END;
        }
        if (limit - position < RecordFormat.HEADER_LENGTH) {
            return Outcome.SHORT_HEADER;
        }
        if (!ensure(RecordFormat.HEADER_LENGTH)) {
            return Outcome.SHORT_HEADER;
        }
        int at = (int) (position - bufferStart);
        int length = buffer.getInt(at + RecordFormat.LENGTH_OFFSET);
        badLength = length;
        storedHeaderCrc = buffer.getInt(at + RecordFormat.HEADER_CRC_OFFSET);
        computedHeaderCrc = RecordFormat.headerChecksum(buffer, at);
        if (storedHeaderCrc != computedHeaderCrc) {
            return Outcome.HEADER_CHECKSUM;
        }
        if (!RecordFormat.isPlausibleLength(length)) {
            return Outcome.BAD_LENGTH;
        }
        int total = RecordFormat.encodedLength(length);
        if (limit - position < total) {
            return Outcome.SHORT_PAYLOAD;
        }
        if (!ensure(total)) {
            return Outcome.SHORT_PAYLOAD;
        }
        at = (int) (position - bufferStart);
        storedCrc = buffer.getInt(at + RecordFormat.CRC_OFFSET);
        computedCrc = RecordFormat.checksum(buffer, at, at + total);
        if (storedCrc != computedCrc) {
            return Outcome.CHECKSUM;
        }
        byte[] payload = new byte[length];
        buffer.get(at + RecordFormat.HEADER_LENGTH, payload);
        record = new LogRecord(buffer.getLong(at + RecordFormat.SEQUENCE_OFFSET),
                buffer.getLong(at + RecordFormat.TERM_OFFSET),
                Byte.toUnsignedInt(buffer.get(at + RecordFormat.TYPE_OFFSET)), payload);
        position += total;
        return Outcome.RECORD;
    }

    /** Makes sure bytes [position, position + n) are in the buffer; false if the file ends first. */
    private boolean ensure(int n) throws IOException {
        if (position >= bufferStart && position + n <= bufferStart + buffer.limit()) {
            return true;
        }
        if (buffer.capacity() < n) {
            buffer = ByteBuffer.allocate(Math.max(n, BUFFER_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        }
        int want = (int) Math.min(buffer.capacity(), limit - position);
        buffer.clear().limit(want);
        bufferStart = position;
        long pos = position;
        while (buffer.hasRemaining()) {
            int r = channel.read(buffer, pos);
            if (r < 0) {
                break;
            }
            pos += r;
        }
        buffer.flip();
        return buffer.limit() >= n;
    }

    /**
     * Looks for any intact record that starts at or after {@code from} and ends by {@code fileEnd}, with a sequence
     * after {@code lastGoodSequence}. Finding one proves that the bad record at {@code badOffset} is not a torn
     * write at the end of the log but damage in the middle of it.
     *
     * <p>The caller chooses {@code from}: the end of the bad record when its header checksum matched (its length is
     * trusted, and bytes inside it, even ones that look like a record, belong to it), else one byte after its
     * start. Every byte offset from there is a candidate; the length and sequence fields only preselect
     * candidates, and a candidate counts only when its header and record checksums both match.
     *
     * @param channel          the segment
     * @param badOffset        where the bad record starts
     * @param from             the first offset at which an intact record may start
     * @param fileEnd          the end of the data to search
     * @param lastGoodSequence the sequence of the last intact record before the bad one
     * @return the offset of the first intact record found, or -1 if there is none
     */
    static long findIntactRecordAfter(FileChannel channel, long badOffset, long from, long fileEnd,
                                      long lastGoodSequence) throws IOException {
        // A record that follows the bad one can be at most one record per header-length of bytes further on.
        long maxSequence = lastGoodSequence + (fileEnd - badOffset) / RecordFormat.HEADER_LENGTH + 1;
        ByteBuffer window = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long windowStart = from;
        while (windowStart + RecordFormat.HEADER_LENGTH <= fileEnd) {
            window.clear();
            window.limit((int) Math.min(window.capacity(), fileEnd - windowStart));
            long pos = windowStart;
            while (window.hasRemaining()) {
                int r = channel.read(window, pos);
                if (r < 0) {
                    break;
                }
                pos += r;
            }
            window.flip();
            int lastStart = window.limit() - RecordFormat.HEADER_LENGTH;
            for (int i = 0; i <= lastStart; i++) {
                int length = window.getInt(i + RecordFormat.LENGTH_OFFSET);
                if (!RecordFormat.isPlausibleLength(length)
                        || windowStart + i + RecordFormat.encodedLength(length) > fileEnd) {
                    continue;
                }
                long seq = window.getLong(i + RecordFormat.SEQUENCE_OFFSET);
                if (seq <= lastGoodSequence || seq > maxSequence) {
                    continue;
                }
                if (window.getInt(i + RecordFormat.HEADER_CRC_OFFSET) != RecordFormat.headerChecksum(window, i)) {
                    continue;
                }
                RecordScanner probe = new RecordScanner(channel, windowStart + i, fileEnd);
                if (probe.next() == Outcome.RECORD) {
                    return windowStart + i;
                }
            }
            if (window.limit() < window.capacity()) {
                break;
            }
            windowStart += lastStart + 1;
        }
        return -1;
    }
}
