package io.kintsugi.oplog;

import com.lmax.disruptor.EventHandler;
import io.kintsugi.oplog.format.LogMetadataFormat.Metadata;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The log's single writer thread, fed by the Disruptor ring. For each batch of ring events it encodes the records
 * into one buffer, writes it with one call, makes it durable as the durability mode says (one fdatasync for the
 * whole batch under {@link Durability#SYNC}: group commit), publishes the new end of the log to readers and only
 * then releases the callers.
 *
 * <p>After any write or sync failure the writer stops accepting appends for good: after a failed fdatasync the
 * kernel may have dropped the dirty pages, so retrying could acknowledge data that is not on disk.
 */
final class LogWriter implements EventHandler<AppendEvent> {

    private static final System.Logger LOG = System.getLogger(LogWriter.class.getName());
    private static final int INITIAL_BUFFER = 1 << 20;

    private final LogState state;
    private final Durability durability;
    private final long segmentSize;
    private final long batchedIntervalNanos;

    private Segment active;
    private FileChannel channel;
    private long activeSize;
    private long nextSequence;
    private volatile long currentTerm;
    /** The term of the last record in the log (0 when none is retained); record terms never go down. */
    private long lastRecordTerm;

    private ByteBuffer batch = ByteBuffer.allocateDirect(INITIAL_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    @SuppressWarnings({"unchecked", "rawtypes"})
    private CompletableFuture<Long>[] pendingFutures = new CompletableFuture[64];
    private long[] pendingResults = new long[64];
    private StorageException[] pendingErrors = new StorageException[64];
    private LogRecord[] pendingRecords = new LogRecord[64];
    private int pendingCount;
    private final DurableRecordListener listener;
    private final SequencingListener sequencingListener;

    private boolean syncRequested;
    private boolean dirty;
    private long lastSyncNanos = System.nanoTime();

    private long appends;
    private long appendedBytes;
    private long writeBatches;
    private long fsyncs;
    private long segmentsRolled;
    private long rejected;
    private volatile OplogStats stats = new OplogStats(0, 0, 0, 0, 0, 0);

    LogWriter(LogState state, Segment active, long activeSize, long nextSequence, long currentTerm,
              long lastRecordTerm) throws IOException {
        this.state = state;
        this.durability = state.options.durability();
        this.segmentSize = state.options.segmentSize();
        this.batchedIntervalNanos = durability.interval().toNanos();
        this.listener = state.options.durableRecordListener().orElse(null);
        this.sequencingListener = state.options.sequencingListener().orElse(null);
        this.active = active;
        this.channel = FileChannel.open(active.path(), StandardOpenOption.WRITE, StandardOpenOption.READ);
        this.activeSize = activeSize;
        this.nextSequence = nextSequence;
        this.currentTerm = currentTerm;
        this.lastRecordTerm = lastRecordTerm;
        state.publishEnd(new LogState.End(active, activeSize, nextSequence - 1));
    }

    long currentTerm() {
        return currentTerm;
    }

    OplogStats stats() {
        return stats;
    }

    @Override
    public void onEvent(AppendEvent e, long ringSequence, boolean endOfBatch) {
        try {
            handle(e);
        } catch (IOException | RuntimeException ex) {
            fail(ex);
            if (e.future != null && !e.future.isDone()) {
                e.future.completeExceptionally(state.failure());
            }
        } finally {
            e.clear();
        }
        if (endOfBatch) {
            endBatch();
        }
    }

    private void handle(AppendEvent e) throws IOException {
        if (e.kind == AppendEvent.Kind.TICK) {
            return;
        }
        if (state.failure() != null) {
            reject(e, new StorageException("oplog " + state.dir + " stopped accepting writes after a failure: "
                    + state.failure().getMessage(), state.failure()));
            return;
        }
        switch (e.kind) {
            case APPEND:
            case APPEND_AT:
                append(e);
                break;
            case ADVANCE_TERM:
                advanceTerm(e);
                break;
            case SYNC:
                syncRequested = true;
                addPending(e.future, nextSequence - 1, null, null);
                break;
            default:
                throw new IllegalStateException("unknown event kind " + e.kind);
        }
    }

    private void append(AppendEvent e) throws IOException {
        // A primary's own append fences on the highest term seen; a follower's copy only on the log's last record.
        long floor = e.kind == AppendEvent.Kind.APPEND ? currentTerm : lastRecordTerm;
        if (e.term < floor) {
            reject(e, new StaleTermException(floor, e.term));
            return;
        }
        if (e.kind == AppendEvent.Kind.APPEND_AT && e.sequence != nextSequence) {
            reject(e, new SequenceMismatchException(nextSequence, e.sequence));
            return;
        }
        if (e.precondition != null && !e.precondition.getAsBoolean()) {
            addPending(e.future, Oplog.NOT_APPENDED, null, null); // not appended: the caller sees no sequence
            return;
        }
        int length = RecordFormat.encodedLength(e.payload.length);
        long segmentBytes = activeSize + batch.position();
        if (segmentBytes > SegmentHeaderFormat.LENGTH && segmentBytes + length > segmentSize) {
            roll();
        }
        if (batch.remaining() < length) {
            writeBuffered();
            if (batch.capacity() < length) {
                batch = ByteBuffer.allocateDirect(Integer.highestOneBit(length - 1) << 1)
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        if (sequencingListener != null) {
            sequencingListener.onSequenced(nextSequence, e.type, e.payload);
        }
        long offset = activeSize + batch.position();
        RecordFormat.encode(batch, nextSequence, e.term, e.type, e.payload);
        active.index().add(nextSequence, offset);
        currentTerm = Math.max(currentTerm, e.term);
        lastRecordTerm = e.term;
        addPending(e.future, nextSequence, null,
                listener == null ? null : new LogRecord(nextSequence, e.term, e.type, e.payload));
        nextSequence++;
        appends++;
        appendedBytes += length;
        dirty = true;
    }

    private void advanceTerm(AppendEvent e) {
        if (e.term < currentTerm) {
            reject(e, new StaleTermException(currentTerm, e.term));
            return;
        }
        if (e.term > state.metadata.current().term()) {
            long term = e.term;
            state.metadata.update(m -> new Metadata(m.logId(), term, m.firstRetainedSequence(),
                    m.lastSegmentSequence()));
        }
        currentTerm = e.term;
        addPending(e.future, e.term, null, null);
    }

    private void reject(AppendEvent e, StorageException ex) {
        rejected++;
        addPending(e.future, 0, ex, null);
    }

    /** Callers are released only at the end of the batch, after the batch is durable and the stats are current. */
    private void addPending(CompletableFuture<Long> f, long result, StorageException error, LogRecord record) {
        if (pendingCount == pendingFutures.length) {
            pendingFutures = Arrays.copyOf(pendingFutures, pendingCount * 2);
            pendingResults = Arrays.copyOf(pendingResults, pendingCount * 2);
            pendingErrors = Arrays.copyOf(pendingErrors, pendingCount * 2);
            pendingRecords = Arrays.copyOf(pendingRecords, pendingCount * 2);
        }
        pendingFutures[pendingCount] = f;
        pendingResults[pendingCount] = result;
        pendingErrors[pendingCount] = error;
        pendingRecords[pendingCount] = record;
        pendingCount++;
    }

    private void writeBuffered() throws IOException {
        if (batch.position() == 0) {
            return;
        }
        batch.flip();
        int n = batch.remaining();
        FileSync.writeFully(channel, batch, activeSize);
        activeSize += n;
        batch.clear();
    }

    private void sync() throws IOException {
        channel.force(false);
        fsyncs++;
        dirty = false;
        lastSyncNanos = System.nanoTime();
    }

    /**
     * Seals the active segment and starts the next. The sealed segment is synced first whatever the durability
     * mode, so that a sealed segment is always complete on disk and any damage in it is corruption.
     */
    private void roll() throws IOException {
        writeBuffered();
        sync();
        active.seal(activeSize, nextSequence - 1);
        channel.close();
        long first = nextSequence;
        Path path = SegmentFiles.create(state.dir, state.logId, first);
        Segment next = new Segment(path, first);
        state.segments.put(first, next);
        // Record the term too: retention may later delete every segment that holds a record of it.
        long term = currentTerm;
        state.metadata.update(m -> new Metadata(m.logId(), Math.max(m.term(), term), m.firstRetainedSequence(),
                first));
        active = next;
        channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
        activeSize = SegmentHeaderFormat.LENGTH;
        segmentsRolled++;
        state.publishEnd(new LogState.End(active, activeSize, nextSequence - 1));
        LOG.log(Level.DEBUG, () -> "oplog " + state.dir + ": started segment " + path.getFileName());
    }

    private void endBatch() {
        writeBatches++;
        if (state.failure() == null) {
            try {
                writeBuffered();
                boolean due = durability.mode() == Durability.Mode.SYNC
                        || (durability.mode() == Durability.Mode.BATCHED
                        && System.nanoTime() - lastSyncNanos >= batchedIntervalNanos);
                if (syncRequested || (dirty && due)) {
                    sync();
                    syncRequested = false;
                }
                LogState.End end = state.end();
                if (end.lastSequence() != nextSequence - 1 || end.active() != active) {
                    state.publishEnd(new LogState.End(active, activeSize, nextSequence - 1));
                }
            } catch (IOException | RuntimeException ex) {
                fail(ex);
            }
        }
        stats = new OplogStats(appends, appendedBytes, writeBatches, fsyncs, segmentsRolled, rejected);
        // Entries before this index are durable and applied: their callers succeed even if a later one fails.
        int succeeded = state.failure() == null ? pendingCount : 0;
        for (int i = 0; i < succeeded; i++) {
            if (pendingRecords[i] != null) {
                try {
                    listener.onDurable(pendingRecords[i]);
                } catch (RuntimeException ex) {
                    fail(new StorageException("the durable-record listener of oplog " + state.dir
                            + " failed on sequence " + pendingRecords[i].sequence()
                            + "; the record is durable but was not applied, so the log accepts no more appends: "
                            + ex, ex));
                    succeeded = i;
                }
            }
        }
        StorageException failure = state.failure();
        for (int i = 0; i < pendingCount; i++) {
            if (pendingErrors[i] != null) {
                pendingFutures[i].completeExceptionally(pendingErrors[i]);
            } else if (i >= succeeded) {
                pendingFutures[i].completeExceptionally(failure);
            } else {
                pendingFutures[i].complete(pendingResults[i]);
            }
            pendingFutures[i] = null;
            pendingErrors[i] = null;
            pendingRecords[i] = null;
        }
        pendingCount = 0;
    }

    private void fail(Exception cause) {
        if (state.failure() == null) {
            LOG.log(Level.ERROR, "oplog " + state.dir + " failed to write or sync and accepts no more appends", cause);
        }
        state.fail(cause instanceof StorageException && !(cause instanceof CorruptionException)
                ? (StorageException) cause
                : new StorageException("oplog " + state.dir + " failed to write or sync; it accepts no more "
                        + "appends and must be reopened: " + cause, cause));
    }

    /** Called after the ring has drained: makes everything durable and closes the active segment. */
    void close() throws IOException {
        try {
            if (state.failure() == null) {
                writeBuffered();
                sync();
            }
        } finally {
            channel.close();
        }
    }
}
