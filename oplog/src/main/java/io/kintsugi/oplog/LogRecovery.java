package io.kintsugi.oplog;

import io.kintsugi.oplog.format.FileHeader;
import io.kintsugi.oplog.format.LogMetadataFormat.Metadata;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Opens a log directory: creates a new log, or checks every segment of an existing one and finds where appending
 * resumes.
 *
 * <p>The rule that matters most: a record that fails its check <em>at the very end of the last segment, with
 * nothing intact after it</em>, is a write torn by a crash. It was never acknowledged, so it is truncated and the
 * dropped bytes are reported. Any other failure (a bad record followed by intact ones, a bad record in a sealed
 * segment, a bad header, a gap between segments, a missing segment) damages acknowledged data and is thrown as a
 * {@link CorruptionException}; nothing is truncated.
 *
 * <p>"After it" means after the bad record's end when its header checksum matched, since its length is then
 * trusted: the bytes inside a torn record belong to it, even when its payload holds what looks like an encoded
 * record. Only when the header itself is damaged, and the length with it, is every later byte searched.
 */
final class LogRecovery {

    private static final System.Logger LOG = System.getLogger(LogRecovery.class.getName());

    /** Where the writer resumes, and what recovery found. */
    record Result(LogState state, Segment active, long activeSize, long nextSequence, long currentTerm,
                  long lastRecordTerm,
                  RecoveryReport report) {
    }

    private final Path dir;
    private final OplogOptions options;
    private final List<Path> removedTemporaryFiles = new ArrayList<>();
    private final List<Path> finishedRetention = new ArrayList<>();

    private LogRecovery(Path dir, OplogOptions options) {
        this.dir = dir;
        this.options = options;
    }

    static Result recover(Path dir, OplogOptions options) throws IOException {
        return new LogRecovery(dir, options).run();
    }

    private Result run() throws IOException {
        TreeMap<Long, Path> files = listSegments();
        LogMetadataFile metaFile = LogMetadataFile.readIfExists(dir);
        if (files.isEmpty()) {
            if (metaFile != null) {
                Metadata m = metaFile.current();
                throw new CorruptionException(CorruptionReport.of(
                        dir.resolve(SegmentHeaderFormat.fileName(m.firstRetainedSequence())), -1, -1,
                        CorruptionKind.MISSING_FILE, "the oplog metadata says segments from sequence "
                                + m.firstRetainedSequence() + " exist, but the directory holds none"));
            }
            return create();
        }
        if (metaFile == null) {
            metaFile = adoptSegmentOfInterruptedCreate(files);
        }
        Metadata meta = metaFile.current();
        checkLogId(meta.logId());
        checkMetadataBelongsToSegments(files, meta);
        finishInterruptedRetention(files, meta);
        checkSegmentsNamedByMetadata(files, meta);

        LogState state = new LogState(dir, meta.logId(), options, metaFile);
        state.firstSequence(files.firstKey());
        long expected = files.firstKey();
        long term = 0;
        long records = 0;
        Segment active = null;
        long activeSize = 0;
        Optional<RecoveryReport.TornTail> torn = Optional.empty();
        int index = 0;
        Path previous = null;
        for (var e : files.entrySet()) {
            boolean last = ++index == files.size();
            Path path = e.getValue();
            Segment segment = new Segment(path, e.getKey());
            try (FileChannel ch = FileChannel.open(path, last
                    ? new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE}
                    : new StandardOpenOption[] {StandardOpenOption.READ})) {
                checkHeader(ch, path, e.getKey(), expected, meta.logId(), previous);
                RecordScanner scanner = new RecordScanner(ch, SegmentHeaderFormat.LENGTH, ch.size());
                while (true) {
                    long offset = scanner.position();
                    RecordScanner.Outcome outcome = scanner.next();
                    if (outcome == RecordScanner.Outcome.END) {
                        break;
                    }
                    if (outcome == RecordScanner.Outcome.RECORD) {
                        LogRecord r = scanner.record();
                        checkOrder(path, offset, r, expected, term);
                        segment.index().add(r.sequence(), offset);
                        term = r.term();
                        expected++;
                        records++;
                        continue;
                    }
                    if (!last) {
                        throw damaged(path, scanner, outcome, "in sealed segment " + path.getFileName());
                    }
                    long intact = RecordScanner.findIntactRecordAfter(ch, offset,
                            searchStart(scanner, outcome, offset, ch.size()), ch.size(), expected - 1);
                    if (intact >= 0) {
                        throw damaged(path, scanner, outcome, "an intact record follows at offset " + intact
                                + ", so this is damage to acknowledged data, not a torn write",
                                CorruptionKind.CORRUPT_BEFORE_VALID_DATA);
                    }
                    torn = Optional.of(truncateTornTail(ch, path, offset, expected - 1, kindOf(outcome)));
                    break;
                }
                if (last) {
                    active = segment;
                    activeSize = ch.size();
                } else {
                    segment.seal(ch.size(), expected - 1);
                }
            }
            state.segments.put(segment.firstSequence(), segment);
            previous = path;
        }
        long currentTerm = Math.max(term, meta.term());
        if (files.lastKey() > meta.lastSegmentSequence()) {
            // A roll created the last segment, but a crash came before the metadata named it. Name it now, before
            // anything is appended to it: otherwise losing this segment later would go unnoticed.
            long lastKey = files.lastKey();
            meta = metaFile.update(m -> new Metadata(m.logId(), Math.max(m.term(), currentTerm),
                    m.firstRetainedSequence(), lastKey));
        }
        RecoveryReport report = new RecoveryReport(dir, meta.logId(), false, files.size(), files.firstKey(),
                expected - 1, records, torn, List.copyOf(removedTemporaryFiles), List.copyOf(finishedRetention));
        LOG.log(Level.DEBUG, () -> "opened oplog " + dir + ": " + report);
        return new Result(state, active, activeSize, expected, currentTerm, term, report);
    }

    private TreeMap<Long, Path> listSegments() throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    // Temporary files of an interrupted roll or metadata update: never renamed, never used.
                    Files.delete(p);
                    removedTemporaryFiles.add(p);
                    continue;
                }
                long seq = SegmentHeaderFormat.parseFileName(name);
                if (seq >= 0) {
                    files.put(seq, p);
                }
            }
        }
        if (!removedTemporaryFiles.isEmpty()) {
            FileSync.syncDirectory(dir);
        }
        return files;
    }

    private Result create() throws IOException {
        UUID id = options.logId().orElseGet(UUID::randomUUID);
        long first = options.firstSequence();
        // The segment is created before the metadata; see adoptSegmentOfInterruptedCreate.
        Path path = SegmentFiles.create(dir, id, first);
        LogMetadataFile meta = LogMetadataFile.create(dir, new Metadata(id, 0, first, first));
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            FileSync.syncDirectory(parent); // the log directory itself may be new
        }
        LogState state = new LogState(dir, id, options, meta);
        state.firstSequence(first);
        Segment segment = new Segment(path, first);
        state.segments.put(first, segment);
        RecoveryReport report = new RecoveryReport(dir, id, true, 1, first, first - 1, 0, Optional.empty(),
                List.copyOf(removedTemporaryFiles), List.of());
        LOG.log(Level.INFO, () -> "created oplog " + dir + " with id " + id + " starting at sequence " + first);
        return new Result(state, segment, SegmentHeaderFormat.LENGTH, first, 0, 0, report);
    }

    /**
     * A log is created by writing its first segment and then its metadata file. A directory holding exactly one
     * segment with no records and no metadata is a creation that a crash interrupted: finish it. Anything else
     * without metadata has lost the file that says which segments must exist.
     */
    private LogMetadataFile adoptSegmentOfInterruptedCreate(TreeMap<Long, Path> files) throws IOException {
        Path only = files.firstEntry().getValue();
        Path metaPath = LogMetadataFile.pathIn(dir);
        if (files.size() != 1 || Files.size(only) != SegmentHeaderFormat.LENGTH) {
            throw new CorruptionException(CorruptionReport.of(metaPath, -1, -1, CorruptionKind.MISSING_FILE,
                    "the oplog metadata file is missing but " + files.size() + " segment(s) holding records exist"));
        }
        SegmentHeaderFormat.Header h = readHeader(only);
        checkLogId(h.logId());
        LOG.log(Level.WARNING, () -> "oplog " + dir + " has an empty first segment and no metadata: "
                + "finishing a creation interrupted by a crash");
        return LogMetadataFile.create(dir, new Metadata(h.logId(), 0, h.firstSequence(), h.firstSequence()));
    }

    private void checkLogId(UUID logId) {
        if (options.logId().isPresent() && !options.logId().get().equals(logId)) {
            throw new StorageException("oplog " + dir + " has log id " + logId + " but the options require "
                    + options.logId().get());
        }
    }

    /**
     * The metadata decides which segments are leftovers of an interrupted retention, and those are deleted. A
     * metadata file of another log (copied into the wrong directory) must not decide that: if no segment whose
     * header can be read belongs to the metadata's log, the metadata is the foreign file. Segments whose header
     * cannot be read, or that belong to another log while others match, are left to the scan to report.
     */
    private void checkMetadataBelongsToSegments(TreeMap<Long, Path> files, Metadata meta) throws IOException {
        UUID segmentsLogId = null;
        for (Path p : files.values()) {
            SegmentHeaderFormat.Header h;
            try {
                h = readHeader(p);
            } catch (CorruptionException | UnsupportedFormatException e) {
                continue;
            }
            if (h.logId().equals(meta.logId())) {
                return;
            }
            segmentsLogId = h.logId();
        }
        if (segmentsLogId != null) {
            throw new CorruptionException(CorruptionReport.of(LogMetadataFile.pathIn(dir),
                    FileHeader.OWNER_ID_OFFSET, 16, CorruptionKind.FOREIGN_FILE, "the oplog metadata belongs to log "
                            + meta.logId() + " but none of the " + files.size() + " segments does (they belong to log "
                            + segmentsLogId + ")"));
        }
    }

    /**
     * Retention first records the new first sequence in the metadata, then deletes segments. Segments wholly
     * before that sequence are leftovers of a retention that a crash interrupted: delete them now.
     */
    private void finishInterruptedRetention(TreeMap<Long, Path> files, Metadata meta) throws IOException {
        boolean deleted = false;
        while (files.size() > 1 && files.higherKey(files.firstKey()) <= meta.firstRetainedSequence()) {
            Path p = files.pollFirstEntry().getValue();
            Files.delete(p);
            finishedRetention.add(p);
            deleted = true;
        }
        if (deleted) {
            FileSync.syncDirectory(dir);
            LOG.log(Level.INFO, () -> "oplog " + dir + ": finished an interrupted retention by deleting "
                    + finishedRetention);
        }
    }

    private void checkSegmentsNamedByMetadata(TreeMap<Long, Path> files, Metadata meta) {
        long first = files.firstKey();
        if (first != meta.firstRetainedSequence()) {
            throw new CorruptionException(CorruptionReport.of(
                    dir.resolve(SegmentHeaderFormat.fileName(meta.firstRetainedSequence())), -1, -1,
                    CorruptionKind.MISSING_FILE, "the oplog metadata says the log starts with the segment at sequence "
                            + meta.firstRetainedSequence() + ", but the first segment present starts at " + first));
        }
        int unnamed = files.tailMap(meta.lastSegmentSequence(), false).size();
        if (unnamed > 1) {
            throw new CorruptionException(CorruptionReport.of(LogMetadataFile.pathIn(dir), -1, -1,
                    CorruptionKind.STALE_FILE, "the oplog metadata names the segment at sequence "
                            + meta.lastSegmentSequence() + " as the last, but " + unnamed
                            + " later segments exist; a crash during a roll leaves at most one"));
        }
        if (!files.containsKey(meta.lastSegmentSequence())) {
            throw new CorruptionException(CorruptionReport.of(
                    dir.resolve(SegmentHeaderFormat.fileName(meta.lastSegmentSequence())), -1, -1,
                    CorruptionKind.MISSING_FILE, "the oplog metadata says a segment starting at sequence "
                            + meta.lastSegmentSequence() + " exists, but it is missing; segments present start at "
                            + files.keySet()));
        }
    }

    private static SegmentHeaderFormat.Header readHeader(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(ch, path);
        }
    }

    private static SegmentHeaderFormat.Header readHeader(FileChannel ch, Path path) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SegmentHeaderFormat.LENGTH);
        int r = 0;
        while (b.hasRemaining() && r >= 0) {
            r = ch.read(b, b.position());
        }
        b.flip();
        return SegmentHeaderFormat.decode(b, path);
    }

    private static void checkHeader(FileChannel ch, Path path, long nameSequence, long expected, UUID logId,
                                    Path previous) throws IOException {
        SegmentHeaderFormat.Header h = readHeader(ch, path);
        if (!h.logId().equals(logId)) {
            throw new CorruptionException(CorruptionReport.of(path, 0, SegmentHeaderFormat.LENGTH,
                    CorruptionKind.FOREIGN_FILE, "segment belongs to log " + h.logId() + ", this log is " + logId));
        }
        if (h.firstSequence() != nameSequence) {
            throw new CorruptionException(CorruptionReport.of(path, SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET, 8,
                    CorruptionKind.BAD_HEADER, "segment header says it starts at sequence " + h.firstSequence()
                            + " but its file name says " + nameSequence));
        }
        if (nameSequence != expected) {
            throw new CorruptionException(CorruptionReport.of(path, SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET, 8,
                    CorruptionKind.SEQUENCE_GAP, "segment starts at sequence " + nameSequence
                            + " but the segment before it, " + previous.getFileName() + ", ends at sequence "
                            + (expected - 1) + ": records " + expected + " to " + (nameSequence - 1)
                            + " are missing (a deleted segment, or a truncated or stale copy of the one before)"));
        }
    }

    private static void checkOrder(Path path, long offset, LogRecord r, long expected, long term) {
        if (r.sequence() != expected) {
            throw new CorruptionException(CorruptionReport.of(path, offset,
                    RecordFormat.encodedLength(r.payload().length),
                    CorruptionKind.SEQUENCE_GAP, "intact record has sequence " + r.sequence() + ", expected "
                            + expected));
        }
        if (r.term() < term) {
            throw new CorruptionException(CorruptionReport.of(path, offset,
                    RecordFormat.encodedLength(r.payload().length),
                    CorruptionKind.TERM_REGRESSION, "record " + r.sequence() + " has term " + r.term()
                            + ", lower than term " + term + " of the record before it"));
        }
    }

    private RecoveryReport.TornTail truncateTornTail(FileChannel ch, Path path, long offset, long lastValid,
                                                     CorruptionKind cause) throws IOException {
        long dropped = ch.size() - offset;
        ch.truncate(offset);
        ch.force(true);
        LOG.log(Level.WARNING, () -> "oplog " + path + ": truncated a torn write of " + dropped
                + " bytes at offset " + offset + " (" + cause + ") after sequence " + lastValid
                + "; these bytes were never acknowledged");
        return new RecoveryReport.TornTail(path, offset, dropped, lastValid, cause);
    }

    /**
     * Where the search for intact records after a bad record at {@code offset} of the last segment starts.
     *
     * <p>When the header checksum matched ({@code SHORT_PAYLOAD}, {@code CHECKSUM}), the length is trusted and the
     * search starts at the record's end: searching inside it would take bytes of its own payload for a record
     * that follows it. A record running past the end of the file was being written when the crash came; its end
     * lies beyond the file, so nothing is searched and it is a torn tail. With fewer bytes than a header left no
     * record can follow either. When the header is damaged ({@code HEADER_CHECKSUM}), or vouches for a length out
     * of range ({@code BAD_LENGTH}), the record's extent is unknown, and a damaged length must not hide the
     * records after it: every byte after its start is a candidate.
     */
    static long searchStart(RecordScanner scanner, RecordScanner.Outcome outcome, long offset,
                                    long fileEnd) {
        switch (outcome) {
            case SHORT_PAYLOAD:
            case CHECKSUM:
                return offset + RecordFormat.encodedLength(scanner.badLength());
            case SHORT_HEADER:
                return fileEnd;
            case HEADER_CHECKSUM:
            case BAD_LENGTH:
                return offset + 1;
            default:
                throw new IllegalArgumentException("not a failed record: " + outcome);
        }
    }

    static CorruptionKind kindOf(RecordScanner.Outcome outcome) {
        switch (outcome) {
            case CHECKSUM:
            case HEADER_CHECKSUM:
                return CorruptionKind.CHECKSUM_MISMATCH;
            case BAD_LENGTH:
                return CorruptionKind.BAD_LENGTH;
            default:
                return CorruptionKind.TRUNCATED;
        }
    }

    static CorruptionException damaged(Path path, RecordScanner scanner, RecordScanner.Outcome outcome,
                                       String context) {
        return damaged(path, scanner, outcome, context, kindOf(outcome));
    }

    static CorruptionException damaged(Path path, RecordScanner scanner, RecordScanner.Outcome outcome,
                                       String context, CorruptionKind kind) {
        long offset = scanner.position();
        long available = scanner.limit() - offset;
        String what;
        switch (outcome) {
            case CHECKSUM:
                return new CorruptionException(new CorruptionReport(path, offset,
                        RecordFormat.encodedLength(scanner.badLength()), kind,
                        OptionalLong.of(Integer.toUnsignedLong(scanner.storedCrc())),
                        OptionalLong.of(Integer.toUnsignedLong(scanner.computedCrc())),
                        "record checksum mismatch " + context));
            case HEADER_CHECKSUM:
                // The length is not trusted, so the damaged structure known for sure is the header.
                return new CorruptionException(new CorruptionReport(path, offset, RecordFormat.HEADER_LENGTH, kind,
                        OptionalLong.of(Integer.toUnsignedLong(scanner.storedHeaderCrc())),
                        OptionalLong.of(Integer.toUnsignedLong(scanner.computedHeaderCrc())),
                        "record header checksum mismatch " + context));
            case BAD_LENGTH:
                what = "record length field " + scanner.badLength() + " is outside 0.."
                        + RecordFormat.MAX_PAYLOAD_LENGTH + " although the record header checksum matches";
                break;
            case SHORT_PAYLOAD:
                what = "record of payload length " + scanner.badLength() + " runs past the end of the data ("
                        + available + " bytes left)";
                break;
            default:
                what = "only " + available + " bytes left, less than a record header";
                break;
        }
        return new CorruptionException(CorruptionReport.of(path, offset, available, kind, what + " " + context));
    }
}
