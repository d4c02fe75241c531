package io.kintsugi.oplog;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record of the log, as returned by a reader after its checksum was verified.
 *
 * <p>The payload array belongs to the caller: every read returns a fresh copy that the log never touches again.
 */
public final class LogRecord {

    private final long sequence;
    private final long term;
    private final int type;
    private final byte[] payload;

    /**
     * @param sequence the record's sequence number
     * @param term     the term of the primary that assigned it
     * @param type     the record type, 0..255
     * @param payload  the payload; not copied
     */
    public LogRecord(long sequence, long term, int type, byte[] payload) {
        this.sequence = sequence;
        this.term = term;
        this.type = type;
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** @return the sequence number */
    public long sequence() {
        return sequence;
    }

    /** @return the term of the primary that assigned the sequence */
    public long term() {
        return term;
    }

    /** @return the record type, 0..255 */
    public int type() {
        return type;
    }

    /** @return the payload; the array belongs to the caller */
    public byte[] payload() {
        return payload;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LogRecord)) {
            return false;
        }
        LogRecord r = (LogRecord) o;
        return sequence == r.sequence && term == r.term && type == r.type && Arrays.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, term, type, Arrays.hashCode(payload));
    }

    /** Metadata only: the payload is never printed. */
    @Override
    public String toString() {
        return "LogRecord{sequence=" + sequence + ", term=" + term + ", type=" + type
                + ", payloadLength=" + payload.length + '}';
    }
}
