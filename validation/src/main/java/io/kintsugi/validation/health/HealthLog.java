package io.kintsugi.validation.health;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.SideLog;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.UnsupportedFormatException;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A replica's health log: the entries that scans, checks, verify runs and repairs record about this replica's data,
 * kept in {@code <store>/health/}.
 *
 * <p>It is not a store namespace, on purpose: it is not replicated (each replica records what <em>it</em> found,
 * and a follower cannot write replicated namespaces), and an entry must survive when the store's own data files are
 * damaged. It is an oplog of its own ({@link SideLog}), one record per entry ({@link HealthEntryFormat}), so every
 * entry is framed and checksummed, a torn last entry after a crash is dropped on open, and damage anywhere else fails the open with a
 * {@link CorruptionException} instead of losing entries silently.
 *
 * <pre>{@code
 * try (HealthLog health = HealthLog.open(storeDir, HealthLogOptions.builder().maxBytes(16 << 20).build())) {
 *     health.append(entry);
 *     List<HealthEntry> errors = health.query(HealthQuery.builder().minSeverity(Severity.ERROR).limit(10).build());
 * }
 * }</pre>
 *
 * <p><b>Size.</b> The log's segment files never hold more than {@link HealthLogOptions#maxBytes()} once an append
 * returns: the oldest entries are dropped a whole segment (a sixteenth of the bound) at a time, and the number
 * dropped is kept ({@link HealthLogStats#droppedEntries()}), also across restarts.
 *
 * <p><b>Durability.</b> An ERROR entry is fdatasynced before {@link #append} returns: it reports damage, and
 * damage is when a machine is most likely to go down. INFO and WARNING entries (routine scan verdicts, most of the
 * log) are written to the operating system before {@code append} returns and fdatasynced within
 * {@link HealthLogOptions#syncInterval()} (1 s by default), together: a process crash loses none of them, a machine
 * crash up to that interval's worth. Syncing each would cost a scan an fsync per batch for no gain.
 *
 * <p><b>Reading a closed store.</b> {@link #openReadOnly} reads without writing anything to the store directory.
 *
 * <p>Thread-safe. Appends are serialized; queries run beside them.
 */
public final class HealthLog implements AutoCloseable {

    /** The name of the health log's directory inside the store directory. */
    public static final String DIRECTORY_NAME = "health";

    private static final System.Logger LOG = System.getLogger(HealthLog.class.getName());

    /** Health entries as records of a side log: type, term, payload limit and decoder from the format class. */
    private static final SideLog.RecordKind<HealthEntry> ENTRIES = new SideLog.RecordKind<>("health log",
            HealthEntryFormat.TERM, HealthEntryFormat.RECORD_TYPE, HealthEntryFormat.MAX_ENCODED_LENGTH,
            HealthEntryFormat::decode);

    private final SideLog<HealthEntry> log;
    private final SizeBound bound;
    private final EntryPublisher publisher;

    private HealthLog(SideLog<HealthEntry> log, SizeBound bound, EntryPublisher publisher) {
        this.log = log;
        this.bound = bound;
        this.publisher = publisher;
    }

    /**
     * @param storeDir a store directory
     * @return the health log directory in it
     */
    public static Path directory(Path storeDir) {
        return storeDir.resolve(DIRECTORY_NAME);
    }

    /**
     * Opens the health log of the store in {@code storeDir} with default options; see
     * {@link #open(Path, HealthLogOptions)}.
     *
     * @param storeDir the store directory; must exist
     * @return the open log
     * @throws CorruptionException if a health-log record is damaged anywhere but a torn last record
     * @throws StorageException    if the directory cannot be used or the log is open elsewhere
     */
    public static HealthLog open(Path storeDir) {
        return open(storeDir, HealthLogOptions.defaults());
    }

    /**
     * Opens the health log of the store in {@code storeDir} for appending, creating {@code <storeDir>/health/} if
     * needed. Every record is verified; a torn last record (a crash during an append that never returned) is
     * dropped, any other damage fails the open. If the log is over {@code options.maxBytes()}, its oldest entries
     * are dropped now.
     *
     * <p>Open the store before its health log: a store refuses to be created in a directory that already holds
     * anything, a health log included.
     *
     * @param storeDir the store directory; must exist
     * @param options  the size bound, sync interval and listeners
     * @return the open log
     * @throws CorruptionException        if a health-log record is damaged anywhere but a torn last record
     * @throws UnsupportedFormatException if a file was written in a format version this build cannot read
     * @throws StorageException           if the store directory does not exist, the log is open in another
     *                                    {@code HealthLog}, or a file cannot be used
     */
    public static HealthLog open(Path storeDir, HealthLogOptions options) {
        Objects.requireNonNull(options, "options");
        SideLog<HealthEntry> log = SideLog.open(storeDir, DIRECTORY_NAME, ENTRIES, OplogOptions.builder()
                .segmentSize(options.segmentSize())
                .durability(Durability.batched(options.syncInterval())));
        try {
            SizeBound bound = new SizeBound(log.oplog().orElseThrow(), options.maxBytes(), options.segmentSize());
            return new HealthLog(log, bound, new EntryPublisher(options.listeners()));
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Opens the health log of the store in {@code storeDir} for reading only, without writing anything to the store
     * directory, so that a closed store (or one open in another process) can be inspected. A store without a
     * health log reads as empty, and nothing is created.
     *
     * <p>The oplog under the health log cannot be opened read-only (opening may truncate a torn tail and clean up
     * after an interrupted operation), so its files are copied to a temporary directory, at most the log's size
     * bound, and the copy is opened and checked exactly as a writable open would. Damage is reported with the
     * original files' names. The copy is deleted on {@link #close()}.
     *
     * @param storeDir the store directory; must exist
     * @return the log; {@link #append} throws {@link StorageException}
     * @throws CorruptionException        if a health-log record is damaged anywhere but a torn last record
     * @throws UnsupportedFormatException if a file was written in a format version this build cannot read
     * @throws StorageException           if the store directory does not exist or the log cannot be copied
     */
    public static HealthLog openReadOnly(Path storeDir) {
        return new HealthLog(SideLog.openReadOnly(storeDir, DIRECTORY_NAME, ENTRIES), null, null);
    }

    /**
     * Appends an entry, makes it durable if it is an ERROR (others within the sync interval), drops the oldest
     * entries if the log passed its size bound, then commits the JFR event and calls the listeners.
     *
     * @param entry the entry
     * @throws IllegalArgumentException if a field is outside the limits of {@link HealthEntryFormat} (replica id and
     *                                  namespace 255 UTF-8 bytes, keys 64 KiB, detail 4096 UTF-8 bytes, counts -1 or
     *                                  more)
     * @throws StorageException         if the log is closed or read-only, or the write fails
     */
    public void append(HealthEntry entry) {
        byte[] payload = HealthEntryFormat.encode(entry);
        log.append(payload, sequence -> {
            Oplog oplog = log.oplog().orElseThrow();
            if (entry.severity() == Severity.ERROR) {
                oplog.sync();
            }
            try {
                bound.appended(payload.length);
            } catch (StorageException e) {
                // The entry is written; failing the append now would make the caller think it was lost. The next
                // append tries again.
                LOG.log(Level.WARNING, "health log " + log.directory() + ": could not drop old entries to keep the"
                        + " size bound: " + e.getMessage(), e);
            }
            publisher.publish(entry);
        });
    }

    /**
     * Reads the entries that match {@code query}, scanning the whole log (which is bounded).
     *
     * @param query the conditions, order and limit
     * @return the matching entries, in the query's order, at most its limit
     * @throws CorruptionException        if a record is damaged or does not decode; no entry is skipped
     * @throws UnsupportedFormatException if an entry was written in a format version this build cannot read
     * @throws StorageException           if the log is closed or cannot be read
     */
    public List<HealthEntry> query(HealthQuery query) {
        Objects.requireNonNull(query, "query");
        int limit = query.limit();
        if (query.order() == HealthQuery.Order.OLDEST_FIRST) {
            List<HealthEntry> out = new ArrayList<>();
            log.forEach(e -> {
                if (query.matches(e)) {
                    out.add(e);
                }
                return out.size() < limit;
            });
            return out;
        }
        ArrayDeque<HealthEntry> newest = new ArrayDeque<>();
        log.forEach(e -> {
            if (query.matches(e)) {
                newest.addLast(e);
                if (newest.size() > limit) {
                    newest.removeFirst();
                }
            }
            return true;
        });
        List<HealthEntry> out = new ArrayList<>(newest.size());
        for (Iterator<HealthEntry> it = newest.descendingIterator(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    /**
     * @return how many entries and bytes the log holds, the times of its first and last entries, and how many
     *         entries its size bound has dropped
     * @throws CorruptionException if the first or last record is damaged
     * @throws StorageException    if the log is closed or cannot be read
     */
    public HealthLogStats stats() {
        Optional<Oplog> oplog = log.oplog();
        if (oplog.isEmpty()) {
            return new HealthLogStats(0, 0, Optional.empty(), Optional.empty(), 0);
        }
        long first = oplog.get().firstSequence();
        long last = oplog.get().lastSequence();
        long bytes = SizeBound.segmentSizes(oplog.get().directory()).values().stream().mapToLong(Long::longValue)
                .sum();
        if (last < first) {
            return new HealthLogStats(0, bytes, Optional.empty(), Optional.empty(), first - 1);
        }
        return new HealthLogStats(last - first + 1, bytes, Optional.of(log.read(first).time()),
                Optional.of(log.read(last).time()), first - 1);
    }

    /** @return whether the log was opened with {@link #openReadOnly} */
    public boolean isReadOnly() {
        return log.isReadOnly();
    }

    /** @return the health log directory, {@code <store>/health} */
    public Path directory() {
        return log.directory();
    }

    /**
     * Makes every entry durable and closes the log; a read-only log deletes its temporary copy. Later calls do
     * nothing.
     *
     * @throws StorageException if the final sync fails
     */
    @Override
    public void close() {
        log.close();
    }

    @Override
    public String toString() {
        return "HealthLog{" + directory() + (isReadOnly() ? ", read-only" : "") + '}';
    }
}
