package io.kintsugi.engine;

import io.kintsugi.oplog.CorruptionReport;

import java.time.Instant;
import java.util.Optional;

/**
 * Damaged data found by a store: metadata only, never key or value bytes.
 *
 * @param time       when it was found
 * @param report     file, offset, length, kind and checksums
 * @param fileNumber the segment file, or -1 if the damage is not in a segment file
 * @param namespace  the namespace whose keys the damaged range holds, when known
 * @param operation  what found it: "get", "scan", "compaction"
 */
public record CorruptionEvent(Instant time, CorruptionReport report, long fileNumber, Optional<String> namespace,
                              String operation) {
}
