package io.kintsugi.engine.format;

import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.manifest.ManifestEdit;
import io.kintsugi.engine.manifest.ManifestState;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.UnsupportedFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The payloads of the store manifest's records. The manifest is an oplog of its own (in the store directory's
 * {@value StoreFiles#MANIFEST_DIR} subdirectory): the oplog frames, checksums and sequences every record; this class
 * defines what the record types mean and how their payloads are laid out. Every record has term 0.
 *
 * <p>The manifest oplog's log id is derived from the store id ({@link #manifestLogId}), so that a manifest
 * belongs to exactly one store and its segments cannot pass for the store's data oplog.
 *
 * <p>Every payload starts with a format version byte. Layouts (little-endian; {@code i32}/{@code i64} signed, all
 * counts and lengths non-negative; lists strictly ascending by number or id):
 * <pre>
 * SNAPSHOT (type 1): the whole state
 *   offset size field
 *        0    1 version           {@value #VERSION_CURRENT}
 *        1   16 store id          most significant 64 bits, then least significant 64 bits
 *       17    8 flushed sequence  i64
 *       25    8 next file number  i64
 *       33    8 open count        i64: OPENED records written so far
 *       41    4 namespace count   then each: i32 id, u8 name length (1..64), name (ASCII)
 *        .    4 allocated count   then each: i64 file number
 *        .    4 file count        then each: a FILE entry
 *
 * EDIT (type 2): one atomic change
 *        0    1 version
 *        1    1 flags             bit 0: flushed sequence present; bit 1: next file number present; others 0
 *        2    8 flushed sequence  i64; 0 when absent
 *       10    8 next file number  i64; 0 when absent
 *       18    4 added count       then each: a FILE entry
 *        .    4 removed count     then each: i64 file number
 *        .    4 namespace count   then each: i32 id, u8 name length, name
 *        .    4 abandoned count   then each: i64 file number
 *
 * OPENED (type 3): the store was opened for writing; a clean close before it no longer describes the oplog
 *        0    1 version
 *
 * CLEAN_CLOSE (type 4): the store was closed cleanly
 *        0    1 version
 *        1    8 oplog last sequence  i64: the data oplog's last sequence at the close
 *
 * FILE entry ({@value #FILE_FIXED_LENGTH} bytes + keys)
 *        0    8 file number    i64
 *        8    8 size           i64
 *       16    8 min sequence   i64
 *       24    8 max sequence   i64
 *       32    8 entry count    i64
 *       40    4 whole-file crc the segment file's whole-file CRC32C, unmasked (its footer stores it masked)
 *       44    4 smallest key length k1, then k1 bytes
 *        .    4 largest key length  k2, then k2 bytes
 * </pre>
 *
 * <p>A payload is decoded only after the oplog verified its record's CRC. Bytes left over after the last field,
 * a count or length that runs past the end, a list out of order or a value outside its limits is corruption
 * (the record was written wrong or the CRC collided), never something to skip.
 */
public final class ManifestRecordFormat {

    /** The oldest payload format version this build reads. */
    public static final int VERSION_START = 1;
    /** The payload format version this build writes, and the newest it reads. */
    public static final int VERSION_CURRENT = 1;

    /** Record type of a snapshot of the whole state. */
    public static final int TYPE_SNAPSHOT = 1;
    /** Record type of an edit. */
    public static final int TYPE_EDIT = 2;
    /** Record type of the mark written at every open. */
    public static final int TYPE_OPENED = 3;
    /** Record type of the mark written at a clean close. */
    public static final int TYPE_CLEAN_CLOSE = 4;
    /** The term of every manifest record. */
    public static final long TERM = 0;

    public static final int VERSION_OFFSET = 0;
    public static final int SNAPSHOT_STORE_ID_OFFSET = VERSION_OFFSET + 1;
    public static final int SNAPSHOT_FLUSHED_OFFSET = SNAPSHOT_STORE_ID_OFFSET + 16;
    public static final int SNAPSHOT_NEXT_FILE_OFFSET = SNAPSHOT_FLUSHED_OFFSET + 8;
    public static final int SNAPSHOT_OPEN_COUNT_OFFSET = SNAPSHOT_NEXT_FILE_OFFSET + 8;
    public static final int SNAPSHOT_NAMESPACES_OFFSET = SNAPSHOT_OPEN_COUNT_OFFSET + 8;
    public static final int EDIT_FLAGS_OFFSET = VERSION_OFFSET + 1;
    public static final int EDIT_FLUSHED_OFFSET = EDIT_FLAGS_OFFSET + 1;
    public static final int EDIT_NEXT_FILE_OFFSET = EDIT_FLUSHED_OFFSET + 8;
    public static final int EDIT_ADDED_OFFSET = EDIT_NEXT_FILE_OFFSET + 8;
    public static final int CLEAN_CLOSE_SEQUENCE_OFFSET = VERSION_OFFSET + 1;
    public static final int CLEAN_CLOSE_LENGTH = CLEAN_CLOSE_SEQUENCE_OFFSET + 8;
    public static final int OPENED_LENGTH = VERSION_OFFSET + 1;
    /** Length of a FILE entry without its keys. */
    public static final int FILE_FIXED_LENGTH = 52;

    /** EDIT flag: the flushed sequence field is set. */
    public static final int FLAG_FLUSHED = 1;
    /** EDIT flag: the next file number field is set. */
    public static final int FLAG_NEXT_FILE = 2;

    private static final String LOG_ID_PREFIX = "kintsugi-manifest:";

    private ManifestRecordFormat() {
    }

    /**
     * The log id of a store's manifest oplog: the name-based (version 3, MD5) UUID of the ASCII string
     * {@code "kintsugi-manifest:"} followed by the store id in its canonical lower-case 36-character form, as
     * {@link UUID#nameUUIDFromBytes} computes it.
     *
     * @param storeId the store's id
     * @return the manifest oplog's log id
     */
    public static UUID manifestLogId(UUID storeId) {
        return UUID.nameUUIDFromBytes((LOG_ID_PREFIX + storeId).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @param state a state; its clean-close mark is not part of a snapshot
     * @return the SNAPSHOT payload
     */
    public static byte[] encodeSnapshot(ManifestState state) {
        Writer w = new Writer();
        w.b.put((byte) VERSION_CURRENT);
        w.b.putLong(state.storeId().getMostSignificantBits()).putLong(state.storeId().getLeastSignificantBits());
        w.b.putLong(state.flushedSequence()).putLong(state.nextFileNumber()).putLong(state.openCount());
        w.namespaces(state.namespaceNames());
        w.numbers(state.allocatedFileNumbers());
        w.files(state.files().values());
        return w.bytes();
    }

    /**
     * @param edit an edit
     * @return the EDIT payload
     */
    public static byte[] encodeEdit(ManifestEdit edit) {
        Writer w = new Writer();
        w.b.put((byte) VERSION_CURRENT);
        int flags = (edit.flushedSequence().isPresent() ? FLAG_FLUSHED : 0)
                | (edit.nextFileNumber().isPresent() ? FLAG_NEXT_FILE : 0);
        w.b.put((byte) flags);
        w.b.putLong(edit.flushedSequence().orElse(0)).putLong(edit.nextFileNumber().orElse(0));
        w.files(edit.addedFiles().values());
        w.numbers(edit.removedFiles());
        w.namespaces(edit.addedNamespaces());
        w.numbers(edit.abandonedFileNumbers());
        return w.bytes();
    }

    /** @return the OPENED payload */
    public static byte[] encodeOpened() {
        return new byte[] {(byte) VERSION_CURRENT};
    }

    /**
     * @param oplogLastSequence the data oplog's last sequence at the close
     * @return the CLEAN_CLOSE payload
     */
    public static byte[] encodeCleanClose(long oplogLastSequence) {
        Writer w = new Writer();
        w.b.put((byte) VERSION_CURRENT).putLong(oplogLastSequence);
        return w.bytes();
    }

    /**
     * @param payload  a SNAPSHOT payload whose record passed its CRC
     * @param file     the manifest directory, for reports
     * @param sequence the record's sequence, for reports
     * @return the state it holds, without a clean-close mark
     * @throws CorruptionException        if the payload is malformed
     * @throws UnsupportedFormatException if its version is not supported
     */
    public static ManifestState decodeSnapshot(byte[] payload, Path file, long sequence) {
        Reader r = new Reader(payload, file, sequence, "SNAPSHOT");
        UUID storeId = new UUID(r.i64("store id"), r.i64("store id"));
        long flushed = r.i64("flushed sequence");
        long next = r.i64("next file number");
        long opens = r.i64("open count");
        TreeMap<Integer, String> namespaces = r.namespaces();
        TreeSet<Long> allocated = r.numbers("allocated file numbers");
        TreeMap<Long, FileMetadata> files = new TreeMap<>();
        for (FileMetadata f : r.files()) {
            files.put(f.fileNumber(), f);
        }
        r.end();
        try {
            return ManifestState.of(storeId, files, namespaces, flushed, next, allocated, opens);
        } catch (IllegalArgumentException e) {
            throw r.bad(CorruptionKind.BAD_HEADER, e.getMessage());
        }
    }

    /**
     * @param payload  an EDIT payload whose record passed its CRC
     * @param file     the manifest directory, for reports
     * @param sequence the record's sequence, for reports
     * @return the edit
     * @throws CorruptionException        if the payload is malformed
     * @throws UnsupportedFormatException if its version is not supported
     */
    public static ManifestEdit decodeEdit(byte[] payload, Path file, long sequence) {
        Reader r = new Reader(payload, file, sequence, "EDIT");
        int flags = r.u8("flags");
        if ((flags & ~(FLAG_FLUSHED | FLAG_NEXT_FILE)) != 0) {
            throw r.bad(CorruptionKind.BAD_HEADER, String.format("unknown flags 0x%02x", flags));
        }
        long flushed = r.i64("flushed sequence");
        long next = r.i64("next file number");
        List<FileMetadata> added = r.files();
        TreeSet<Long> removed = r.numbers("removed file numbers");
        TreeMap<Integer, String> namespaces = r.namespaces();
        TreeSet<Long> abandoned = r.numbers("abandoned file numbers");
        r.end();
        try {
            ManifestEdit.Builder b = ManifestEdit.builder();
            added.forEach(b::addFile);
            removed.forEach(b::removeFile);
            namespaces.forEach(b::addNamespace);
            abandoned.forEach(b::abandonFileNumber);
            if ((flags & FLAG_FLUSHED) != 0) {
                b.flushedSequence(flushed);
            } else if (flushed != 0) {
                throw new IllegalArgumentException("flushed sequence " + flushed + " is set but flagged absent");
            }
            if ((flags & FLAG_NEXT_FILE) != 0) {
                b.nextFileNumber(next);
            } else if (next != 0) {
                throw new IllegalArgumentException("next file number " + next + " is set but flagged absent");
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw r.bad(CorruptionKind.BAD_HEADER, e.getMessage());
        }
    }

    /**
     * @param payload  an OPENED payload whose record passed its CRC
     * @param file     the manifest directory, for reports
     * @param sequence the record's sequence, for reports
     * @throws CorruptionException        if the payload is malformed
     * @throws UnsupportedFormatException if its version is not supported
     */
    public static void decodeOpened(byte[] payload, Path file, long sequence) {
        new Reader(payload, file, sequence, "OPENED").end();
    }

    /**
     * @param payload  a CLEAN_CLOSE payload whose record passed its CRC
     * @param file     the manifest directory, for reports
     * @param sequence the record's sequence, for reports
     * @return the data oplog's last sequence at the close
     * @throws CorruptionException        if the payload is malformed
     * @throws UnsupportedFormatException if its version is not supported
     */
    public static long decodeCleanClose(byte[] payload, Path file, long sequence) {
        Reader r = new Reader(payload, file, sequence, "CLEAN_CLOSE");
        long last = r.i64("oplog last sequence");
        r.end();
        if (last < 0) {
            throw r.bad(CorruptionKind.BAD_HEADER, "oplog last sequence is negative: " + last);
        }
        return last;
    }

    /** Grows as needed; little-endian. The fixed fields at the start of a payload fit the initial capacity. */
    private static final class Writer {
        private ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int n) {
            if (b.remaining() < n) {
                int cap = Math.max(b.capacity() * 2, b.position() + n);
                ByteBuffer bigger = ByteBuffer.allocate(cap).order(ByteOrder.LITTLE_ENDIAN);
                b.flip();
                bigger.put(b);
                b = bigger;
            }
        }

        void namespaces(Map<Integer, String> namespaces) {
            ensure(4);
            b.putInt(namespaces.size());
            namespaces.forEach((id, name) -> {
                byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
                ensure(5 + ascii.length);
                b.putInt(id).put((byte) ascii.length).put(ascii);
            });
        }

        void numbers(Collection<Long> numbers) {
            ensure(4 + 8 * numbers.size());
            b.putInt(numbers.size());
            numbers.forEach(b::putLong);
        }

        void files(Collection<FileMetadata> files) {
            ensure(4);
            b.putInt(files.size());
            for (FileMetadata f : files) {
                ensure(FILE_FIXED_LENGTH + f.smallestKey().length + f.largestKey().length);
                b.putLong(f.fileNumber()).putLong(f.size()).putLong(f.minSequence()).putLong(f.maxSequence())
                        .putLong(f.entryCount()).putInt(f.wholeFileCrc());
                b.putInt(f.smallestKey().length).put(f.smallestKey());
                b.putInt(f.largestKey().length).put(f.largestKey());
            }
        }

        byte[] bytes() {
            byte[] out = new byte[b.position()];
            b.flip().get(out);
            return out;
        }
    }

    /** Bounds-checked reads that report damage with the record's sequence. */
    private static final class Reader {
        private final ByteBuffer b;
        private final Path file;
        private final long sequence;
        private final String type;

        Reader(byte[] payload, Path file, long sequence, String type) {
            this.b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            this.file = file;
            this.sequence = sequence;
            this.type = type;
            int version = u8("version");
            if (version < VERSION_START) {
                throw new UnsupportedFormatException(file + ": manifest record at sequence " + sequence
                        + " has format version " + version + ", which is too old; this build reads versions "
                        + VERSION_START + " to " + VERSION_CURRENT);
            }
            if (version > VERSION_CURRENT) {
                throw new UnsupportedFormatException(file + ": manifest record at sequence " + sequence
                        + " has format version " + version + ", which is too new; this build reads versions "
                        + VERSION_START + " to " + VERSION_CURRENT + " (was it written by a newer Kintsugi?)");
            }
        }

        CorruptionException bad(CorruptionKind kind, String what) {
            return new CorruptionException(CorruptionReport.of(file, -1, -1, kind, "manifest " + type
                    + " record at sequence " + sequence + ": " + what));
        }

        private void need(int n, String field) {
            if (n < 0 || b.remaining() < n) {
                throw bad(CorruptionKind.BAD_LENGTH, field + " needs " + n + " bytes at payload offset "
                        + b.position() + ", " + b.remaining() + " remain");
            }
        }

        int u8(String field) {
            need(1, field);
            return Byte.toUnsignedInt(b.get());
        }

        int i32(String field) {
            need(4, field);
            return b.getInt();
        }

        long i64(String field) {
            need(8, field);
            return b.getLong();
        }

        byte[] bytes(int n, String field) {
            need(n, field);
            byte[] out = new byte[n];
            b.get(out);
            return out;
        }

        int count(String field, int minEntryLength) {
            int n = i32(field + " count");
            if (n < 0 || (long) n * minEntryLength > b.remaining()) {
                throw bad(CorruptionKind.BAD_LENGTH, field + " count " + n + " does not fit the " + b.remaining()
                        + " bytes that remain");
            }
            return n;
        }

        TreeSet<Long> numbers(String field) {
            int n = count(field, 8);
            TreeSet<Long> out = new TreeSet<>();
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                long v = i64(field);
                if (i > 0 && v <= previous) {
                    throw bad(CorruptionKind.BAD_HEADER, field + " are not strictly ascending: " + v + " after "
                            + previous);
                }
                out.add(v);
                previous = v;
            }
            return out;
        }

        TreeMap<Integer, String> namespaces() {
            int n = count("namespace", 6);
            TreeMap<Integer, String> out = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                int id = i32("namespace id");
                if (!out.isEmpty() && id <= out.lastKey()) {
                    throw bad(CorruptionKind.BAD_HEADER, "namespace ids are not strictly ascending: " + id
                            + " after " + out.lastKey());
                }
                int len = u8("namespace name length");
                byte[] name = bytes(len, "namespace name");
                for (byte c : name) {
                    if (c < 0x20 || c > 0x7e) {
                        throw bad(CorruptionKind.BAD_HEADER, "namespace " + id + " has a name that is not"
                                + " printable ASCII");
                    }
                }
                out.put(id, new String(name, StandardCharsets.US_ASCII));
            }
            return out;
        }

        List<FileMetadata> files() {
            int n = count("file", FILE_FIXED_LENGTH);
            List<FileMetadata> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long number = i64("file number");
                long size = i64("file size");
                long minSeq = i64("min sequence");
                long maxSeq = i64("max sequence");
                long entries = i64("entry count");
                int crc = i32("whole-file crc");
                byte[] smallest = bytes(i32("smallest key length"), "smallest key");
                byte[] largest = bytes(i32("largest key length"), "largest key");
                if (!out.isEmpty() && number <= out.get(out.size() - 1).fileNumber()) {
                    throw bad(CorruptionKind.BAD_HEADER, "file numbers are not strictly ascending: " + number
                            + " after " + out.get(out.size() - 1).fileNumber());
                }
                try {
                    out.add(new FileMetadata(number, size, smallest, largest, minSeq, maxSeq, entries, crc));
                } catch (IllegalArgumentException e) {
                    throw bad(CorruptionKind.BAD_HEADER, e.getMessage());
                }
            }
            return out;
        }

        void end() {
            if (b.hasRemaining()) {
                throw bad(CorruptionKind.BAD_LENGTH, b.remaining() + " bytes follow the last field");
            }
        }
    }
}
