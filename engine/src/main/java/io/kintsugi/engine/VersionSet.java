package io.kintsugi.engine;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The current {@link Version}, the versions still held by readers, and the deletion of segment files once no
 * version lists them.
 */
final class VersionSet {

    private static final System.Logger LOG = System.getLogger(VersionSet.class.getName());

    private final Set<Version> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<SegmentFileHandle> obsolete = new HashSet<>();
    private volatile Version current;

    VersionSet(List<SegmentFileHandle> files) {
        current = new Version(this, new Memtable(), List.of(), files);
        live.add(current);
    }

    /** @return the current version, acquired; the caller must {@link Version#release()} it */
    Version acquire() {
        while (true) {
            Version v = current;
            if (v.tryAcquire()) {
                return v;
            }
        }
    }

    /** @return the current version without acquiring it (for the writer thread and statistics) */
    Version current() {
        return current;
    }

    /**
     * Installs a new current version computed from the current one. Files the old version listed and the new one
     * does not are deleted once no held version lists them.
     */
    Version install(UnaryOperator<Version> change) {
        Version old;
        Version next;
        synchronized (this) {
            old = current;
            next = change.apply(old);
            live.add(next);
            current = next;
            Set<SegmentFileHandle> kept = Collections.newSetFromMap(new IdentityHashMap<>());
            kept.addAll(next.files);
            for (SegmentFileHandle f : old.files) {
                if (!kept.contains(f)) {
                    obsolete.add(f);
                }
            }
        }
        old.release(); // outside the lock: it may delete files
        return next;
    }

    /** Builds a version of this set (to be passed to {@link #install}). */
    Version version(Memtable active, List<Memtable> immutables, List<SegmentFileHandle> files) {
        return new Version(this, active, immutables, files);
    }

    void versionDied(Version v) {
        // Closing and unlinking files happens outside the lock: the writer thread installs versions under it.
        for (SegmentFileHandle f : unreferencedObsolete(v)) {
            try {
                f.reader().close();
                Files.deleteIfExists(f.path());
            } catch (IOException | RuntimeException e) {
                // The manifest no longer lists it: the next open removes it as a leftover.
                LOG.log(Level.WARNING, "could not delete obsolete segment file " + f.path() + ": " + e);
            }
        }
    }

    /** Forgets the dead version and returns the obsolete files no live version lists any more. */
    private synchronized List<SegmentFileHandle> unreferencedObsolete(Version dead) {
        live.remove(dead);
        List<SegmentFileHandle> deletable = new ArrayList<>();
        if (obsolete.isEmpty()) {
            return deletable;
        }
        Set<SegmentFileHandle> referenced = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Version v : live) {
            referenced.addAll(v.files);
        }
        for (SegmentFileHandle f : obsolete) {
            if (!referenced.contains(f)) {
                deletable.add(f);
            }
        }
        obsolete.removeAll(deletable);
        return deletable;
    }

    /** Closes the readers of every file still open; called once at store close. */
    synchronized void closeAll() {
        Set<SegmentFileHandle> all = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Version v : live) {
            all.addAll(v.files);
        }
        all.addAll(obsolete);
        for (SegmentFileHandle f : all) {
            try {
                f.reader().close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not close segment file " + f.path() + ": " + e);
            }
        }
    }
}
