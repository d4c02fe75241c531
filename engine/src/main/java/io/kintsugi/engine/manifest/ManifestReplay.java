package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.ManifestRecordFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogReader;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.UUID;

/**
 * Rebuilds the manifest's state from its retained records.
 *
 * <p>Retention drops whole oplog segments, so the retained log may begin with records written before the snapshot
 * that made them redundant; they are decoded (so that damage in them is still reported) but not applied. Replay
 * starts at the <em>first</em> retained snapshot, not the last, so that every later snapshot is checked against
 * the state the records before it produce: a snapshot that disagrees means a record is missing or damaged.
 */
public final class ManifestReplay {

    /** The replayed state, and how many records follow the last snapshot. */
    record Result(ManifestState state, int recordsSinceSnapshot) {
    }

    private ManifestReplay() {
    }

    static Result replay(Oplog log) {
        try (OplogReader reader = log.reader(log.firstSequence())) {
            Iterator<LogRecord> records = new Iterator<>() {
                private LogRecord next = reader.next();

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public LogRecord next() {
                    LogRecord r = next;
                    next = reader.next();
                    return r;
                }
            };
            return replay(log.directory(), log.logId(), log.firstSequence(), log.lastSequence(), records);
        }
    }

    /**
     * Replays manifest records that some other reader verified and handed over in log order, for a verifier that
     * reads the manifest's files without opening (and so changing) its oplog. The rules are exactly those of
     * {@link Manifest#open}.
     *
     * @param dir           the manifest directory, for reports
     * @param logId         the manifest oplog's log id, from its metadata file
     * @param firstSequence the first retained sequence, for reports
     * @param lastSequence  the last sequence, for reports
     * @param records       the intact records, in log order
     * @return the state the records produce
     * @throws CorruptionException if a record does not decode, breaks a rule of replay, or there is no snapshot
     * @throws io.kintsugi.oplog.UnsupportedFormatException if a payload has a version this build cannot read
     */
    public static ManifestState replayRecords(Path dir, UUID logId, long firstSequence, long lastSequence,
                                              Iterable<LogRecord> records) {
        return replay(dir, logId, firstSequence, lastSequence, records.iterator()).state();
    }

    private static Result replay(Path dir, UUID logId, long firstSequence, long lastSequence,
                                 Iterator<LogRecord> records) {
        ManifestState state = null;
        int since = 0;
        while (records.hasNext()) {
            LogRecord r = records.next();
            long seq = r.sequence();
            if (r.term() != ManifestRecordFormat.TERM) {
                throw damaged(dir, CorruptionKind.BAD_HEADER, seq, "has term " + r.term() + ", manifest records"
                        + " have term " + ManifestRecordFormat.TERM);
            }
            if (r.type() == ManifestRecordFormat.TYPE_SNAPSHOT) {
                ManifestState s = ManifestRecordFormat.decodeSnapshot(r.payload(), dir, seq);
                if (state == null) {
                    checkLogId(dir, logId, s.storeId());
                } else if (!state.withoutCleanClose().equals(s)) {
                    throw damaged(dir, CorruptionKind.SEQUENCE_GAP, seq, "SNAPSHOT disagrees with the state the"
                            + " records before it produce (a record is missing or damaged): replayed "
                            + state.withoutCleanClose() + ", snapshot " + s);
                }
                state = s;
                since = 0;
                continue;
            }
            ManifestState next = applyRecord(state, r, dir);
            if (state != null) {
                state = next;
                since++;
            }
        }
        if (state == null) {
            throw new CorruptionException(CorruptionReport.of(dir, -1, -1, CorruptionKind.MISSING_FILE,
                    "the retained manifest records (sequences " + firstSequence + " to " + lastSequence
                            + ") hold no SNAPSHOT: the state they change is gone"));
        }
        return new Result(state, since);
    }

    /** Decodes a non-snapshot record and applies it to {@code state}, or only decodes it when state is null. */
    private static ManifestState applyRecord(ManifestState state, LogRecord r, Path dir) {
        long seq = r.sequence();
        switch (r.type()) {
            case ManifestRecordFormat.TYPE_EDIT: {
                ManifestEdit edit = ManifestRecordFormat.decodeEdit(r.payload(), dir, seq);
                if (state == null) {
                    return null;
                }
                try {
                    return state.apply(edit);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    throw damaged(dir, CorruptionKind.SEQUENCE_GAP, seq, "EDIT cannot follow the records before it"
                            + " (a record is missing or damaged): " + e.getMessage());
                }
            }
            case ManifestRecordFormat.TYPE_OPENED:
                ManifestRecordFormat.decodeOpened(r.payload(), dir, seq);
                return state == null ? null : state.withOpened();
            case ManifestRecordFormat.TYPE_CLEAN_CLOSE: {
                long end = ManifestRecordFormat.decodeCleanClose(r.payload(), dir, seq);
                if (state == null) {
                    return null;
                }
                try {
                    return state.withCleanClose(end);
                } catch (IllegalArgumentException e) {
                    throw damaged(dir, CorruptionKind.SEQUENCE_GAP, seq, "CLEAN_CLOSE: " + e.getMessage());
                }
            }
            default:
                throw damaged(dir, CorruptionKind.BAD_HEADER, seq, "has unknown manifest record type " + r.type());
        }
    }

    private static void checkLogId(Path dir, UUID logId, UUID storeId) {
        UUID expected = ManifestRecordFormat.manifestLogId(storeId);
        if (!expected.equals(logId)) {
            throw new CorruptionException(CorruptionReport.of(dir, -1, -1, CorruptionKind.FOREIGN_FILE,
                    "the manifest's snapshot names store " + storeId + ", whose manifest log id is " + expected
                            + ", but the manifest oplog has log id " + logId));
        }
    }

    private static CorruptionException damaged(Path dir, CorruptionKind kind, long sequence, String what) {
        return new CorruptionException(CorruptionReport.of(dir, -1, -1, kind,
                "manifest record at sequence " + sequence + " " + what));
    }
}
