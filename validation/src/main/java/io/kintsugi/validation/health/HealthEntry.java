package io.kintsugi.validation.health;

import io.kintsugi.validation.Hash128;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a replica's {@link HealthLog}. The key range is kept because repair needs it, but it is user data:
 * {@link #toString()} and every rendering meant for people or monitoring show only its length and a fingerprint,
 * never its bytes.
 *
 * @param time      when the entry was made
 * @param severity  how much it needs attention
 * @param replicaId the id of the store that made it
 * @param kind      what it records
 * @param verdict   its outcome
 * @param namespace the namespace, or "" when none applies
 * @param minKey    first key of the range (inclusive), or null for the start of the namespace
 * @param maxKey    last key of the range (inclusive), or null for the end of the namespace
 * @param count     live keys in the range (as hashed here), or -1 when unknown
 * @param bytes     logical bytes of keys and values in the range, or -1 when unknown
 * @param expected  the hash the primary recorded, or null
 * @param found     the hash found here, or null
 * @param sequence  the oplog sequence the entry is about (a marker's), or -1
 * @param detail    metadata-only text: file, offset, kind, counts; never key or value bytes
 */
public record HealthEntry(Instant time, Severity severity, String replicaId, HealthKind kind, Verdict verdict,
                          String namespace, byte[] minKey, byte[] maxKey, long count, long bytes,
                          Hash128 expected, Hash128 found, long sequence, String detail) {

    /** Checks the fields that must be present. */
    public HealthEntry {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(replicaId, "replicaId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(detail, "detail");
        minKey = minKey == null ? null : minKey.clone();
        maxKey = maxKey == null ? null : maxKey.clone();
    }

    /** @return a copy of the first key, or null */
    @Override
    public byte[] minKey() {
        return minKey == null ? null : minKey.clone();
    }

    /** @return a copy of the last key, or null */
    @Override
    public byte[] maxKey() {
        return maxKey == null ? null : maxKey.clone();
    }

    /**
     * @return the range without its bytes: each bound's length and a short fingerprint of it, for people and
     *         monitoring; "[start .. end]" for a whole namespace
     */
    public String rangeFingerprint() {
        return "[" + fingerprint(minKey, "start") + " .. " + fingerprint(maxKey, "end") + "]";
    }

    private static String fingerprint(byte[] key, String open) {
        if (key == null) {
            return open;
        }
        return "key#" + String.format("%08x", Arrays.hashCode(key)) + "/" + key.length + "B";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthEntry e && time.equals(e.time) && severity == e.severity
                && replicaId.equals(e.replicaId) && kind == e.kind && verdict == e.verdict
                && namespace.equals(e.namespace) && Arrays.equals(minKey, e.minKey) && Arrays.equals(maxKey, e.maxKey)
                && count == e.count && bytes == e.bytes && Objects.equals(expected, e.expected)
                && Objects.equals(found, e.found) && sequence == e.sequence && detail.equals(e.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, severity, kind, verdict, namespace, Arrays.hashCode(minKey), sequence);
    }

    /** @return every field but the key bytes, which appear only as {@link #rangeFingerprint()} */
    @Override
    public String toString() {
        return time + " " + severity + " " + kind + " " + verdict + " replica=" + replicaId
                + (namespace.isEmpty() ? "" : " namespace=" + namespace + " range=" + rangeFingerprint())
                + (count >= 0 ? " count=" + count : "") + (bytes >= 0 ? " bytes=" + bytes : "")
                + (expected != null ? " expected=" + expected : "") + (found != null ? " found=" + found : "")
                + (sequence >= 0 ? " sequence=" + sequence : "") + (detail.isEmpty() ? "" : " " + detail);
    }
}
