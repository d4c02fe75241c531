package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;

/**
 * One sorted input of a merge: a memtable or a segment file, positioned on an entry.
 */
interface EntrySource extends AutoCloseable {

    /** @return false when exhausted; otherwise {@link #entry()} is the next entry in internal order */
    boolean next();

    /** @return the current entry */
    Entry entry();

    @Override
    void close();
}
