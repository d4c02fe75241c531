package io.kintsugi.validation.scan;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.replication.NotPrimaryException;
import io.kintsugi.engine.replication.Role;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.Hash128;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The primary's side of a probe: hashes one range at a snapshot and appends a held marker
 * ({@link RangeHashMarkerFormat#FLAG_HOLD}) where the range still holds exactly what was hashed, the same way a scan
 * batch is marked ({@link RangeMarking}). Every replica then hashes the range at the marker and keeps its snapshot
 * there for a while, so that repair can compare all replicas at one sequence and copy the range as of it.
 *
 * <p>If a write changes the range before the marker lands, the range is hashed again, after a short pause that
 * grows with each attempt; a range that changes on every attempt is refused with a {@link StorageException} rather
 * than marked with a hash that might be wrong.
 */
public final class RangeProber {

    /** Pause before the second attempt; doubled for each further attempt up to {@link #MAX_PAUSE_NANOS}. */
    private static final long FIRST_PAUSE_NANOS = 1_000_000;
    private static final long MAX_PAUSE_NANOS = 50_000_000;

    private static final Hash128 NO_HASH = new Hash128(0, 0);

    private RangeProber() {
    }

    /**
     * @param store         an open primary
     * @param namespace     a namespace that has had writes on it
     * @param fromInclusive first key, or null for the start of the namespace
     * @param toExclusive   end key, or null for the end of the namespace
     * @param attempts      how many times to hash the range before giving up, at least 1
     * @return the marker's sequence and the primary's digest of the range there: DAMAGED when the primary could not
     *         read the range, in which case the marker carries {@link RangeHashMarkerFormat#FLAG_PRIMARY_DAMAGED}
     * @throws IllegalArgumentException if the namespace does not exist or is misnamed, a key is over its limit, or
     *                                  the end does not sort after the start
     * @throws NotPrimaryException      if the store is not the primary; nothing was appended
     * @throws StorageException         if writes changed the range on every attempt, or the store is closed
     */
    public static RangeProbe probe(Store store, String namespace, byte[] fromInclusive, byte[] toExclusive,
                                   int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("a probe makes at least 1 attempt, was " + attempts);
        }
        byte[] from = fromInclusive == null ? new byte[0] : fromInclusive.clone();
        byte[] to = toExclusive == null ? null : toExclusive.clone();
        checkRange(from, to);
        if (store.role() != Role.PRIMARY) {
            throw new NotPrimaryException("a probe marks the oplog, so it runs on the primary; this store is a "
                    + store.role() + " in term " + store.term(), store.term(), null);
        }
        Namespace ns = store.namespace(namespace);
        if (!store.namespaceNames().contains(namespace)) {
            throw new IllegalArgumentException("namespace " + namespace + " has had no writes on this store: "
                    + "there is nothing to probe");
        }
        long probeId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        RangeHasher hasher = new RangeHasher();
        long pause = FIRST_PAUSE_NANOS;
        for (int attempt = 0; attempt < attempts; attempt++) {
            int batch = attempt;
            AtomicReference<CorruptionException> damage = new AtomicReference<>();
            RangeMarking.Attempt a = RangeMarking.attempt(store, ns, from,
                    snapshot -> {
                        try {
                            return RangeMarking.hashWhole(hasher, snapshot, ns, from, to);
                        } catch (CorruptionException e) {
                            // The primary's copy is damaged: mark the range all the same, flagged, so that every
                            // replica hashes and holds it at one sequence and repair can outvote the primary.
                            damage.set(e);
                            return new RangeMarking.Hashed(to, 0, 0, NO_HASH);
                        }
                    },
                    (hashedAt, h) -> new RangeHashMarker(store.id(), probeId, batch, hashedAt,
                            HashAlgorithm.XXH3_128_CHAINED, namespace, from, to, h.count(), h.bytes(), h.hash(),
                            true, damage.get() != null));
            if (a.sequence().isPresent()) {
                RangeMarking.Hashed h = a.hashed();
                long seq = a.sequence().getAsLong();
                if (damage.get() != null) {
                    return new RangeProbe(seq, RangeDigest.damaged(namespace, from, to, seq,
                            damage.get().report().describe()));
                }
                return new RangeProbe(seq, RangeDigest.ok(namespace, from, to, seq, h.count(), h.bytes(), h.hash()));
            }
            if (attempt + 1 < attempts) {
                LockSupport.parkNanos(pause);
                pause = Math.min(MAX_PAUSE_NANOS, pause * 2);
            }
        }
        throw new StorageException("writes changed the probed range of namespace " + namespace + " on each of "
                + attempts + " attempts before its marker could land (ValidatorOptions.probeAttempts); "
                + "nothing was marked");
    }

    private static void checkRange(byte[] from, byte[] to) {
        if (from.length > RangeHashMarkerFormat.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("the probe's first key is " + from.length + " bytes, over the key limit "
                    + "of " + RangeHashMarkerFormat.MAX_KEY_LENGTH);
        }
        if (to != null && to.length > RangeHashMarkerFormat.MAX_KEY_LENGTH + 1) {
            throw new IllegalArgumentException("the probe's end key is " + to.length + " bytes, over the limit of "
                    + (RangeHashMarkerFormat.MAX_KEY_LENGTH + 1) + " (a key limit's successor)");
        }
        if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
            throw new IllegalArgumentException("the probe's end key must sort after its first key");
        }
    }
}
