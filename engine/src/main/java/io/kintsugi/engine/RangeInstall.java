package io.kintsugi.engine;

import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.manifest.ManifestEdit;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.InternalKeys;
import io.kintsugi.oplog.Oplog;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@link Store#installRange}: replaces what the store holds for a key range of one namespace at and below a
 * sequence S with an image of the range at S, in one manifest edit. Runs on the maintenance thread after the
 * memtables sealed before it were flushed, so every entry at or below S is in a segment file and no flush or
 * compaction changes the files meanwhile.
 *
 * <p>Steps: every live file that holds sequences at or below S and keys of the range is rewritten without the
 * range's entries at or below S ({@link KeptFileEntries}); the image's pairs become puts at S, merged into the
 * rewrite of the file whose sequence range holds S ({@link ImageMerge}), or written to a file of their own when no
 * file's sequence range holds S, so that files' sequence ranges stay disjoint and ordered newest first, which reads
 * and the checks on open rely on. Then one manifest edit removes the old files and adds the new ones, and a new
 * version is installed. A crash before the edit leaves the old files (the new ones are unlisted and removed on the
 * next open); after it, the new ones.
 */
final class RangeInstall {

    static final String OPERATION = "range install";
    private static final System.Logger LOG = System.getLogger(RangeInstall.class.getName());

    private final String namespace;
    private final int namespaceId;
    private final byte[] fromUserKey;
    private final byte[] toUserKey;
    private final byte[] fromKey;
    private final byte[] toKey;
    private final long sequence;
    private final RangeImageEntries image;
    private final Manifest manifest;
    private final VersionSet versions;
    private final NamespaceTable namespaces;
    private final DamageLog damage;
    private final Oplog oplog;

    /** Counts what the install did, updated by the iterators that feed the new files. */
    static final class Tally {
        long entriesDropped;
        long blocksSkipped;
        long entriesInstalled;
        long bytesWritten;
    }

    /**
     * @param fromUserKey first user key of the range, or null for the start of the namespace
     * @param toUserKey   end user key (exclusive), or null for the end of the namespace
     */
    RangeInstall(String namespace, int namespaceId, byte[] fromUserKey, byte[] toUserKey, long sequence,
                 Iterator<RangeEntry> image, Manifest manifest, VersionSet versions, NamespaceTable namespaces,
                 DamageLog damage, Oplog oplog) {
        this.namespace = namespace;
        this.namespaceId = namespaceId;
        this.fromUserKey = fromUserKey;
        this.toUserKey = toUserKey;
        this.fromKey = NamespaceTable.internalKey(namespaceId, fromUserKey == null ? new byte[0] : fromUserKey);
        this.toKey = toUserKey == null ? NamespaceTable.namespaceEnd(namespaceId)
                : NamespaceTable.internalKey(namespaceId, toUserKey);
        this.sequence = sequence;
        this.image = new RangeImageEntries(image, namespaceId, fromUserKey, toUserKey, sequence);
        this.manifest = manifest;
        this.versions = versions;
        this.namespaces = namespaces;
        this.damage = damage;
        this.oplog = oplog;
    }

    /**
     * What one rewrite pass over a file list did: the files it took as input, the file it wrote for the image alone
     * (null when the image went into a rewrite, or was empty), the new file list, and every file it wrote.
     */
    record Pass(List<SegmentFileHandle> inputs, SegmentFileHandle imageFile, List<SegmentFileHandle> files,
                List<SegmentFileHandle> written) {
    }

    /** Refuses an image below a tombstone a compaction dropped. */
    void checkDroppedDeletes(Maintenance maintenance) {
        long dropped = maintenance.deletesDroppedThrough(namespaceId);
        if (dropped > sequence) {
            throw new IllegalStateException("a compaction dropped deletes of namespace " + namespace + " up to "
                    + "sequence " + dropped + ", above the image's sequence " + sequence + ": under the image they "
                    + "could no longer hide the values they deleted; take the image at sequence " + dropped
                    + " or later");
        }
    }

    /**
     * Rewrites {@code files} (newest first) for this range and image, writing new files but changing nothing the
     * store lists. File numbers it allocates are added to {@code numbers}; on failure the caller discards what the
     * pass wrote ({@link #discard}).
     */
    Pass rewrite(List<SegmentFileHandle> files, Maintenance maintenance, List<Long> numbers,
                 List<SegmentFileHandle> written, Tally tally) {
        SegmentFileHandle holdingSequence = null;
        List<SegmentFileHandle> inputs = new ArrayList<>();
        boolean imageEmpty = !image.hasNext();
        for (SegmentFileHandle f : files) {
            FileMetadata m = f.metadata();
            boolean holdsSequence = m.minSequence() <= sequence && sequence <= m.maxSequence();
            if (holdsSequence) {
                holdingSequence = f;
            }
            if ((m.minSequence() <= sequence && overlapsRange(m)) || (holdsSequence && !imageEmpty)) {
                inputs.add(f);
            }
        }
        Map<SegmentFileHandle, SegmentFileHandle> replacements = new IdentityHashMap<>();
        int before = written.size();
        SegmentFileHandle imageFile = null;
        for (SegmentFileHandle f : inputs) {
            Iterator<Entry> kept = new KeptFileEntries(f, fromKey, toKey, sequence, damage, tally);
            Iterator<Entry> entries = f == holdingSequence && !imageEmpty
                    ? new ImageMerge(kept, image, tally) : kept;
            SegmentFileHandle out = writeFile(maintenance, entries, numbers, written, tally);
            replacements.put(f, out); // null: nothing was left, the file just goes
        }
        if (!imageEmpty && holdingSequence == null) {
            imageFile = writeFile(maintenance, new ImageMerge(Collections.emptyIterator(), image, tally),
                    numbers, written, tally);
        }
        if (image.hasNext()) {
            throw new IllegalStateException("the range image was not read to its end"); // a bug, not input
        }
        return new Pass(inputs, imageFile, replace(files, replacements, imageFile),
                List.copyOf(written.subList(before, written.size())));
    }

    /** Does the install; on failure nothing the store lists has changed. Called on the maintenance thread. */
    RangeInstallResult run(Maintenance maintenance) {
        checkDroppedDeletes(maintenance);
        Tally tally = new Tally();
        List<Long> numbers = new ArrayList<>();
        List<SegmentFileHandle> written = new ArrayList<>();
        Pass pass;
        try {
            pass = rewrite(versions.current().files, maintenance, numbers, written, tally);
            ManifestEdit.Builder edit = ManifestEdit.builder();
            for (SegmentFileHandle f : pass.inputs()) {
                edit.removeFile(f.number());
            }
            for (SegmentFileHandle w : written) {
                edit.addFile(w.metadata());
            }
            Set<Long> used = new HashSet<>();
            written.forEach(w -> used.add(w.number()));
            for (long n : numbers) {
                if (!used.contains(n)) {
                    edit.abandonFileNumber(n);
                }
            }
            if (pass.imageFile() != null && sequence > manifest.state().flushedSequence()) {
                // Only records without data (markers, namespaces) lie between the last flush and S: every data
                // entry at or below S was flushed before this ran. The image file holds S, and on open no file may
                // hold a sequence above the flushed one, so the flushed sequence moves up to S.
                oplog.sync();
                edit.flushedSequence(sequence);
                addUnlistedNamespaces(edit, manifest, namespaces);
            }
            manifest.apply(edit.build());
        } catch (RuntimeException e) {
            discard(written, maintenance, numbers, e);
            throw e;
        }
        List<SegmentFileHandle> next = pass.files();
        Version installed = versions.install(cur -> versions.version(cur.active, cur.immutables, next));
        forgetRepaired(installed);
        return new RangeInstallResult(pass.inputs().size(), tally.entriesDropped, tally.blocksSkipped,
                tally.entriesInstalled, tally.bytesWritten);
    }

    /** Lists in {@code edit} the namespaces the store knows and the manifest does not. */
    static void addUnlistedNamespaces(ManifestEdit.Builder edit, Manifest manifest, NamespaceTable namespaces) {
        Map<Integer, String> known = manifest.state().namespaceNames();
        namespaces.snapshot().forEach((id, name) -> {
            if (!known.containsKey(id)) {
                edit.addNamespace(id, name);
            }
        });
    }

    /** Forgets the damage of this range whose files {@code installed} no longer lists. */
    void forgetRepaired(Version installed) {
        Set<Long> live = new HashSet<>();
        installed.files.forEach(f -> live.add(f.number()));
        damage.forgetRepaired(namespace, fromUserKey, toUserKey, live);
    }

    private SegmentFileHandle writeFile(Maintenance maintenance, Iterator<Entry> entries, List<Long> numbers,
                                        List<SegmentFileHandle> written, Tally tally) {
        long number = manifest.allocateFileNumber();
        numbers.add(number);
        // Entries come in internal order, with every version the old file kept: written as they are.
        SegmentFileHandle out = maintenance.write(number, () -> entries, true);
        if (out != null) {
            written.add(out);
            tally.bytesWritten += out.size();
        }
        return out;
    }

    /** The new file list: replacements in their files' places, the image's own file where S sorts. */
    private List<SegmentFileHandle> replace(List<SegmentFileHandle> current,
                                            Map<SegmentFileHandle, SegmentFileHandle> replacements,
                                            SegmentFileHandle imageFile) {
        List<SegmentFileHandle> out = new ArrayList<>(current.size() + 1);
        boolean placed = imageFile == null;
        for (SegmentFileHandle f : current) {
            if (!placed && f.metadata().maxSequence() < sequence) {
                out.add(imageFile); // newest first: before the first file older than S
                placed = true;
            }
            if (replacements.containsKey(f)) {
                SegmentFileHandle r = replacements.get(f);
                if (r != null) {
                    out.add(r);
                }
            } else {
                out.add(f);
            }
        }
        if (!placed) {
            out.add(imageFile);
        }
        return out;
    }

    /** Removes the files written by a failed install and gives their numbers up; the first failure stays primary. */
    static void discard(List<SegmentFileHandle> written, Maintenance maintenance, List<Long> numbers,
                                RuntimeException cause) {
        for (SegmentFileHandle w : written) {
            try {
                w.reader().close();
                Files.deleteIfExists(w.path());
            } catch (IOException | RuntimeException e) {
                // Unlisted: the next open removes it.
                LOG.log(Level.WARNING, "could not remove " + w.path() + " after a failed range install: " + e);
            }
        }
        for (long n : numbers) {
            maintenance.abandon(n, cause);
        }
    }

    private boolean overlapsRange(FileMetadata m) {
        return InternalKeys.compareKeys(m.smallestKey(), toKey) < 0
                && InternalKeys.compareKeys(m.largestKey(), fromKey) >= 0;
    }
}
