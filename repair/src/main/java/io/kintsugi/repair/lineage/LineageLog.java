package io.kintsugi.repair.lineage;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.OplogReader;
import io.kintsugi.oplog.ReadOnlyLogCopy;
import io.kintsugi.oplog.RecoveryReport;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.UnsupportedFormatException;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A replica's lineage log: every copy this replica installed from a peer (a range resync or a whole-replica
 * resync), from whom, when and at which sequence number, kept in {@code <store>/lineage/}.
 *
 * <p>Repair asks it one question before trusting a source: did that source copy the damaged range from the damaged
 * replica since the damage could have started? If it did, its "healthy" copy may be the damage itself
 * ({@link #copiedFrom}). So the log must not forget: unlike the health log it has no size bound (it grows by one
 * record of about a hundred bytes per repair) and every record is fdatasynced before {@link #append} returns, so a
 * copy that was installed and then recorded survives any crash.
 *
 * <p>It is an oplog of its own, one record per copy ({@link LineageRecordFormat}), so every record is framed and
 * checksummed. A torn last record (a crash during an append that never returned) is dropped on open, logged and
 * reported by {@link #tornTail()}; damage anywhere else fails the open with a {@link CorruptionException} naming
 * the file, and nothing is dropped. It is not a store namespace, on purpose: it is not replicated (each replica
 * records what <em>it</em> copied) and must outlive damage to the store's own data files.
 *
 * <pre>{@code
 * try (LineageLog lineage = LineageLog.open(storeDir)) {
 *     lineage.append(record);
 *     List<LineageRecord> risky = lineage.copiedFrom("replica-c", "orders", from, to, damageCouldHaveStarted);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Appends are serialized; queries run beside them and see every record appended before they
 * started.
 */
public final class LineageLog implements AutoCloseable {

    /** The name of the lineage log's directory inside the store directory. */
    public static final String DIRECTORY_NAME = "lineage";

    private static final System.Logger LOG = System.getLogger(LineageLog.class.getName());

    private final Path directory;
    private final Oplog log;
    private final ReadOnlyLogCopy copy;
    private final Optional<RecoveryReport.TornTail> tornTail;
    private final ReentrantLock appendLock = new ReentrantLock();
    private volatile boolean closed;

    private LineageLog(Path directory, Oplog log, ReadOnlyLogCopy copy, Optional<RecoveryReport.TornTail> torn) {
        this.directory = directory;
        this.log = log;
        this.copy = copy;
        this.tornTail = torn;
    }

    /**
     * @param storeDir a store directory
     * @return the lineage log directory in it
     */
    public static Path directory(Path storeDir) {
        return storeDir.resolve(DIRECTORY_NAME);
    }

    /**
     * Opens the lineage log of the store in {@code storeDir} for appending, creating {@code <storeDir>/lineage/}
     * if needed. Every record is verified; a torn last record is dropped and reported, any other damage fails the
     * open.
     *
     * <p>Open the store before its lineage log: a store refuses to be created in a directory that already holds
     * anything.
     *
     * @param storeDir the store directory; must exist
     * @return the open log
     * @throws CorruptionException        if a record is damaged anywhere but a torn last record
     * @throws UnsupportedFormatException if a file was written in a format version this build cannot read
     * @throws StorageException           if the store directory does not exist, the log is open in another
     *                                    {@code LineageLog}, or a file cannot be used
     */
    public static LineageLog open(Path storeDir) {
        Path dir = directory(checkStoreDirectory(storeDir));
        Oplog log = Oplog.open(dir, OplogOptions.builder()
                .durability(Durability.SYNC)
                .maxPayloadSize(LineageRecordFormat.MAX_ENCODED_LENGTH)
                .build());
        try {
            Optional<RecoveryReport.TornTail> torn = log.recoveryReport().tornTail();
            logTornTail(torn, dir, "was dropped");
            LineageLog lineage = new LineageLog(dir, log, null, torn);
            // Decode every record now, so a record that does not decode fails the open, not a later repair.
            lineage.scan(LineageQuery.all());
            return lineage;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Opens the lineage log of the store in {@code storeDir} for reading only, without writing anything to the
     * store directory, so that a closed store (or one open in another process) can be inspected. A store without a
     * lineage log reads as empty, and nothing is created. The log's files are copied to a temporary directory that
     * is opened and checked exactly as a writable open would; damage is reported with the original files' names.
     *
     * @param storeDir the store directory; must exist
     * @return the log; {@link #append} throws {@link StorageException}
     * @throws CorruptionException        if a record is damaged anywhere but a torn last record
     * @throws UnsupportedFormatException if a file was written in a format version this build cannot read
     * @throws StorageException           if the store directory does not exist or the log cannot be copied
     */
    public static LineageLog openReadOnly(Path storeDir) {
        Path dir = directory(checkStoreDirectory(storeDir));
        if (!Files.isDirectory(dir)) {
            return new LineageLog(dir, null, null, Optional.empty());
        }
        ReadOnlyLogCopy copy = ReadOnlyLogCopy.open(dir, "lineage log", LineageRecordFormat.MAX_ENCODED_LENGTH);
        try {
            Optional<RecoveryReport.TornTail> torn = copy.log().recoveryReport().tornTail().map(t ->
                    new RecoveryReport.TornTail(copy.original(t.file()), t.offset(), t.bytesDropped(),
                            t.lastValidSequence(), t.cause()));
            logTornTail(torn, dir, "is not read; the files are left as they are (read-only)");
            LineageLog lineage = new LineageLog(dir, copy.log(), copy, torn);
            lineage.scan(LineageQuery.all());
            return lineage;
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    private static Path checkStoreDirectory(Path storeDir) {
        Objects.requireNonNull(storeDir, "storeDir");
        if (!Files.isDirectory(storeDir)) {
            throw new StorageException("no store directory at " + storeDir + (Files.exists(storeDir)
                    ? " (it is not a directory)" : " (it does not exist)"));
        }
        return storeDir;
    }

    private static void logTornTail(Optional<RecoveryReport.TornTail> torn, Path dir, String outcome) {
        torn.ifPresent(t -> LOG.log(Level.WARNING, "lineage log " + dir + ": a torn last record (" + t.bytesDropped()
                + " bytes at offset " + t.offset() + " of " + t.file() + ", after sequence " + t.lastValidSequence()
                + ", " + t.cause() + "), left by a crash during an append that never returned, " + outcome));
    }

    /**
     * Appends a record and makes it durable (fdatasync) before returning: a copy must never be installed and then
     * forgotten. Append it after the copied stream passed its hash check and <em>before</em> the range is
     * replaced: a crash between the two then leaves a record of a copy that may not have happened, which only
     * makes repair wary of that source (the safe side), never a copy without a record.
     *
     * @param record the copy
     * @return the record's sequence number in the lineage log (1 for the first)
     * @throws IllegalArgumentException if a field is outside the limits of {@link LineageRecordFormat} (replica
     *                                  ids, namespace and repair id 255 UTF-8 bytes, keys 64 KiB)
     * @throws StorageException         if the log is closed or read-only, or the write or sync fails
     */
    public long append(LineageRecord record) {
        byte[] payload = LineageRecordFormat.encode(record);
        appendLock.lock();
        try {
            ensureOpen();
            if (copy != null || log == null) {
                throw new StorageException("lineage log " + directory + " is open read-only");
            }
            return log.append(LineageRecordFormat.TERM, LineageRecordFormat.RECORD_TYPE, payload);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * The question repair asks of a would-be source's lineage log: the copies this replica installed from
     * {@code sourceReplica} that touched a key of {@code [from, to)} in {@code namespace}, at or after
     * {@code since}. Whole-replica copies from that source touch every range. An empty answer means this replica
     * holds nothing of the range that it took from that source since then.
     *
     * <p>Every record in this log is a copy into this store's data, so none is left out for its target replica id:
     * a store whose replica id changed still holds what it copied under the old one.
     *
     * @param sourceReplica the replica suspected of being damaged
     * @param namespace     the namespace of the range
     * @param from          first key (inclusive), or null for the start of the namespace
     * @param to            end key (exclusive), or null for the end of the namespace
     * @param since         the earliest time the damage could have started
     * @return the matching records, oldest first
     * @throws IllegalArgumentException if the namespace is empty or the range is empty
     * @throws CorruptionException      if a record is damaged or does not decode; no record is skipped
     * @throws StorageException         if the log is closed or cannot be read
     */
    public List<LineageRecord> copiedFrom(String sourceReplica, String namespace, byte[] from, byte[] to,
                                          Instant since) {
        return query(LineageQuery.builder().source(sourceReplica).overlapping(namespace, from, to).since(since)
                .build());
    }

    /**
     * @param query the conditions
     * @return the matching records, oldest first
     * @throws CorruptionException        if a record is damaged or does not decode; no record is skipped
     * @throws UnsupportedFormatException if a record was written in a format version this build cannot read
     * @throws StorageException           if the log is closed or cannot be read
     */
    public List<LineageRecord> query(LineageQuery query) {
        Objects.requireNonNull(query, "query");
        ensureOpen();
        return scan(query);
    }

    private List<LineageRecord> scan(LineageQuery query) {
        List<LineageRecord> out = new ArrayList<>();
        if (log == null) {
            return out;
        }
        long last = log.lastSequence();
        long first = log.firstSequence();
        if (last < first) {
            return out;
        }
        try (OplogReader r = log.reader(first)) {
            for (long expected = first; expected <= last; expected++) {
                LogRecord rec = r.next();
                if (rec == null) {
                    throw new StorageException("lineage log " + directory + ": record " + expected
                            + " is not visible although the log ends at " + last);
                }
                LineageRecord decoded = decode(rec);
                if (query.matches(decoded)) {
                    out.add(decoded);
                }
            }
        } catch (CorruptionException e) {
            throw copy == null ? e : renamed(e);
        }
        return out;
    }

    private CorruptionException renamed(CorruptionException e) {
        CorruptionReport r = e.report();
        return new CorruptionException(new CorruptionReport(copy.original(r.file()), r.offset(),
                r.length(), r.kind(), r.expected(), r.actual(), r.detail()), e);
    }

    private LineageRecord decode(LogRecord rec) {
        if (rec.type() != LineageRecordFormat.RECORD_TYPE || rec.term() != LineageRecordFormat.TERM) {
            throw new CorruptionException(CorruptionReport.of(directory, -1, -1, CorruptionKind.INVALID_CONTENT,
                    "lineage record at sequence " + rec.sequence() + " has type " + rec.type() + " and term "
                            + rec.term() + "; lineage records are type " + LineageRecordFormat.RECORD_TYPE
                            + ", term " + LineageRecordFormat.TERM));
        }
        return LineageRecordFormat.decode(rec.payload(), directory, rec.sequence());
    }

    /**
     * @return the torn last record recovery dropped when this log was opened (a crash during an append that never
     *         returned), if there was one
     */
    public Optional<RecoveryReport.TornTail> tornTail() {
        return tornTail;
    }

    /** @return how many records the log holds */
    public long size() {
        ensureOpen();
        return log == null ? 0 : Math.max(0, log.lastSequence() - log.firstSequence() + 1);
    }

    /** @return whether the log was opened with {@link #openReadOnly} */
    public boolean isReadOnly() {
        return copy != null || log == null;
    }

    /** @return the lineage log directory, {@code <store>/lineage} */
    public Path directory() {
        return directory;
    }

    /**
     * Closes the log (every record is already durable); a read-only log deletes its temporary copy. Later calls
     * do nothing.
     *
     * @throws StorageException if closing the files fails
     */
    @Override
    public void close() {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (copy != null) {
                copy.close();
            } else if (log != null) {
                log.close();
            }
        } finally {
            appendLock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("lineage log " + directory + " is closed");
        }
    }

    @Override
    public String toString() {
        return "LineageLog{" + directory + (isReadOnly() ? ", read-only" : "") + '}';
    }
}
