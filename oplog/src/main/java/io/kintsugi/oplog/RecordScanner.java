package io.kintsugi.oplog;

import io.kintsugi.oplog.format.RecordFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Reads records one after the other from a segment file between a start offset and a limit, verifying each
 * record's checksum before its bytes are used. It does not throw on bad data: it says what it found, so that
 * recovery can tell a torn tail from corruption and readers can turn it into a {@link CorruptionException}.
 */
final class RecordScanner {

    /** What {@link #next()} found at the current position. */
    enum Outcome {
        /** A record whose checksum matched; see {@link #record()}. */
        RECORD,
        /** The position is exactly at the limit. */
        END,
        /** Fewer bytes than a record header remain before the limit. */
        SHORT_HEADER,
        /** The header's length field points past the limit. */
        SHORT_PAYLOAD,
        /** The length field is outside the format's limits. */
        BAD_LENGTH,
        /** The stored checksum does not match; see {@link #storedCrc()} and {@link #computedCrc()}. */
        CHECKSUM
    }

    private static final int BUFFER_SIZE = 64 << 10;

    private final FileChannel channel;
    private long limit;
    private long position;
    private ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long bufferStart;
    private LogRecord record;
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

    int storedCrc() {
        return storedCrc;
    }

    int computedCrc() {
        return computedCrc;
    }

    /** @return the length field of the bad record found by the last failed {@link #next()} */
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
        if (!RecordFormat.isPlausibleLength(length)) {
            badLength = length;
            return Outcome.BAD_LENGTH;
        }
        int total = RecordFormat.encodedLength(length);
        if (limit - position < total) {
            badLength = length;
            return Outcome.SHORT_PAYLOAD;
        }
        if (!ensure(total)) {
            badLength = length;
            return Outcome.SHORT_PAYLOAD;
        }
        at = (int) (position - bufferStart);
        storedCrc = buffer.getInt(at + RecordFormat.CRC_OFFSET);
        computedCrc = RecordFormat.checksum(buffer, at, at + total);
        if (storedCrc != computedCrc) {
            badLength = length;
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
     * Looks for any intact record that starts after {@code badOffset} and before {@code fileEnd}, with a sequence
     * after {@code lastGoodSequence}. Finding one proves that the bad record at {@code badOffset} is not a torn
     * write at the end of the log but damage in the middle of it.
     *
     * @return the offset of the first intact record found, or -1 if there is none
     */
    static long findIntactRecordAfter(FileChannel channel, long badOffset, long fileEnd, long lastGoodSequence)
            throws IOException {
        // A record that follows the bad one can be at most one record per header-length of bytes further on.
        long maxSequence = lastGoodSequence + (fileEnd - badOffset) / RecordFormat.HEADER_LENGTH + 1;
        ByteBuffer window = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long windowStart = badOffset + 1;
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
