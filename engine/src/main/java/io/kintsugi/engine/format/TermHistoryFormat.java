package io.kintsugi.engine.format;

import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.FileHeader;
import io.kintsugi.oplog.format.FileKind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The store's term history file, {@value #FILE_NAME}: which primary started each term at which sequence (see
 * {@link TermHistory}). Small, rewritten whole and atomically (temporary file, fsync, rename, directory fsync) on
 * every change, which happens once per promotion or per new term a follower copies.
 *
 * <p>Layout (little-endian):
 * <pre>
 * offset     size field
 *      0       24 common header  {@link FileHeader}, kind {@link FileKind#TERM_HISTORY}, version
 *                                {@value #VERSION_CURRENT}, owner id = the store id
 *     24        4 count          number of entries, 0..{@value TermHistory#MAX_ENTRIES}
 *     28   32 × n entries, each:
 *              8   term           i64, strictly increasing
 *              8   start sequence i64, strictly increasing, at least 1
 *             16   primary        UUID of the store that was primary in the term (most significant half first)
 * 28+32n        4 crc            masked CRC32C of every byte before it
 * </pre>
 */
public final class TermHistoryFormat {

    /** The file's name in the store directory. */
    public static final String FILE_NAME = "terms";
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = 1;

    public static final int COUNT_OFFSET = FileHeader.LENGTH;
    public static final int ENTRIES_OFFSET = COUNT_OFFSET + 4;
    public static final int ENTRY_LENGTH = 32;

    private TermHistoryFormat() {
    }

    /**
     * @param storeId the owning store
     * @param history the history
     * @return the file's bytes
     */
    public static byte[] encode(UUID storeId, TermHistory history) {
        List<TermHistory.Entry> entries = history.entries();
        ByteBuffer b = ByteBuffer.allocate(ENTRIES_OFFSET + entries.size() * ENTRY_LENGTH + 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        FileHeader.write(b, FileKind.TERM_HISTORY, VERSION_CURRENT, storeId);
        b.putInt(COUNT_OFFSET, entries.size());
        b.position(ENTRIES_OFFSET);
        for (TermHistory.Entry e : entries) {
            putEntry(b, e);
        }
        b.putInt(Crc32c.maskedOf(b, 0, b.position()));
        return b.array();
    }

    /**
     * Writes one entry as the file and the replication handshake lay it out: term, start sequence, primary.
     *
     * @param b little-endian buffer positioned where the entry goes
     * @param e the entry
     */
    public static void putEntry(ByteBuffer b, TermHistory.Entry e) {
        b.putLong(e.term());
        b.putLong(e.startSequence());
        b.putLong(e.primary().getMostSignificantBits());
        b.putLong(e.primary().getLeastSignificantBits());
    }

    /**
     * @param bytes   the file's content
     * @param file    the file, for reports
     * @param storeId the store it must belong to
     * @return the history
     * @throws CorruptionException if the checksum, the header, the owner or an entry is wrong
     */
    public static TermHistory decode(byte[] bytes, Path file, UUID storeId) {
        if (bytes.length < ENTRIES_OFFSET + 4) {
            throw new CorruptionException(CorruptionReport.of(file, 0, bytes.length, CorruptionKind.TRUNCATED,
                    "the term history file has " + bytes.length + " bytes; the smallest valid one has "
                            + (ENTRIES_OFFSET + 4)));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int end = bytes.length - 4;
        int stored = b.getInt(end);
        int actual = Crc32c.maskedOf(b, 0, end);
        if (stored != actual) {
            throw new CorruptionException(CorruptionReport.checksum(file, 0, bytes.length, stored, actual,
                    "the term history file does not match its checksum"));
        }
        UUID owner = FileHeader.check(b, file, FileKind.TERM_HISTORY, VERSION_START, VERSION_CURRENT);
        if (!owner.equals(storeId)) {
            throw new CorruptionException(CorruptionReport.of(file, FileHeader.OWNER_ID_OFFSET, 16,
                    CorruptionKind.FOREIGN_FILE, "the term history file belongs to store " + owner + ", not to "
                            + storeId));
        }
        int count = b.getInt(COUNT_OFFSET);
        if (count < 0 || count > TermHistory.MAX_ENTRIES || ENTRIES_OFFSET + (long) count * ENTRY_LENGTH != end) {
            throw new CorruptionException(CorruptionReport.of(file, COUNT_OFFSET, 4, CorruptionKind.BAD_LENGTH,
                    "the term history file says it holds " + count + " entries (at most " + TermHistory.MAX_ENTRIES
                            + "), but has room for " + (end - ENTRIES_OFFSET) / (double) ENTRY_LENGTH));
        }
        b.position(ENTRIES_OFFSET);
        try {
            return TermHistory.of(readEntries(b, count));
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(CorruptionReport.of(file, ENTRIES_OFFSET, count * ENTRY_LENGTH,
                    CorruptionKind.INVALID_CONTENT, "the term history file passed its checksum but is invalid: "
                            + e.getMessage()));
        }
    }

    /**
     * Reads {@code count} entries laid out as {@link #putEntry} writes them.
     *
     * @param b     little-endian buffer positioned at the first entry
     * @param count number of entries
     * @return the entries, unchecked
     * @throws IllegalArgumentException if an entry's fields are out of range
     */
    public static List<TermHistory.Entry> readEntries(ByteBuffer b, int count) {
        List<TermHistory.Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long term = b.getLong();
            long start = b.getLong();
            UUID primary = new UUID(b.getLong(), b.getLong());
            entries.add(new TermHistory.Entry(term, start, primary));
        }
        return entries;
    }
}
