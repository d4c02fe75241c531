package io.kintsugi.validation.events;

import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.time.Instant;
import java.util.Objects;

/**
 * A health-log entry as monitoring sees it: every field of a {@link HealthEntry} except the key bytes, whose range
 * appears only as {@link HealthEntry#rangeFingerprint()}. Safe to ship anywhere: it holds no user data.
 *
 * @param time             when the entry was made
 * @param severity         how much it needs attention
 * @param replicaId        the id of the store that made it
 * @param kind             what it records
 * @param verdict          its outcome
 * @param namespace        the namespace, or "" when none applies
 * @param rangeFingerprint the key range as bound lengths and fingerprints, e.g. {@code [start .. end]}
 * @param count            live keys in the range, or -1 when unknown
 * @param bytes            logical bytes in the range, or -1 when unknown
 * @param expected         the expected hash, or null
 * @param found            the hash found, or null
 * @param sequence         the store oplog sequence the entry is about, or -1
 * @param detail           metadata-only text
 */
public record HealthEvent(Instant time, Severity severity, String replicaId, HealthKind kind, Verdict verdict,
                          String namespace, String rangeFingerprint, long count, long bytes, Hash128 expected,
                          Hash128 found, long sequence, String detail) {

    /** Checks the fields that must be present. */
    public HealthEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(rangeFingerprint, "rangeFingerprint");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * @param e an entry
     * @return its metadata-only view
     */
    public static HealthEvent of(HealthEntry e) {
        return new HealthEvent(e.time(), e.severity(), e.replicaId(), e.kind(), e.verdict(), e.namespace(),
                e.rangeFingerprint(), e.count(), e.bytes(), e.expected(), e.found(), e.sequence(), e.detail());
    }
}
