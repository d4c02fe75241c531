package io.kintsugi.validation.health;

import java.time.Instant;
import java.util.Optional;

/**
 * How much a {@link HealthLog} holds.
 *
 * @param entries        entries the log holds now
 * @param bytes          bytes of its segment files
 * @param oldest         the time of the first entry it holds, if any
 * @param newest         the time of the last entry it holds, if any
 * @param droppedEntries entries dropped since the log was created because the size bound was reached
 */
public record HealthLogStats(long entries, long bytes, Optional<Instant> oldest,
                             Optional<Instant> newest, long droppedEntries) {
}
