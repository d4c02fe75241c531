package io.kintsugi.repair.resync;

import io.kintsugi.engine.RangeEntry;
import io.kintsugi.engine.RangeInstallResult;
import io.kintsugi.engine.Store;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The namespaces a resync target holds that the primary does not: left over from another replica set, written by a
 * primary whose records were never replicated, or made up by damage. A resync copies only the primary's namespaces,
 * so these would survive it; they are reported, and emptied on request.
 */
final class TargetNamespaces {

    private TargetNamespaces() {
    }

    /**
     * @param target       the target's store
     * @param primaryNames the primary's namespaces
     * @return the target's namespaces missing from {@code primaryNames}, in name order
     */
    static List<String> only(Store target, Collection<String> primaryNames) {
        TreeSet<String> names = new TreeSet<>(target.namespaceNames());
        names.removeAll(primaryNames);
        return List.copyOf(names);
    }

    /**
     * Empties a namespace of the target: an empty image of the whole namespace installed at the target's last
     * sequence, so that every entry it holds goes, atomically, and writes replicated after it stay.
     *
     * @param target the target's store
     * @param name   a namespace of it that has had a write
     * @return what the install rewrote and dropped
     * @throws IllegalArgumentException if the namespace has had no write on the target
     * @throws IllegalStateException    if a compaction dropped deletes of the namespace above the last sequence
     * @throws io.kintsugi.oplog.CorruptionException if a block the install must read is damaged
     */
    static RangeInstallResult clear(Store target, String name) {
        Objects.requireNonNull(name, "name");
        return target.installRange(target.namespace(name), null, null, target.lastSequence(),
                Collections.<RangeEntry>emptyIterator());
    }
}
