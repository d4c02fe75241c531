package io.kintsugi.engine;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One immutable view of where the store's data is: the active memtable, memtables waiting to be flushed (newest
 * first) and the live segment files (newest first; their sequence ranges do not overlap). Readers, cursors and
 * snapshots hold a version while they use it, so that nothing it lists is deleted under them.
 */
final class Version {

    final Memtable active;
    final List<Memtable> immutables;
    final List<SegmentFileHandle> files;
    private final AtomicInteger refs = new AtomicInteger(1); // the version set's own reference while current
    private final VersionSet owner;

    Version(VersionSet owner, Memtable active, List<Memtable> immutables, List<SegmentFileHandle> files) {
        this.owner = owner;
        this.active = active;
        this.immutables = List.copyOf(immutables);
        this.files = List.copyOf(files);
    }

    /** @return false if the version is already dead: the caller must fetch the current one again */
    boolean tryAcquire() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            owner.versionDied(this);
        }
    }
}
