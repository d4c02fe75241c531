package io.kintsugi.oplog;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.kintsugi.oplog.format.LogMetadataFormat.Metadata;
import io.kintsugi.oplog.format.RecordFormat;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;

/**
 * An append-only, segmented, checksummed log: Kintsugi's write-ahead log and the stream that replicates to
 * followers.
 *
 * <p>Appends go through an LMAX Disruptor ring to one writer thread, which assigns sequence numbers (or checks the
 * ones a follower supplies), writes each batch of records with one call and, under {@link Durability#SYNC}, makes
 * the whole batch durable with one fdatasync before releasing any caller in it (group commit). Every record
 * carries a CRC32C that readers verify before returning it.
 *
 * <pre>{@code
 * try (Oplog log = Oplog.open(dir)) {
 *     long seq = log.append(1, 7, payload);          // term 1, record type 7; durable when it returns
 *     try (OplogReader r = log.reader(seq)) {
 *         LogRecord rec = r.next();                   // verified; null once the reader has caught up
 *     }
 * }
 * }</pre>
 *
 * <p>Terms never decrease: an append or {@link #advanceTerm} carrying a term lower than the highest the log has
 * seen fails with {@link StaleTermException}. On open, a torn write at the very end of the log is truncated and
 * reported in {@link #recoveryReport()}; any other damage is a {@link CorruptionException} and nothing is dropped.
 *
 * <p>Thread-safe. One directory can be open in one {@code Oplog} at a time; the log holds a file lock on it.
 */
public final class Oplog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Oplog.class.getName());
    /** Name of the lock file that keeps a second {@code Oplog} out of an open log's directory. */
    public static final String LOCK_FILE_NAME = "oplog.lock";
    /** What the writer reports for a conditional append whose condition was false; no sequence is ever 0. */
    static final long NOT_APPENDED = 0;

    private final LogState state;
    private final LogWriter writer;
    private final Disruptor<AppendEvent> disruptor;
    private final RingBuffer<AppendEvent> ring;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final FileChannel lockChannel;
    private final ScheduledExecutorService ticker;
    private final RecoveryReport recoveryReport;
    private final Object retention = new Object();

    private Oplog(LogRecovery.Result recovered, FileChannel lockChannel) throws IOException {
        this.state = recovered.state();
        this.lockChannel = lockChannel;
        this.recoveryReport = recovered.report();
        this.writer = new LogWriter(state, recovered.active(), recovered.activeSize(), recovered.nextSequence(),
                recovered.currentTerm(), recovered.lastRecordTerm());
        String name = "kintsugi-oplog-writer-" + state.dir.getFileName();
        this.disruptor = new Disruptor<>(AppendEvent::new, state.options.ringSize(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }, ProducerType.MULTI, new BlockingWaitStrategy());
        disruptor.handleEventsWith(writer);
        this.ring = disruptor.start();
        if (state.options.durability().mode() == Durability.Mode.BATCHED) {
            long interval = state.options.durability().interval().toNanos();
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kintsugi-oplog-sync-" + state.dir.getFileName());
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::tick, interval, interval, TimeUnit.NANOSECONDS);
        } else {
            ticker = null;
        }
    }

    /**
     * Opens the log in {@code dir} with default options, creating it if the directory holds no log.
     *
     * @param dir the log directory; created if missing
     * @return the open log
     * @throws CorruptionException if the log is damaged anywhere but a torn tail
     * @throws StorageException    if the directory cannot be used or is in use by another {@code Oplog}
     */
    public static Oplog open(Path dir) {
        return open(dir, OplogOptions.defaults());
    }

    /**
     * Opens the log in {@code dir}, creating it if the directory holds no log. A torn write at the end of the last
     * segment is truncated and reported in {@link #recoveryReport()}.
     *
     * @param dir     the log directory; created if missing
     * @param options how to open it
     * @return the open log
     * @throws CorruptionException if the log is damaged anywhere but a torn tail
     * @throws UnsupportedFormatException if a file was written in a format version this build cannot read
     * @throws StorageException    if the directory cannot be used or is in use by another {@code Oplog}
     */
    public static Oplog open(Path dir, OplogOptions options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(LOCK_FILE_NAME), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new StorageException("oplog directory " + dir + " is already open in another Oplog");
            }
            LogRecovery.Result recovered = LogRecovery.recover(dir, options);
            return new Oplog(recovered, lockChannel);
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new StorageException("could not open oplog " + dir + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not close oplog lock file", e);
        }
    }

    /**
     * Appends a record with the next sequence number, as a primary does, and returns once it is durable as the
     * durability mode says.
     *
     * @param term    the appender's term; must not be lower than {@link #currentTerm()}, and a higher one becomes
     *                the log's current term
     * @param type    record type, 0..{@value RecordFormat#MAX_USER_TYPE}
     * @param payload the payload, at most {@link OplogOptions#maxPayloadSize()} bytes; not copied, do not change it
     *                until the append completes
     * @return the record's sequence number
     * @throws StaleTermException       if {@code term} is lower than the log's current term
     * @throws IllegalArgumentException if an argument is outside its limits
     * @throws StorageException         if the log is closed or failed
     */
    public long append(long term, int type, byte[] payload) {
        return await(appendAsync(term, type, payload));
    }

    /**
     * Like {@link #append} but does not wait. The future completes on the writer thread: keep what it triggers
     * short, or hand it to another executor.
     *
     * @param term    the appender's term
     * @param type    record type, 0..{@value RecordFormat#MAX_USER_TYPE}
     * @param payload the payload; do not change it until the future completes
     * @return the sequence number, once durable; or the failure ({@link StaleTermException}, {@link StorageException})
     * @throws IllegalArgumentException if an argument is outside its limits
     * @throws StorageException         if the log is closed
     */
    public CompletableFuture<Long> appendAsync(long term, int type, byte[] payload) {
        checkRecord(term, type, payload);
        return publish(AppendEvent.Kind.APPEND, 0, term, type, payload);
    }

    /**
     * Appends a record like {@link #append}, but only if {@code precondition} holds when the writer thread reaches
     * it: the condition runs on the writer thread after every earlier record was sequenced (and shown to the
     * {@link SequencingListener}) and before any later one, so it sees exactly the log up to the record's place.
     *
     * @param term         the appender's term
     * @param type         record type, 0..{@value RecordFormat#MAX_USER_TYPE}
     * @param payload      the payload; do not change it until the append completes
     * @param precondition checked once on the writer thread; must be quick, must not block or append
     * @return the record's sequence number, or empty if the precondition was false and nothing was appended
     * @throws StaleTermException       if {@code term} is lower than the log's current term
     * @throws IllegalArgumentException if an argument is outside its limits
     * @throws StorageException         if the log is closed or failed
     */
    public OptionalLong appendIf(long term, int type, byte[] payload, BooleanSupplier precondition) {
        Objects.requireNonNull(precondition, "precondition");
        checkRecord(term, type, payload);
        long seq = await(publish(AppendEvent.Kind.APPEND, 0, term, type, payload, precondition));
        return seq == NOT_APPENDED ? OptionalLong.empty() : OptionalLong.of(seq);
    }

    /**
     * Appends a record with a sequence number and term the caller supplies, as a follower does with the
     * primary's records, and returns once it is durable.
     *
     * <p>Unlike {@link #append}, the term may be below {@link #currentTerm()}: a follower that has already seen a
     * new primary's term still copies the older terms' records it lacks. It must not be below the term of the log's
     * last record: terms never go down within a log.
     *
     * @param sequence must be exactly the log's next sequence number
     * @param term     must not be lower than the term of the log's last record
     * @param type     record type, 0..255 (followers copy reserved types too)
     * @param payload  the payload; do not change it until the append completes
     * @throws SequenceMismatchException if {@code sequence} is not the next one
     * @throws StaleTermException        if {@code term} is lower than the term of the log's last record
     * @throws IllegalArgumentException  if an argument is outside its limits
     * @throws StorageException          if the log is closed or failed
     */
    public void appendAt(long sequence, long term, int type, byte[] payload) {
        await(appendAtAsync(sequence, term, type, payload));
    }

    /**
     * Like {@link #appendAt} but does not wait.
     *
     * @param sequence must be exactly the log's next sequence number
     * @param term     must not be lower than the term of the log's last record
     * @param type     record type, 0..255
     * @param payload  the payload; do not change it until the future completes
     * @return the sequence number, once durable; or the failure
     * @throws IllegalArgumentException if an argument is outside its limits
     * @throws StorageException         if the log is closed
     */
    public CompletableFuture<Long> appendAtAsync(long sequence, long term, int type, byte[] payload) {
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be at least 1, was " + sequence);
        }
        checkPayload(term, payload);
        if (type < 0 || type > 255) {
            throw new IllegalArgumentException("record type must be between 0 and 255, was " + type);
        }
        return publish(AppendEvent.Kind.APPEND_AT, sequence, term, type, payload);
    }

    /**
     * Raises the log's term durably, so that appends of lower terms are rejected from now on, also after a
     * restart. Raising to the current term does nothing.
     *
     * @param term the new term, not lower than {@link #currentTerm()}
     * @throws StaleTermException       if {@code term} is lower than the current term
     * @throws IllegalArgumentException if {@code term} is negative
     * @throws StorageException         if the log is closed or failed
     */
    public void advanceTerm(long term) {
        if (term < 0) {
            throw new IllegalArgumentException("term must not be negative, was " + term);
        }
        await(publish(AppendEvent.Kind.ADVANCE_TERM, 0, term, 0, null));
    }

    /**
     * Makes every record appended so far durable, whatever the durability mode.
     *
     * @return the last sequence that is now durable
     * @throws StorageException if the log is closed or failed
     */
    public long sync() {
        return await(publish(AppendEvent.Kind.SYNC, 0, 0, 0, null));
    }

    /**
     * Opens a reader positioned at {@code fromSequence}.
     *
     * @param fromSequence the first sequence to read, from {@link #firstSequence()} to {@link #lastSequence()} + 1
     * @return the reader; close it when done
     * @throws SequenceUnavailableException if retention dropped {@code fromSequence} or it is beyond the end
     * @throws StorageException             if the log is closed
     */
    public OplogReader reader(long fromSequence) {
        state.ensureOpen();
        checkReadable(fromSequence);
        return new OplogReader(state, fromSequence);
    }

    /**
     * Opens a tailer positioned at {@code fromSequence}: a reader that can wait for records not yet written.
     *
     * @param fromSequence the first sequence to read, from {@link #firstSequence()} to {@link #lastSequence()} + 1
     * @return the tailer; close it when done
     * @throws SequenceUnavailableException if retention dropped {@code fromSequence} or it is beyond the end
     * @throws StorageException             if the log is closed
     */
    public OplogTailer tailer(long fromSequence) {
        return new OplogTailer(state, reader(fromSequence));
    }

    /**
     * Delivers every record from {@code fromSequence} on, including future ones, to {@code listener} on a
     * dedicated daemon thread, until the subscription is closed or fails.
     *
     * @param fromSequence the first sequence to deliver
     * @param listener     receives records in order, and the failure that stops the subscription, if any
     * @return the subscription; close it to stop
     * @throws SequenceUnavailableException if retention dropped {@code fromSequence} or it is beyond the end
     * @throws StorageException             if the log is closed
     */
    public TailSubscription subscribe(long fromSequence, TailListener listener) {
        Objects.requireNonNull(listener, "listener");
        return TailSubscription.start(state, tailer(fromSequence), listener);
    }

    /**
     * Retention: deletes every sealed segment whose records all have sequences at or below {@code sequence}. The
     * active segment is never deleted. Readers already inside a deleted segment finish it; new readers below the
     * new first sequence get {@link SequenceUnavailableException}.
     *
     * @param sequence the highest sequence the caller no longer needs (for example, the highest flushed one)
     * @return the first sequence still retained
     * @throws IllegalArgumentException if {@code sequence} is negative
     * @throws StorageException         if the log is closed, or a file cannot be deleted
     */
    public long releaseThrough(long sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative, was " + sequence);
        }
        synchronized (retention) {
            state.ensureOpen();
            List<Segment> drop = new ArrayList<>();
            long newFirst = state.firstSequence();
            for (Segment s : state.segments.values()) {
                if (!s.isSealed() || s.sealedLastSequence() > sequence) {
                    newFirst = s.firstSequence();
                    break;
                }
                drop.add(s);
            }
            if (drop.isEmpty()) {
                return state.firstSequence();
            }
            long first = newFirst;
            // Record the new start first: a crash after this finishes the deletion on the next open.
            state.metadata.update(m -> new Metadata(m.logId(), m.term(), first, m.lastSegmentSequence()));
            state.firstSequence(first);
            try {
                for (Segment s : drop) {
                    state.segments.remove(s.firstSequence());
                    Files.deleteIfExists(s.path());
                }
                FileSync.syncDirectory(state.dir);
            } catch (IOException e) {
                throw new StorageException("retention could not delete segments of " + state.dir + ": " + e, e);
            }
            LOG.log(Level.DEBUG, () -> "oplog " + state.dir + ": released " + drop.size()
                    + " segment(s); the log now starts at sequence " + first);
            return first;
        }
    }

    /** @return the highest term the log has seen */
    public long currentTerm() {
        return writer.currentTerm();
    }

    /** @return the last sequence that readers can see (durable as the durability mode says); first - 1 if empty */
    public long lastSequence() {
        return state.end().lastSequence();
    }

    /** @return the first sequence still retained */
    public long firstSequence() {
        return state.firstSequence();
    }

    /** @return the log's id, recorded in every segment header */
    public UUID logId() {
        return state.logId;
    }

    /** @return the log directory */
    public Path directory() {
        return state.dir;
    }

    /** @return the options the log was opened with */
    public OplogOptions options() {
        return state.options;
    }

    /** @return what opening the log found and did */
    public RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    /** @return counters since the log was opened, as of the writer's last completed batch */
    public OplogStats stats() {
        return writer.stats();
    }

    /**
     * Waits for appends in flight, makes everything durable, and closes the log. Later calls do nothing; calls
     * to other methods afterwards throw {@link StorageException}.
     *
     * @throws StorageException if the final sync fails
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (state.isClosed()) {
                return;
            }
            state.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        disruptor.shutdown();
        try {
            writer.close();
        } catch (IOException e) {
            throw new StorageException("could not sync oplog " + state.dir + " on close: " + e, e);
        } finally {
            closeQuietly(lockChannel);
        }
    }

    private void tick() {
        lifecycle.readLock().lock();
        try {
            if (!state.isClosed()) {
                ring.tryPublishEvent((e, s) -> e.set(AppendEvent.Kind.TICK, 0, 0, 0, null, null));
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private CompletableFuture<Long> publish(AppendEvent.Kind kind, long sequence, long term, int type,
                                            byte[] payload) {
        return publish(kind, sequence, term, type, payload, null);
    }

    private CompletableFuture<Long> publish(AppendEvent.Kind kind, long sequence, long term, int type,
                                            byte[] payload, BooleanSupplier precondition) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        lifecycle.readLock().lock();
        try {
            state.ensureOpen();
            long slot = ring.next();
            try {
                AppendEvent e = ring.get(slot);
                e.set(kind, sequence, term, type, payload, f);
                e.precondition = precondition;
            } finally {
                ring.publish(slot);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        return f;
    }

    private static long await(CompletableFuture<Long> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new StorageException("append failed: " + c, c);
        }
    }

    private void checkRecord(long term, int type, byte[] payload) {
        checkPayload(term, payload);
        if (type < 0 || type > RecordFormat.MAX_USER_TYPE) {
            throw new IllegalArgumentException("record type must be between 0 and " + RecordFormat.MAX_USER_TYPE
                    + " (higher types are reserved), was " + type);
        }
    }

    private void checkPayload(long term, byte[] payload) {
        if (term < 0) {
            throw new IllegalArgumentException("term must not be negative, was " + term);
        }
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        if (payload.length > state.options.maxPayloadSize()) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the limit of "
                    + state.options.maxPayloadSize() + " bytes (OplogOptions.maxPayloadSize)");
        }
    }

    private void checkReadable(long fromSequence) {
        long first = state.firstSequence();
        long last = state.end().lastSequence();
        if (fromSequence < first) {
            throw new SequenceUnavailableException(fromSequence, SequenceUnavailableException.Reason.NOT_RETAINED,
                    first, last);
        }
        if (fromSequence > last + 1) {
            throw new SequenceUnavailableException(fromSequence,
                    SequenceUnavailableException.Reason.NOT_YET_WRITTEN, first, last);
        }
    }
}
