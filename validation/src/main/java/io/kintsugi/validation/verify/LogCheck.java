package io.kintsugi.validation.verify;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.LogInspector;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.StorageException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies one log directory (the data oplog, the manifest or the health log) with the oplog's read-only
 * {@link LogInspector}, turning what it reports into findings of one component.
 */
final class LogCheck {

    /** Decodes one intact record's payload. */
    interface PayloadCheck {
        /**
         * @throws RuntimeException whose message (metadata only) says why the payload does not decode
         */
        void check(LogRecord record);
    }

    private final Findings findings;
    private final ReadThrottle throttle;
    private final boolean live;

    LogCheck(Findings findings, ReadThrottle throttle, boolean live) {
        this.findings = findings;
        this.throttle = throttle;
        this.live = live;
    }

    /**
     * @param component   the component the log is
     * @param dir         the log directory
     * @param readRecords whether to read every record
     * @param keep        if not null, receives every intact record in order (the manifest replays them)
     * @param payloads    if not null, decodes every intact record's payload
     * @return what the inspector saw, or null if the log could not be read
     */
    LogInspector.Summary check(VerifyComponent component, Path dir, boolean readRecords, List<LogRecord> keep,
                               PayloadCheck payloads) {
        findings.examined(component, dir);
        List<Path> segments = new ArrayList<>();
        LogInspector.Summary summary;
        try {
            summary = LogInspector.inspect(dir, readRecords, live, new LogInspector.Listener() {
                @Override
                public void beforeRead(long bytes) {
                    throttle.acquire(bytes);
                }

                @Override
                public void record(Path segment, long offset, LogRecord record) {
                    if (segments.isEmpty() || !segments.get(segments.size() - 1).equals(segment)) {
                        segments.add(segment);
                        findings.examined(component, segment);
                    }
                    findings.records++;
                    if (keep != null) {
                        keep.add(record);
                    }
                    if (payloads != null) {
                        try {
                            payloads.check(record);
                        } catch (CorruptionException e) {
                            findings.problem(component, CorruptionReport.of(segment, offset, -1, e.report().kind(),
                                    "record " + record.sequence() + " passed its checksums but its payload does not "
                                            + "decode: " + e.report().detail()));
                        } catch (RuntimeException e) {
                            findings.problem(component, CorruptionReport.of(segment, offset, -1,
                                    CorruptionKind.INVALID_CONTENT, "record " + record.sequence() + " (type "
                                            + record.type() + ") passed its checksums but its payload does not decode: "
                                            + e.getMessage()));
                        }
                    }
                }

                @Override
                public void problem(CorruptionReport report) {
                    findings.problem(component, report);
                }

                @Override
                public void note(String text) {
                    findings.note(text);
                }
            });
        } catch (StorageException e) {
            findings.incomplete(component, dir, "could not be read: " + e.getMessage());
            return null;
        }
        // The inspector reads sizes and headers of segments that may hold no record: count those files too.
        findings.fileCount += Math.max(0, summary.segments() - segments.size()) + (summary.metadata() != null ? 1 : 0);
        if (summary.unsupported() != null) {
            findings.incomplete(component, dir, summary.unsupported());
        }
        return summary;
    }
}
