package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.EntryCursor;
import io.kintsugi.oplog.CorruptionException;

/** A segment file as a merge input; damage found while reading it is recorded before it is rethrown. */
final class FileSource implements EntrySource {

    private final SegmentFileHandle file;
    private final EntryCursor cursor;
    private final DamageLog damage;
    private final String operation;

    /**
     * @param toKey the end (exclusive) of the keys the caller needs, or null for all: blocks that start at or after
     *              it are not read, so damage there does not fail this read
     */
    FileSource(SegmentFileHandle file, byte[] fromKey, byte[] toKey, DamageLog damage, String operation) {
        this.file = file;
        this.damage = damage;
        this.operation = operation;
        try {
            this.cursor = file.reader().cursor(fromKey, toKey);
        } catch (CorruptionException e) {
            throw damage.recordFileDamage(file, e, operation);
        }
    }

    @Override
    public boolean next() {
        try {
            return cursor.next();
        } catch (CorruptionException e) {
            throw damage.recordFileDamage(file, e, operation);
        }
    }

    @Override
    public Entry entry() {
        return cursor.entry();
    }

    @Override
    public void close() {
        cursor.close();
    }
}
