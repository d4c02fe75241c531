package io.kintsugi.repair.resync;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Snapshot;
import io.kintsugi.engine.Store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits namespaces into {@link ResyncRange}s by the primary's key distribution: one pass over a snapshot, cutting
 * a new range before the key that would take the current one past {@code maxPairs} pairs or {@code maxBytes} key
 * and value bytes. A single pair larger than {@code maxBytes} gets a range of its own.
 *
 * <p>The first range of a namespace starts at the namespace's start and the last ends at its end, so that every key
 * written later, wherever it sorts, lies in exactly one range. An empty namespace is one range, so that it is still
 * compared (and emptied on the target if the target holds anything there).
 */
public final class ResyncPlanner {

    private final long maxPairs;
    private final long maxBytes;

    /**
     * @param maxPairs the most pairs in one range, at least 1
     * @param maxBytes the most key and value bytes in one range, at least 1
     * @throws IllegalArgumentException if a bound is below 1
     */
    public ResyncPlanner(long maxPairs, long maxBytes) {
        if (maxPairs < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("a resync range holds at least 1 pair and 1 byte, the bounds were "
                    + maxPairs + " pairs and " + maxBytes + " bytes");
        }
        this.maxPairs = maxPairs;
        this.maxBytes = maxBytes;
    }

    /**
     * Plans every namespace of {@code store} at one snapshot, in name order.
     *
     * @param store the store whose key distribution sets the cuts (the primary)
     * @return the ranges, namespace by namespace, each namespace's ranges in key order
     * @throws io.kintsugi.oplog.CorruptionException if the store cannot read a block (plan from a healthy replica)
     * @throws io.kintsugi.oplog.StorageException     if the store is closed
     */
    public List<ResyncRange> plan(Store store) {
        Objects.requireNonNull(store, "store");
        List<String> names = new ArrayList<>(store.namespaceNames());
        names.sort(null);
        List<ResyncRange> out = new ArrayList<>();
        try (Snapshot snapshot = store.snapshot()) {
            for (String name : names) {
                out.addAll(plan(snapshot, store.namespace(name)));
            }
        }
        return out;
    }

    /**
     * Plans one namespace at a snapshot.
     *
     * @param snapshot the snapshot to read
     * @param ns       the namespace
     * @return its ranges in key order, covering the whole namespace
     */
    public List<ResyncRange> plan(Snapshot snapshot, Namespace ns) {
        List<ResyncRange> out = new ArrayList<>();
        byte[] from = null;
        long pairs = 0;
        long bytes = 0;
        try (Cursor c = snapshot.scan(ns, null, null)) {
            while (c.next()) {
                long size = (long) c.key().length + c.value().length;
                if (pairs > 0 && (pairs + 1 > maxPairs || bytes + size > maxBytes)) {
                    byte[] cut = c.key();
                    out.add(new ResyncRange(ns.name(), from, cut, pairs, bytes));
                    from = cut;
                    pairs = 0;
                    bytes = 0;
                }
                pairs++;
                bytes += size;
            }
        }
        out.add(new ResyncRange(ns.name(), from, null, pairs, bytes));
        return out;
    }
}
