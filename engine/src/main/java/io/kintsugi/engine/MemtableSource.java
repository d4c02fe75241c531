package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;

import java.util.Iterator;

/** A memtable as a merge input. */
final class MemtableSource implements EntrySource {

    private final Iterator<Entry> it;
    private Entry current;

    MemtableSource(Memtable m, byte[] fromKey) {
        this.it = m.iterator(fromKey);
    }

    @Override
    public boolean next() {
        current = it.hasNext() ? it.next() : null;
        return current != null;
    }

    @Override
    public Entry entry() {
        return current;
    }

    @Override
    public void close() {
    }
}
