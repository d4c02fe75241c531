package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.InternalKeys;
import io.kintsugi.oplog.StorageException;

import java.util.Arrays;

/**
 * The {@link Cursor} of a scan: the newest version at or below the read sequence of every key in
 * {@code [from, to)} of one namespace, tombstones skipped. Holds its {@link Version} until closed.
 */
final class RangeCursor implements Cursor {

    private final MergingIterator merge;
    private final Version version;
    private final long readSequence;
    private final byte[] toExclusive;
    private byte[] lastKey;
    private Entry current;
    private boolean closed;
    private boolean exhausted;
    private long bytesVisited;

    RangeCursor(MergingIterator merge, Version version, long readSequence, byte[] toExclusive) {
        this.merge = merge;
        this.version = version;
        this.readSequence = readSequence;
        this.toExclusive = toExclusive;
    }

    @Override
    public boolean next() {
        if (closed) {
            throw new StorageException("cursor is closed");
        }
        current = null;
        while (!exhausted && merge.next()) {
            Entry e = merge.entry();
            if (InternalKeys.compareKeys(e.key(), toExclusive) >= 0) {
                break;
            }
            // The user's key and value bytes, as the pairs returned are counted (a tombstone's value is empty).
            bytesVisited += NamespaceTable.userKeyLength(e.key()) + e.value().length;
            if (e.sequence() > readSequence) {
                continue; // written after this cursor's read point
            }
            if (lastKey != null && Arrays.equals(lastKey, e.key())) {
                continue; // an older version of a key already decided
            }
            lastKey = e.key();
            if (!e.isDelete()) {
                current = e;
                return true;
            }
        }
        exhausted = true;
        return false;
    }

    @Override
    public byte[] key() {
        return NamespaceTable.userKey(require().key());
    }

    @Override
    public byte[] value() {
        return require().value().clone();
    }

    private Entry require() {
        if (current == null) {
            throw new IllegalStateException("the cursor is not on a key: call next() first and check it returned "
                    + "true");
        }
        return current;
    }

    @Override
    public long bytesVisited() {
        return bytesVisited;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            merge.close();
        } finally {
            version.release();
        }
    }
}
