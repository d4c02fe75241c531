package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.InternalKeys;
import io.kintsugi.oplog.CorruptionException;

import java.util.ArrayList;
import java.util.List;

/**
 * Point reads and scans over one {@link Version} at one read sequence: memtables first, then segment files newest
 * first. Because the sources' sequence ranges do not overlap and are ordered, the first source that holds a version
 * of a key at or below the read sequence holds the newest one.
 */
final class ReadPath {

    private final DamageLog damage;

    ReadPath(DamageLog damage) {
        this.damage = damage;
    }

    /** @return the newest entry of {@code key} at or below {@code sequence} (possibly a tombstone), or null */
    Entry get(Version v, byte[] key, long sequence) {
        Entry e = v.active.get(key, sequence);
        if (e != null) {
            return e;
        }
        for (Memtable m : v.immutables) {
            e = m.get(key, sequence);
            if (e != null) {
                return e;
            }
        }
        for (SegmentFileHandle f : v.files) {
            if (f.metadata().minSequence() > sequence || !mayContain(f, key)) {
                continue;
            }
            try {
                e = f.reader().get(key, sequence);
            } catch (CorruptionException ce) {
                throw damage.recordFileDamage(f, ce, "get");
            }
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /**
     * @param v an acquired version; the cursor releases it when closed (or this method, if it fails)
     * @return a cursor over the live keys in {@code [from, to)} at {@code sequence}
     */
    RangeCursor scan(Version v, long sequence, byte[] from, byte[] to) {
        List<EntrySource> sources = new ArrayList<>();
        try {
            sources.add(new MemtableSource(v.active, from));
            for (Memtable m : v.immutables) {
                sources.add(new MemtableSource(m, from));
            }
            for (SegmentFileHandle f : v.files) {
                if (f.metadata().minSequence() > sequence
                        || InternalKeys.compareKeys(f.metadata().largestKey(), from) < 0
                        || InternalKeys.compareKeys(f.metadata().smallestKey(), to) >= 0) {
                    continue;
                }
                sources.add(new FileSource(f, from, to, damage, "scan"));
            }
        } catch (RuntimeException e) {
            for (EntrySource s : sources) {
                s.close();
            }
            v.release();
            throw e;
        }
        return new RangeCursor(new MergingIterator(sources), v, sequence, to);
    }

    private static boolean mayContain(SegmentFileHandle f, byte[] key) {
        return InternalKeys.compareKeys(key, f.metadata().smallestKey()) >= 0
                && InternalKeys.compareKeys(key, f.metadata().largestKey()) <= 0;
    }
}
