package io.kintsugi.repair.lineage;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.RecoveryReport;
import io.kintsugi.oplog.SideLog;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.UnsupportedFormatException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
 * <p>It is an oplog of its own ({@link SideLog}), one record per copy ({@link LineageRecordFormat}), so every record is framed and
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

    /** Lineage records as records of a side log: type, term, payload limit and decoder from the format class. */
    private static final SideLog.RecordKind<LineageRecord> RECORDS = new SideLog.RecordKind<>("lineage log",
            LineageRecordFormat.TERM, LineageRecordFormat.RECORD_TYPE, LineageRecordFormat.MAX_ENCODED_LENGTH,
            LineageRecordFormat::decode);

    private final SideLog<LineageRecord> log;

    private LineageLog(SideLog<LineageRecord> log) {
        this.log = log;
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
        return checked(SideLog.open(storeDir, DIRECTORY_NAME, RECORDS,
                OplogOptions.builder().durability(Durability.SYNC)));
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
        return checked(SideLog.openReadOnly(storeDir, DIRECTORY_NAME, RECORDS));
    }

    /** Decodes every record now, so that a record that does not decode fails the open, not a later repair. */
    private static LineageLog checked(SideLog<LineageRecord> log) {
        try {
            log.forEach(r -> true);
            return new LineageLog(log);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
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
        return log.append(LineageRecordFormat.encode(record));
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
        List<LineageRecord> out = new ArrayList<>();
        log.forEach(r -> {
            if (query.matches(r)) {
                out.add(r);
            }
            return true;
        });
        return out;
    }

    /**
     * @return the torn last record recovery dropped when this log was opened (a crash during an append that never
     *         returned), if there was one
     */
    public Optional<RecoveryReport.TornTail> tornTail() {
        return log.tornTail();
    }

    /** @return how many records the log holds */
    public long size() {
        return log.size();
    }

    /** @return whether the log was opened with {@link #openReadOnly} */
    public boolean isReadOnly() {
        return log.isReadOnly();
    }

    /** @return the lineage log directory, {@code <store>/lineage} */
    public Path directory() {
        return log.directory();
    }

    /**
     * Closes the log (every record is already durable); a read-only log deletes its temporary copy. Later calls
     * do nothing.
     *
     * @throws StorageException if closing the files fails
     */
    @Override
    public void close() {
        log.close();
    }

    @Override
    public String toString() {
        return "LineageLog{" + directory() + (isReadOnly() ? ", read-only" : "") + '}';
    }
}
