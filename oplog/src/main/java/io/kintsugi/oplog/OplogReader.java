package io.kintsugi.oplog;

import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;

/**
 * Reads records in sequence order from a starting sequence to the visible end of the log. Every record's header
 * and record checksums are verified, and its sequence checked, before it is returned; a record that fails is
 * reported as a {@link CorruptionException} and never returned, even at the very end of the active segment, since
 * a reader only sees what the writer has finished writing.
 *
 * <p>Not thread-safe: one reader per thread. Readers see only records that are durable as the log's durability
 * mode says, never a record that is still being written.
 */
public final class OplogReader implements AutoCloseable {

    private final LogState state;
    private long nextSequence;
    private Segment segment;
    private FileChannel channel;
    private RecordScanner scanner;
    private boolean closed;

    OplogReader(LogState state, long fromSequence) {
        this.state = state;
        this.nextSequence = fromSequence;
    }

    /** @return the sequence the next call to {@link #next()} returns */
    public long nextSequence() {
        return nextSequence;
    }

    /**
     * @return the next record, verified; or null if the reader has reached the visible end of the log
     * @throws CorruptionException          if the next record is damaged
     * @throws SequenceUnavailableException if retention dropped the next record before it was read
     * @throws StorageException             if the reader or the log is closed, or reading fails
     */
    public LogRecord next() {
        if (closed) {
            throw new StorageException("oplog reader is closed");
        }
        state.ensureOpen();
        LogState.End end = state.end();
        if (nextSequence > end.lastSequence()) {
            return null;
        }
        try {
            while (true) {
                if (scanner == null || !covers(segment, nextSequence)) {
                    openSegmentFor(nextSequence);
                }
                scanner.limit(limitOf(segment, end));
                long offset = scanner.position();
                RecordScanner.Outcome outcome = scanner.next();
                if (outcome == RecordScanner.Outcome.RECORD) {
                    LogRecord r = scanner.record();
                    if (r.sequence() < nextSequence && segment.firstSequence() <= r.sequence()) {
                        continue; // skipping from the index entry to the requested sequence
                    }
                    if (r.sequence() != nextSequence) {
                        throw new CorruptionException(CorruptionReport.of(segment.path(), offset,
                                RecordFormat.encodedLength(r.payload().length), CorruptionKind.SEQUENCE_GAP,
                                "intact record has sequence " + r.sequence() + ", the reader expected "
                                        + nextSequence));
                    }
                    nextSequence++;
                    return r;
                }
                if (outcome == RecordScanner.Outcome.END && segment.isSealed()) {
                    closeChannel();
                    continue;
                }
                throw LogRecovery.damaged(segment.path(), scanner, outcome,
                        "while reading sequence " + nextSequence);
            }
        } catch (IOException e) {
            throw new StorageException("could not read oplog segment " + segment + " at sequence " + nextSequence
                    + ": " + e, e);
        }
    }

    private static boolean covers(Segment s, long sequence) {
        return s.firstSequence() <= sequence && (!s.isSealed() || s.sealedLastSequence() >= sequence);
    }

    private static long limitOf(Segment s, LogState.End end) {
        return end.active() == s ? end.activeSize() : s.sealedSize();
    }

    private void openSegmentFor(long sequence) throws IOException {
        closeChannel();
        Segment s = state.segmentFor(sequence);
        if (s == null || sequence < state.firstSequence()) {
            throw notRetained(sequence);
        }
        try {
            channel = FileChannel.open(s.path(), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw notRetained(sequence);
        }
        segment = s;
        long[] entry = s.index().floor(sequence);
        long start = entry == null ? SegmentHeaderFormat.LENGTH : entry[1];
        scanner = new RecordScanner(channel, start, start);
    }

    private SequenceUnavailableException notRetained(long sequence) {
        return new SequenceUnavailableException(sequence, SequenceUnavailableException.Reason.NOT_RETAINED,
                state.firstSequence(), state.end().lastSequence());
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
        }
        channel = null;
        scanner = null;
        segment = null;
    }

    /** Releases the reader's file handle. */
    @Override
    public void close() {
        closed = true;
        try {
            closeChannel();
        } catch (IOException e) {
            throw new StorageException("could not close oplog reader: " + e, e);
        }
    }
}
