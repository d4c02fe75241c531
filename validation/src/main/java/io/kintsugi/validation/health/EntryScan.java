package io.kintsugi.validation.health;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogReader;
import io.kintsugi.oplog.SequenceUnavailableException;
import io.kintsugi.oplog.StorageException;

import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Reads a health log's entries in log order, from its first retained record to the last one written when the scan
 * started. Every record is verified by the oplog and decoded by {@link HealthEntryFormat}; a record that fails
 * either stops the scan with its exception, never skipped. If retention releases records the scan has not reached
 * yet, the scan continues at the new start: those entries are gone for every reader alike.
 */
final class EntryScan {

    private EntryScan() {
    }

    /**
     * @param log       the health log's oplog
     * @param reportDir the directory to name in reports (the store's, also when reading a copy)
     * @param visitor   called with each entry in log order; returns false to stop
     * @throws CorruptionException if a record is damaged or does not decode
     */
    static void forEach(Oplog log, Path reportDir, Predicate<HealthEntry> visitor) {
        long last = log.lastSequence();
        long next = log.firstSequence();
        while (next <= last) {
            try (OplogReader r = log.reader(next)) {
                while (next <= last) {
                    LogRecord rec = r.next();
                    if (rec == null) {
                        return; // cannot happen before last, which was visible when the scan started
                    }
                    next = rec.sequence() + 1;
                    if (!visitor.test(decode(rec, reportDir))) {
                        return;
                    }
                }
            } catch (SequenceUnavailableException e) {
                if (e.reason() != SequenceUnavailableException.Reason.NOT_RETAINED || log.firstSequence() <= next) {
                    throw e;
                }
                next = log.firstSequence();
            }
        }
    }

    /**
     * @param log       the health log's oplog
     * @param sequence  a sequence the log holds
     * @param reportDir the directory to name in reports
     * @return the entry at {@code sequence}
     */
    static HealthEntry read(Oplog log, long sequence, Path reportDir) {
        try (OplogReader r = log.reader(sequence)) {
            LogRecord rec = r.next();
            if (rec == null) {
                throw new StorageException("health log record " + sequence + " is not visible in " + reportDir);
            }
            return decode(rec, reportDir);
        }
    }

    private static HealthEntry decode(LogRecord rec, Path reportDir) {
        if (rec.type() != HealthEntryFormat.RECORD_TYPE || rec.term() != HealthEntryFormat.TERM) {
            throw new CorruptionException(CorruptionReport.of(reportDir, -1, -1, CorruptionKind.INVALID_CONTENT,
                    "health-log record at sequence " + rec.sequence() + " has type " + rec.type() + " and term "
                            + rec.term() + "; health entries are type " + HealthEntryFormat.RECORD_TYPE + ", term "
                            + HealthEntryFormat.TERM));
        }
        return HealthEntryFormat.decode(rec.payload(), reportDir, rec.sequence());
    }
}
