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

    FileSource(SegmentFileHandle file, byte[] fromKey, DamageLog damage, String operation) {
        this.file = file;
        this.damage = damage;
        this.operation = operation;
        try {
            this.cursor = file.reader().cursor(fromKey);
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
