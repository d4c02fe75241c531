package io.kintsugi.oplog;

import io.kintsugi.oplog.format.LogMetadataFormat;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Checks a log directory without changing anything in it, for verify tools: {@link Oplog#open} cannot do that, since
 * opening takes a lock file, deletes {@code .tmp} files, finishes an interrupted retention and truncates a torn tail.
 *
 * <p>Unlike recovery, the inspector does not stop at the first damage: it reports every problem it finds to its
 * {@link Listener} and goes on with the next record it can trust (the next intact record after a damaged one, found
 * the way recovery finds one, or the next segment). It applies the rules of recovery on open (docs/FORMAT.md 4.7):
 * metadata, segment names and headers, the segments the metadata names, sequence continuity, terms never
 * decreasing, and every record's header and record CRC32C. A bad record at the very end of the last segment with no
 * intact record after it is a torn tail (or, on a log that is open, a record being written): a note, not a problem.
 */
public final class LogInspector {

    /** What the inspector tells its caller as it goes; called on the inspecting thread. */
    public interface Listener {
        /**
         * Called before the inspector reads bytes from a file, so that the caller can throttle.
         *
         * @param bytes how many bytes are about to be read
         */
        default void beforeRead(long bytes) {
        }

        /**
         * An intact record, in log order (only when records are read).
         *
         * @param segment the segment holding it
         * @param offset  its offset in the segment
         * @param record  the record, whose checksums matched
         */
        default void record(Path segment, long offset, LogRecord record) {
        }

        /**
         * Damage found.
         *
         * @param report where and what; never payload bytes
         */
        void problem(CorruptionReport report);

        /**
         * Something worth telling that is not damage (a torn tail, an interrupted retention's leftover).
         *
         * @param text the note, metadata only
         */
        default void note(String text) {
        }
    }

    /**
     * What the inspection saw.
     *
     * @param metadata        the metadata file's fields, or null if it is missing or could not be read
     * @param segments        the number of segment files
     * @param records         the number of intact records read (0 when records were not read)
     * @param firstSequence   the first intact record's sequence, or -1 if none was read
     * @param lastSequence    the last intact record's sequence, or -1 if none was read
     * @param bytesRead       the bytes read from the directory's files
     * @param unsupported     a message if a file has a format version this build cannot read, else null: the
     *                        inspection of that file could not be done
     */
    public record Summary(LogMetadataFormat.Metadata metadata, int segments, long records, long firstSequence,
                          long lastSequence, long bytesRead, String unsupported) {
    }

    private static final int RECHECKS = 3;

    private final Path dir;
    private final boolean readRecords;
    private final boolean live;
    private final Listener listener;
    private long bytesRead;
    private long records;
    private long firstSequence = -1;
    private long lastSequence = -1;
    private String unsupported;

    private LogInspector(Path dir, boolean readRecords, boolean live, Listener listener) {
        this.dir = dir;
        this.readRecords = readRecords;
        this.live = live;
        this.listener = listener;
    }

    /**
     * Inspects a log directory.
     *
     * @param dir         the log directory
     * @param readRecords whether to read and check every record, or only the metadata and segment headers
     * @param live        whether a writer may have the log open: files may then grow, be added and be released while
     *                    they are read, and the segment set is read again before a mismatch is reported
     * @param listener    told of records, problems and notes
     * @return what was seen
     * @throws StorageException if reading a file fails for a reason other than damage
     */
    public static Summary inspect(Path dir, boolean readRecords, boolean live, Listener listener) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(listener, "listener");
        LogInspector inspector = new LogInspector(dir, readRecords, live, listener);
        try {
            return inspector.run();
        } catch (IOException e) {
            throw new StorageException("cannot read the log " + dir + ": " + e, e);
        }
    }

    private Summary run() throws IOException {
        if (!Files.isDirectory(dir)) {
            listener.problem(CorruptionReport.of(dir, -1, -1, CorruptionKind.MISSING_FILE,
                    "the log directory does not exist"));
            return summary(null, 0);
        }
        TreeMap<Long, Path> segments = null;
        LogMetadataFormat.Metadata meta = null;
        List<CorruptionReport> setProblems = List.of();
        for (int attempt = 1; attempt <= (live ? RECHECKS : 1); attempt++) {
            // Listing before reading the metadata: retention rewrites the metadata before it deletes segments.
            segments = listSegments();
            meta = readMetadata();
            if (meta == null && unsupported != null) {
                return summary(null, segments.size());
            }
            setProblems = checkSegmentSet(segments, meta);
            if (setProblems.isEmpty()) {
                break;
            }
        }
        setProblems.forEach(listener::problem);
        UUID logId = meta == null ? null : meta.logId();
        long expected = -1;
        long term = Long.MIN_VALUE;
        Path previous = null;
        for (var e : segments.entrySet()) {
            if (meta != null && e.getKey() < meta.firstRetainedSequence() && segments.higherKey(e.getKey()) != null
                    && segments.higherKey(e.getKey()) <= meta.firstRetainedSequence()) {
                continue; // an interrupted retention's leftover, noted by checkSegmentSet
            }
            boolean last = e.getKey().equals(segments.lastKey());
            long[] state = inspectSegment(e.getValue(), e.getKey(), last, logId, expected, term, previous);
            if (state != null) {
                expected = state[0];
                term = state[1];
            } else {
                expected = -1; // where this segment ended is unknown: the next one's start cannot be checked
            }
            previous = e.getValue();
        }
        return summary(meta, segments.size());
    }

    private Summary summary(LogMetadataFormat.Metadata metadata, int segments) {
        return new Summary(metadata, segments, records, firstSequence, lastSequence, bytesRead, unsupported);
    }

    private TreeMap<Long, Path> listSegments() throws IOException {
        TreeMap<Long, Path> segments = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                long first = SegmentHeaderFormat.parseFileName(p.getFileName().toString());
                if (first >= 0) {
                    segments.put(first, p);
                }
            }
        }
        return segments;
    }

    private LogMetadataFormat.Metadata readMetadata() throws IOException {
        Path p = dir.resolve(LogMetadataFormat.FILE_NAME);
        byte[] bytes;
        try {
            long size = Files.size(p);
            listener.beforeRead(size);
            bytes = Files.readAllBytes(p);
            bytesRead += bytes.length;
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            return LogMetadataFormat.decode(ByteBuffer.wrap(bytes), p);
        } catch (CorruptionException e) {
            listener.problem(e.report());
        } catch (UnsupportedFormatException e) {
            unsupported = e.getMessage();
        }
        return null;
    }

    /** The checks of recovery steps 3, 4 and 7 on the set of segments the metadata names. */
    private List<CorruptionReport> checkSegmentSet(TreeMap<Long, Path> segments, LogMetadataFormat.Metadata meta)
            throws IOException {
        List<CorruptionReport> found = new ArrayList<>();
        Path metaFile = dir.resolve(LogMetadataFormat.FILE_NAME);
        if (meta == null) {
            if (Files.exists(metaFile)) {
                return found; // damaged: already reported
            }
            if (segments.isEmpty()) {
                found.add(CorruptionReport.of(metaFile, -1, -1, CorruptionKind.MISSING_FILE,
                        "the log directory holds neither " + LogMetadataFormat.FILE_NAME + " nor a segment"));
            } else if (segments.size() == 1
                    && Files.size(segments.firstEntry().getValue()) == SegmentHeaderFormat.LENGTH) {
                listener.note(dir + ": an interrupted creation (one empty segment, no " + LogMetadataFormat.FILE_NAME
                        + "); the next open finishes it");
            } else {
                found.add(CorruptionReport.of(metaFile, -1, -1, CorruptionKind.MISSING_FILE,
                        "the log has " + segments.size() + " segments but no " + LogMetadataFormat.FILE_NAME));
            }
            return found;
        }
        if (segments.isEmpty()) {
            found.add(CorruptionReport.of(dir, -1, -1, CorruptionKind.MISSING_FILE,
                    "the metadata names segments from sequence " + meta.firstRetainedSequence()
                            + " but the directory holds none"));
            return found;
        }
        long oldest = segments.firstKey();
        if (oldest > meta.firstRetainedSequence()) {
            found.add(CorruptionReport.of(dir.resolve(SegmentHeaderFormat.fileName(meta.firstRetainedSequence())),
                    -1, -1, CorruptionKind.MISSING_FILE, "the metadata says the log starts at sequence "
                            + meta.firstRetainedSequence() + " but the oldest segment starts at " + oldest));
        } else if (oldest < meta.firstRetainedSequence()) {
            listener.note(dir + ": segments before the first retained sequence " + meta.firstRetainedSequence()
                    + " are left by an interrupted retention; the next open deletes them");
        }
        if (!segments.containsKey(meta.lastSegmentSequence())) {
            found.add(CorruptionReport.of(dir.resolve(SegmentHeaderFormat.fileName(meta.lastSegmentSequence())),
                    -1, -1, CorruptionKind.MISSING_FILE, "the metadata names a last segment starting at sequence "
                            + meta.lastSegmentSequence() + ", which does not exist"));
        }
        int after = segments.tailMap(meta.lastSegmentSequence(), false).size();
        if (after > 1) {
            found.add(CorruptionReport.of(dir.resolve(LogMetadataFormat.FILE_NAME), -1, -1, CorruptionKind.STALE_FILE,
                    after + " segments follow the last segment the metadata names (at most one may): the metadata "
                            + "is an older copy"));
        }
        return found;
    }

    /**
     * Checks one segment's header and, when asked, its records.
     *
     * @return {next expected sequence, last term} after the segment, or null if nothing could be read
     */
    private long[] inspectSegment(Path path, long nameSequence, boolean last, UUID logId, long expected, long term,
                                  Path previous) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            if (live) {
                listener.note(path + ": released by retention while the log was inspected");
            } else {
                listener.problem(CorruptionReport.of(path, -1, -1, CorruptionKind.MISSING_FILE,
                        "the segment disappeared while the log was inspected"));
            }
            return null;
        }
        try (ch) {
            long size = ch.size();
            if (size < SegmentHeaderFormat.LENGTH) {
                listener.problem(CorruptionReport.of(path, 0, size, CorruptionKind.TRUNCATED, "segment is " + size
                        + " bytes long, shorter than its " + SegmentHeaderFormat.LENGTH + "-byte header"));
                return null;
            }
            SegmentHeaderFormat.Header header;
            try {
                listener.beforeRead(SegmentHeaderFormat.LENGTH);
                ByteBuffer b = ByteBuffer.allocate(SegmentHeaderFormat.LENGTH);
                while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
                    // read fully
                }
                bytesRead += b.position();
                b.flip();
                header = SegmentHeaderFormat.decode(b, path);
            } catch (CorruptionException e) {
                listener.problem(e.report());
                return null;
            } catch (UnsupportedFormatException e) {
                unsupported = e.getMessage();
                return null;
            }
            if (logId != null && !header.logId().equals(logId)) {
                listener.problem(CorruptionReport.of(path, 0, SegmentHeaderFormat.LENGTH, CorruptionKind.FOREIGN_FILE,
                        "segment belongs to log " + header.logId() + ", this log is " + logId));
                return null;
            }
            if (header.firstSequence() != nameSequence) {
                listener.problem(CorruptionReport.of(path, SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET, 8,
                        CorruptionKind.BAD_HEADER, "segment header says it starts at sequence "
                                + header.firstSequence() + " but its file name says " + nameSequence));
            }
            if (!readRecords) {
                return null;
            }
            if (expected >= 0 && nameSequence != expected) {
                listener.problem(CorruptionReport.of(path, SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET, 8,
                        CorruptionKind.SEQUENCE_GAP, "segment starts at sequence " + nameSequence
                                + " but the segment before it, " + previous.getFileName() + ", ends at sequence "
                                + (expected - 1)));
            }
            return scanRecords(ch, path, size, last, nameSequence, term);
        }
    }

    private long[] scanRecords(FileChannel ch, Path path, long size, boolean last, long nameSequence, long term)
            throws IOException {
        long expected = nameSequence;
        long lastGood = nameSequence - 1;
        RecordScanner scanner = new RecordScanner(ch, SegmentHeaderFormat.LENGTH, size);
        long charged = SegmentHeaderFormat.LENGTH;
        while (true) {
            long offset = scanner.position();
            // Throttle in the scanner's buffer-sized steps: charge what lies between here and the next 64 KiB.
            long upTo = Math.min(size, offset + (64 << 10));
            if (upTo > charged) {
                listener.beforeRead(upTo - charged);
                bytesRead += upTo - charged;
                charged = upTo;
            }
            RecordScanner.Outcome outcome = scanner.next();
            if (outcome == RecordScanner.Outcome.END) {
                return new long[] {expected, term};
            }
            if (outcome == RecordScanner.Outcome.RECORD) {
                LogRecord r = scanner.record();
                long length = RecordFormat.encodedLength(r.payload().length);
                if (r.sequence() != expected) {
                    listener.problem(CorruptionReport.of(path, offset, length, CorruptionKind.SEQUENCE_GAP,
                            "intact record has sequence " + r.sequence() + ", expected " + expected));
                }
                if (r.term() < term) {
                    listener.problem(CorruptionReport.of(path, offset, length, CorruptionKind.TERM_REGRESSION,
                            "record " + r.sequence() + " has term " + r.term() + ", lower than term " + term
                                    + " of the record before it"));
                }
                term = Math.max(term, r.term());
                expected = r.sequence() + 1;
                lastGood = r.sequence();
                records++;
                if (firstSequence < 0) {
                    firstSequence = r.sequence();
                }
                lastSequence = r.sequence();
                listener.record(path, offset, r);
                continue;
            }
            long from = LogRecovery.searchStart(scanner, outcome, offset, size);
            long next = from >= size ? -1 : RecordScanner.findIntactRecordAfter(ch, offset, from, size, lastGood);
            if (next < 0 && last) {
                listener.note(path + ": " + (size - offset) + " bytes at offset " + offset + " after sequence "
                        + lastGood + " do not form a record (" + LogRecovery.kindOf(outcome) + ") and nothing "
                        + "intact follows: " + (live ? "a record being written" : "a torn tail, never "
                        + "acknowledged, which the next open truncates"));
                return new long[] {expected, term};
            }
            String where = last ? "in the last segment, with an intact record after it at offset " + next
                    : "in a sealed segment";
            listener.problem(LogRecovery.damaged(path, scanner, outcome, where, last
                    ? CorruptionKind.CORRUPT_BEFORE_VALID_DATA : LogRecovery.kindOf(outcome)).report());
            if (next < 0) {
                return null; // the rest of the segment is unreadable: the next segment's start is not checked
            }
            // Go on from the intact record: its sequence resets what comes next, so the gap is reported once.
            scanner = new RecordScanner(ch, next, size);
            expected = -1;
            LogRecord resumed = probe(ch, next, size);
            if (resumed != null) {
                expected = resumed.sequence();
            }
        }
    }

    private static LogRecord probe(FileChannel ch, long offset, long size) throws IOException {
        RecordScanner s = new RecordScanner(ch, offset, size);
        return s.next() == RecordScanner.Outcome.RECORD ? s.record() : null;
    }
}
