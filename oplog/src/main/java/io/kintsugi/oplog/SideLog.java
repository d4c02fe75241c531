package io.kintsugi.oplog;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * A small log kept in a subdirectory of a store directory, beside the store's own files: an oplog of its own whose
 * records all have one type and term and whose payloads one format class decodes. A store's health log and its
 * lineage log are side logs; each keeps its own API, format class and writer settings on top of this one.
 *
 * <p>What a side log adds to the oplog: it checks the store directory exists before creating anything in it; it
 * logs a torn last record dropped on open; a read-only open copies the files ({@link ReadOnlyLogCopy}), reads a
 * missing subdirectory as an empty log, and names the original files in every report; appends are serialized and
 * refused once closed or when read-only; every record read is checked for the log's type and term and decoded,
 * and a record that fails either stops the read with its exception, never skipped.
 *
 * <p>Thread-safe. Appends (and what the caller does right after each, see {@link #append(byte[], LongConsumer)})
 * are serialized with {@link #close()}; reads run beside them.
 *
 * @param <T> what one record's payload decodes to
 */
public final class SideLog<T> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SideLog.class.getName());

    private final RecordKind<T> kind;
    private final Path directory;
    private final Oplog log;
    private final ReadOnlyLogCopy copy;
    private final boolean readOnly;
    private final Optional<RecoveryReport.TornTail> tornTail;
    private final Object appendLock = new Object();
    private volatile boolean closed;

    private SideLog(RecordKind<T> kind, Path directory, Oplog log, ReadOnlyLogCopy copy, boolean readOnly,
                    Optional<RecoveryReport.TornTail> tornTail) {
        this.kind = kind;
        this.directory = directory;
        this.log = log;
        this.copy = copy;
        this.readOnly = readOnly;
        this.tornTail = tornTail;
    }

    /**
     * What a side log holds: its name for messages, the type and term of its records, their payload limit and how a
     * payload decodes. The values come from the log's format class.
     *
     * @param name           what the log is, for messages and reports ("health log")
     * @param term           the term every record has
     * @param recordType     the type every record has
     * @param maxPayloadSize the largest payload a record may hold
     * @param decoder        decodes one record's payload
     * @param <T>            what a payload decodes to
     */
    public record RecordKind<T>(String name, long term, int recordType, int maxPayloadSize, Decoder<T> decoder) {

        /**
         * @throws NullPointerException     if the name or decoder is null
         * @throws IllegalArgumentException if the name is empty or the payload limit is not positive
         */
        public RecordKind {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(decoder, "decoder");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a side log's name must not be empty");
            }
            if (maxPayloadSize <= 0) {
                throw new IllegalArgumentException("a side log's payload limit must be positive, was "
                        + maxPayloadSize);
            }
        }
    }

    /**
     * Decodes one record's payload; a payload format class's {@code decode} method.
     *
     * @param <T> what a payload decodes to
     */
    @FunctionalInterface
    public interface Decoder<T> {

        /**
         * @param payload  the record's payload, verified by the oplog's checksum
         * @param dir      the log directory to name in a report (the original's, also when reading a copy)
         * @param sequence the record's sequence number, to name in a report
         * @return the decoded payload
         * @throws CorruptionException        if the payload does not decode
         * @throws UnsupportedFormatException if the payload has a format version this build cannot read
         */
        T decode(byte[] payload, Path dir, long sequence);
    }

    /**
     * Opens the side log in {@code <storeDir>/<directoryName>} for appending, creating the subdirectory if needed.
     * Recovery verifies every record; a torn last record (a crash during an append that never returned) is dropped
     * and logged, any other damage fails the open.
     *
     * @param storeDir      the store directory; must exist
     * @param directoryName the log's subdirectory
     * @param kind          what the log holds; its payload limit replaces any in {@code options}
     * @param options       the writer settings (durability, segment size)
     * @param <T>           what a payload decodes to
     * @return the open log
     * @throws CorruptionException        if a record is damaged anywhere but a torn last record
     * @throws UnsupportedFormatException if a file was written in a format version this build cannot read
     * @throws StorageException           if the store directory does not exist, the log is open elsewhere, or a
     *                                    file cannot be used
     */
    public static <T> SideLog<T> open(Path storeDir, String directoryName, RecordKind<T> kind,
                                      OplogOptions.Builder options) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(options, "options");
        Path dir = checkStoreDirectory(storeDir).resolve(directoryName);
        Oplog log = Oplog.open(dir, options.maxPayloadSize(kind.maxPayloadSize()).build());
        Optional<RecoveryReport.TornTail> torn = log.recoveryReport().tornTail();
        logTornTail(kind, dir, torn, "was dropped");
        return new SideLog<>(kind, dir, log, null, false, torn);
    }

    /**
     * Opens the side log in {@code <storeDir>/<directoryName>} for reading only, without writing anything to the
     * store directory. A missing subdirectory reads as an empty log and nothing is created. Otherwise the files are
     * copied to a temporary directory that is opened and checked exactly as a writable open would
     * ({@link ReadOnlyLogCopy}); damage and a torn last record are reported with the original files' names. The
     * copy is deleted on {@link #close()}.
     *
     * @param storeDir      the store directory; must exist
     * @param directoryName the log's subdirectory
     * @param kind          what the log holds
     * @param <T>           what a payload decodes to
     * @return the log; {@link #append} throws {@link StorageException}
     * @throws CorruptionException        if a record is damaged anywhere but a torn last record
     * @throws UnsupportedFormatException if a file was written in a format version this build cannot read
     * @throws StorageException           if the store directory does not exist or the log cannot be copied
     */
    public static <T> SideLog<T> openReadOnly(Path storeDir, String directoryName, RecordKind<T> kind) {
        Objects.requireNonNull(kind, "kind");
        Path dir = checkStoreDirectory(storeDir).resolve(directoryName);
        if (!Files.isDirectory(dir)) {
            return new SideLog<>(kind, dir, null, null, true, Optional.empty());
        }
        ReadOnlyLogCopy copy = ReadOnlyLogCopy.open(dir, kind.name(), kind.maxPayloadSize());
        Optional<RecoveryReport.TornTail> torn = copy.log().recoveryReport().tornTail().map(t ->
                new RecoveryReport.TornTail(copy.original(t.file()), t.offset(), t.bytesDropped(),
                        t.lastValidSequence(), t.cause()));
        logTornTail(kind, dir, torn, "is not read; the files are left as they are (read-only)");
        return new SideLog<>(kind, dir, copy.log(), copy, true, torn);
    }

    private static Path checkStoreDirectory(Path storeDir) {
        Objects.requireNonNull(storeDir, "storeDir");
        if (!Files.isDirectory(storeDir)) {
            throw new StorageException("no store directory at " + storeDir + (Files.exists(storeDir)
                    ? " (it is not a directory)" : " (it does not exist)"));
        }
        return storeDir;
    }

    private static void logTornTail(RecordKind<?> kind, Path dir, Optional<RecoveryReport.TornTail> torn,
                                    String outcome) {
        torn.ifPresent(t -> LOG.log(Level.WARNING, kind.name() + " " + dir + ": a torn last record ("
                + t.bytesDropped() + " bytes at offset " + t.offset() + " of " + t.file() + ", after sequence "
                + t.lastValidSequence() + ", " + t.cause() + "), left by a crash during an append that never"
                + " returned, " + outcome));
    }

    /**
     * Appends a record; see {@link #append(byte[], LongConsumer)}.
     *
     * @param payload the encoded payload
     * @return the record's sequence number
     * @throws StorageException if the log is closed or read-only, or the write fails
     */
    public long append(byte[] payload) {
        return append(payload, sequence -> { });
    }

    /**
     * Appends a record with the log's type and term, durable as the writer settings say, then calls
     * {@code afterAppend} while appends and {@link #close()} are still held off, so that what must follow an
     * append (a sync, keeping a size bound, telling listeners) happens in append order and never on a closed log.
     *
     * @param payload     the encoded payload
     * @param afterAppend called with the record's sequence number
     * @return the record's sequence number
     * @throws StorageException if the log is closed or read-only, or the write fails
     */
    public long append(byte[] payload, LongConsumer afterAppend) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(afterAppend, "afterAppend");
        synchronized (appendLock) {
            ensureOpen();
            if (readOnly) {
                throw new StorageException(kind.name() + " " + directory + " is open read-only");
            }
            long sequence = log.append(kind.term(), kind.recordType(), payload);
            afterAppend.accept(sequence);
            return sequence;
        }
    }

    /**
     * Decodes the records in log order, from the first retained one to the last one written when the read
     * started. If retention releases records the read has not reached yet, it continues at the new start: those
     * records are gone for every reader alike.
     *
     * @param visitor called with each decoded record in log order; returns false to stop
     * @throws CorruptionException        if a record is damaged, has another type or term, or does not decode;
     *                                    no record is skipped
     * @throws UnsupportedFormatException if a record was written in a format version this build cannot read
     * @throws StorageException           if the log is closed or cannot be read
     */
    public void forEach(Predicate<? super T> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        ensureOpen();
        if (log == null) {
            return;
        }
        try {
            long last = log.lastSequence();
            long next = log.firstSequence();
            while (next <= last) {
                try (OplogReader r = log.reader(next)) {
                    while (next <= last) {
                        LogRecord rec = r.next();
                        if (rec == null) {
                            if (log.firstSequence() > next) {
                                break; // released under the read; go on at the new start
                            }
                            throw new StorageException(kind.name() + " " + directory + ": record " + next
                                    + " is not visible although the log ends at " + last);
                        }
                        next = rec.sequence() + 1;
                        if (!visitor.test(decode(rec))) {
                            return;
                        }
                    }
                } catch (SequenceUnavailableException e) {
                    if (e.reason() != SequenceUnavailableException.Reason.NOT_RETAINED
                            || log.firstSequence() <= next) {
                        throw e;
                    }
                }
                next = Math.max(next, log.firstSequence());
            }
        } catch (CorruptionException e) {
            throw copy == null ? e : copy.renamed(e);
        }
    }

    /**
     * @param sequence a sequence number the log holds
     * @return the decoded record at {@code sequence}
     * @throws CorruptionException if the record is damaged, has another type or term, or does not decode
     * @throws StorageException    if the log is closed, empty, or does not hold {@code sequence}
     */
    public T read(long sequence) {
        ensureOpen();
        if (log == null) {
            throw new StorageException(kind.name() + " record " + sequence + " is not visible in " + directory
                    + " (the log does not exist)");
        }
        try (OplogReader r = log.reader(sequence)) {
            LogRecord rec = r.next();
            if (rec == null) {
                throw new StorageException(kind.name() + " record " + sequence + " is not visible in "
                        + directory);
            }
            return decode(rec);
        } catch (CorruptionException e) {
            throw copy == null ? e : copy.renamed(e);
        }
    }

    private T decode(LogRecord rec) {
        if (rec.type() != kind.recordType() || rec.term() != kind.term()) {
            throw new CorruptionException(CorruptionReport.of(directory, -1, -1, CorruptionKind.INVALID_CONTENT,
                    kind.name() + " record at sequence " + rec.sequence() + " has type " + rec.type() + " and term "
                            + rec.term() + "; " + kind.name() + " records are type " + kind.recordType()
                            + ", term " + kind.term()));
        }
        return kind.decoder().decode(rec.payload(), directory, rec.sequence());
    }

    /**
     * @return the oplog under this log (a temporary copy's when read-only, to read, never to write), or empty if
     *         the log was opened read-only and its directory does not exist
     * @throws StorageException if the log is closed
     */
    public Optional<Oplog> oplog() {
        ensureOpen();
        return Optional.ofNullable(log);
    }

    /**
     * @return how many records the log holds
     * @throws StorageException if the log is closed
     */
    public long size() {
        ensureOpen();
        return log == null ? 0 : Math.max(0, log.lastSequence() - log.firstSequence() + 1);
    }

    /**
     * @return the torn last record recovery dropped when this log was opened (a crash during an append that never
     *         returned), naming the original file when read-only, if there was one
     */
    public Optional<RecoveryReport.TornTail> tornTail() {
        return tornTail;
    }

    /** @return whether the log was opened with {@link #openReadOnly} */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** @return the log's directory in the store directory (also when reading a copy) */
    public Path directory() {
        return directory;
    }

    /** @return what the log holds */
    public RecordKind<T> kind() {
        return kind;
    }

    /**
     * Closes the log once the append in progress, if any, is done: a writable log syncs and closes its oplog, a
     * read-only one deletes its temporary copy. Later calls do nothing.
     *
     * @throws StorageException if the final sync or closing the files fails
     */
    @Override
    public void close() {
        synchronized (appendLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (copy != null) {
                copy.close();
            } else if (log != null) {
                log.close();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(kind.name() + " " + directory + " is closed");
        }
    }

    @Override
    public String toString() {
        return "SideLog{" + kind.name() + ", " + directory + (readOnly ? ", read-only" : "") + '}';
    }
}
