package io.kintsugi.cli.demo;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Snapshot;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.scan.RangeHasher;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The demo's final checks on a quiet replica set: every acknowledged write reads back from a replica, and the
 * hash of a whole namespace, to compare replicas with each other.
 */
final class ReplicaAudit {

    /** What the oracle check of one replica found. */
    record OracleCheck(long checked, long wrong, long unreadable, String firstProblem) {
        boolean clean() {
            return wrong == 0 && unreadable == 0;
        }
    }

    /** A whole namespace's pairs, count and hash, at one snapshot. */
    record NamespaceHash(long count, long bytes, Hash128 hash) {
    }

    private ReplicaAudit() {
    }

    /**
     * Reads every key of the oracle from {@code store} and compares it with the last acknowledged value (or a value
     * whose acknowledgement failed). Problems are described by namespace and counts only, never by key or value.
     */
    static OracleCheck checkOracle(Store store, Workload workload) {
        long checked = 0;
        long wrong = 0;
        long unreadable = 0;
        String first = null;
        for (Map.Entry<String, byte[]> e : workload.oracle().entrySet()) {
            int slash = e.getKey().indexOf('/');
            String ns = e.getKey().substring(0, slash);
            byte[] key = e.getKey().substring(slash + 1).getBytes(StandardCharsets.US_ASCII);
            checked++;
            byte[] got;
            try {
                got = store.namespace(ns).get(key);
            } catch (StorageException ex) {
                unreadable++;
                if (first == null) {
                    first = "a key of " + ns + " could not be read: " + ex.getMessage();
                }
                continue;
            }
            if (!Arrays.equals(e.getValue(), got) && !accepted(workload.alsoAccepted(e.getKey()), got)) {
                wrong++;
                if (first == null) {
                    first = "a key of " + ns + " (" + key.length + " bytes) reads " + (got == null ? "nothing"
                            : got.length + " bytes that differ from") + " the acknowledged value";
                }
            }
        }
        return new OracleCheck(checked, wrong, unreadable, first);
    }

    private static boolean accepted(List<byte[]> values, byte[] got) {
        for (byte[] v : values) {
            if (Arrays.equals(v, got)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hashes every pair of a namespace at one snapshot, with the range hash the scanner uses.
     *
     * @throws io.kintsugi.oplog.CorruptionException if a block of the namespace is damaged
     */
    static NamespaceHash hashNamespace(Store store, String namespace) {
        RangeHasher hasher = new RangeHasher();
        try (Snapshot s = store.snapshot(); Cursor c = s.scan(store.namespace(namespace), null, null)) {
            while (c.next()) {
                hasher.add(c.key(), c.value());
            }
        }
        return new NamespaceHash(hasher.count(), hasher.bytes(), hasher.hash());
    }
}
