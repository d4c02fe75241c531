package io.kintsugi.engine;

import io.kintsugi.engine.format.TermHistoryFormat;
import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.FileSync;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The store's term history on disk ({@link TermHistoryFormat}) and in memory. Every change is durable before
 * {@link #record} returns, so a record of a new term is never in the oplog without its history entry.
 */
final class TermHistoryFile {

    private final Path path;
    private final UUID storeId;
    private volatile TermHistory current;

    private TermHistoryFile(Path path, UUID storeId, TermHistory current) {
        this.path = path;
        this.storeId = storeId;
        this.current = current;
    }

    /**
     * Opens the store's history, creating it for a store whose oplog never left term 0: such a store has only ever
     * been its own primary, which the single entry (term 0 from sequence 1, this store) says.
     *
     * @param storeDir  the store directory
     * @param storeId   the store id
     * @param oplogTerm the highest term the store's oplog has seen
     * @return the history file
     * @throws CorruptionException if the file is damaged, or missing although the oplog has left term 0
     */
    static TermHistoryFile open(Path storeDir, UUID storeId, long oplogTerm) {
        Path path = storeDir.resolve(TermHistoryFormat.FILE_NAME);
        try {
            if (Files.exists(path)) {
                return new TermHistoryFile(path, storeId,
                        TermHistoryFormat.decode(Files.readAllBytes(path), path, storeId));
            }
        } catch (IOException e) {
            throw new StorageException("could not read the term history file " + path + ": " + e, e);
        }
        if (oplogTerm > 0) {
            throw new CorruptionException(CorruptionReport.of(path, -1, -1, CorruptionKind.MISSING_FILE,
                    "the term history file is missing, but the oplog has seen term " + oplogTerm));
        }
        TermHistoryFile f = new TermHistoryFile(path, storeId, TermHistory.empty());
        f.record(new TermHistory.Entry(0, 1, storeId));
        return f;
    }

    /** @return the current history */
    TermHistory current() {
        return current;
    }

    /**
     * Makes the history say that {@code sequence} was written in {@code term} by {@code primary}, as a follower
     * must before it appends a copied record: an entry is added if the covering one names another writer, and
     * entries after {@code sequence} (left by a term that never wrote here) are dropped.
     *
     * @param sequence the sequence about to be appended
     * @param term     its term
     * @param primary  the primary that wrote it in that term
     * @throws IllegalArgumentException if {@code term} is below a term the history keeps
     * @throws StorageException         if the file cannot be written
     */
    synchronized void recordWriter(long sequence, long term, UUID primary) {
        TermHistory.Entry covering = current.entryAt(sequence);
        if (covering != null && covering.term() == term && covering.primary().equals(primary)) {
            TermHistory trimmed = current.truncatedAfter(sequence);
            if (trimmed != current) {
                write(trimmed);
            }
            return;
        }
        record(new TermHistory.Entry(term, sequence, primary));
    }

    /**
     * Adds an entry (dropping entries that start at or after it) and writes the file durably.
     *
     * @param entry the start of a term
     * @throws IllegalArgumentException if the entry's term is not above the entries it keeps
     * @throws StorageException         if the file cannot be written
     */
    synchronized void record(TermHistory.Entry entry) {
        TermHistory next = current.with(entry);
        if (!next.equals(current)) {
            write(next);
        }
    }

    private void write(TermHistory next) {
        try {
            FileSync.replaceAtomically(path, ByteBuffer.wrap(TermHistoryFormat.encode(storeId, next)));
        } catch (IOException e) {
            throw new StorageException("could not write the term history file " + path + ": " + e, e);
        }
        current = next;
    }
}
