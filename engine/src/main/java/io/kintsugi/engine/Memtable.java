package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.EntryKind;
import io.kintsugi.engine.table.InternalKeys;

import java.util.Iterator;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory, sorted buffer of recent writes: every version of every key since the last flush, in
 * {@link InternalKeys} order. One thread (the oplog's writer) adds entries; any number of threads read.
 */
final class Memtable {

    /** Rough per-entry bookkeeping cost of the skip list, added to key and value sizes. */
    private static final int ENTRY_OVERHEAD = 64;

    private final NavigableSet<Entry> entries = new ConcurrentSkipListSet<>(InternalKeys.COMPARATOR);
    private final AtomicLong bytes = new AtomicLong();
    private volatile long sealedAt = -1;

    void add(Entry e) {
        if (!entries.add(e)) {
            // The same key twice in one batch (one sequence): the later operation wins.
            entries.remove(e);
            entries.add(e);
        }
        bytes.addAndGet(e.key().length + e.value().length + ENTRY_OVERHEAD);
    }

    /**
     * @return the newest entry for exactly {@code key} with a sequence at or below {@code maxSequence}, or null
     */
    Entry get(byte[] key, long maxSequence) {
        Entry e = entries.ceiling(probe(key, maxSequence));
        return e != null && InternalKeys.compareKeys(e.key(), key) == 0 ? e : null;
    }

    /** @return entries in internal order from the first version of the first key at or after {@code fromKey} */
    Iterator<Entry> iterator(byte[] fromKey) {
        return fromKey == null ? entries.iterator() : entries.tailSet(probe(fromKey, Long.MAX_VALUE), true).iterator();
    }

    /** @return every entry in internal order */
    Iterable<Entry> all() {
        return entries;
    }

    /**
     * Marks the memtable read-only. {@code lastSequence} is the last sequence applied to the store when it was
     * sealed: once the memtable is flushed, every write up to it is in segment files.
     */
    void seal(long lastSequence) {
        sealedAt = lastSequence;
    }

    /** @return the last applied sequence when the memtable was sealed, or -1 while it is active */
    long sealedAt() {
        return sealedAt;
    }

    long approximateBytes() {
        return bytes.get();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }



    private static Entry probe(byte[] key, long sequence) {
        return new Entry(key, sequence, EntryKind.PUT, new byte[0]);
    }
}
