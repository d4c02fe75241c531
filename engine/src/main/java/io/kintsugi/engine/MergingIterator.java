package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.InternalKeys;

import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges sorted sources into one stream of raw entries in internal order (every version of every key). Used by
 * scans, which then keep the newest visible version per key, and by compaction.
 */
final class MergingIterator implements AutoCloseable {

    private final List<EntrySource> sources;
    private final PriorityQueue<EntrySource> heap;
    private Entry current;
    private boolean started;
    private RuntimeException failure;

    MergingIterator(List<EntrySource> sources) {
        this.sources = sources;
        this.heap = new PriorityQueue<>(Math.max(1, sources.size()),
                (a, b) -> InternalKeys.COMPARATOR.compare(a.entry(), b.entry()));
    }

    /** @return false when every source is exhausted */
    boolean next() {
        if (failure != null) {
            throw failure; // a source that failed is out of the heap: going on would read older versions
        }
        try {
            return advance();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    private boolean advance() {
        if (!started) {
            started = true;
            for (EntrySource s : sources) {
                if (s.next()) {
                    heap.add(s);
                }
            }
        }
        EntrySource top = heap.poll();
        if (top == null) {
            current = null;
            return false;
        }
        current = top.entry();
        if (top.next()) {
            heap.add(top);
        }
        return true;
    }

    Entry entry() {
        return current;
    }

    @Override
    public void close() {
        for (EntrySource s : sources) {
            s.close();
        }
    }
}
