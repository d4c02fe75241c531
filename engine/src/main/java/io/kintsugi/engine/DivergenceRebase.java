package io.kintsugi.engine;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.format.TermHistoryFormat;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.manifest.ManifestEdit;
import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.FileSync;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.format.LogMetadataFormat;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Brings a follower whose log diverged from its primary's back to the primary's history at a sequence S: the
 * primary's images of every range the divergence touched replace the follower's, the follower's oplog starts over at
 * S + 1, and its term history becomes the primary's up to S. See {@link Store#rebaseDiverged}.
 *
 * <p><b>Commit point.</b> The step that decides is one manifest edit: it replaces the files of every range at once
 * and moves the flushed sequence up to S, above the follower's last (diverged) record. Before it, the intent file
 * {@value #INTENT_FILE} (the new term history, in {@link TermHistoryFormat}) is written; after it the store is
 * closed and reopened, and the open finishes the rebase ({@link #finishOnOpen}). A crash before the edit leaves the
 * diverged store (the open deletes the intent file and the unlisted new files); a crash after it, at any point,
 * leaves a store the next open brings to the rebased state. Never a mix.
 *
 * <p><b>The diverged records are kept.</b> The open moves the whole old oplog directory (the agreed prefix and the
 * diverged records after it) to {@code diverged/oplog-rebased-at-<S>} in the store directory, where it stays, a
 * complete oplog that {@code Oplog.open} on that directory reads. Nothing reads or deletes it by itself.
 */
final class DivergenceRebase {

    /** The intent file: the term history the store takes once the rebase is committed. */
    static final String INTENT_FILE = TermHistoryFormat.FILE_NAME + ".rebase";
    /** The directory, in the store directory, that keeps the oplogs replaced by rebases. */
    static final String ARCHIVE_DIR = "diverged";

    private static final System.Logger LOG = System.getLogger(DivergenceRebase.class.getName());

    private final long sequence;
    private final List<RangeInstall> installs;
    private final Manifest manifest;
    private final VersionSet versions;
    private final NamespaceTable namespaces;
    private final Oplog oplog;

    DivergenceRebase(long sequence, List<RangeInstall> installs, Manifest manifest, VersionSet versions,
                     NamespaceTable namespaces, Oplog oplog) {
        this.sequence = sequence;
        this.installs = installs;
        this.manifest = manifest;
        this.versions = versions;
        this.namespaces = namespaces;
        this.oplog = oplog;
    }

    /**
     * Checks a rebase against the divergence the follower stopped at, before anything is written.
     *
     * @throws IllegalStateException    if the divergence cannot be rebased by ranges, or the store moved since
     * @throws IllegalArgumentException if the sequence or the images do not fit the divergence
     */
    static void check(DivergenceReport report, TermHistory primaryHistory, long lastSequence, long atSequence,
                      List<RangeImage> images, NamespaceTable namespaces) {
        if (!report.complete()) {
            throw new IllegalStateException("this store cannot be rebased by ranges: some of its diverged records ("
                    + report.firstDivergedSequence() + ".." + report.lastDivergedSequence() + ") were already "
                    + "released from its oplog, so the key ranges they wrote are not known; rebuild it with a "
                    + "whole-replica resync instead");
        }
        if (!report.createdNamespaces().isEmpty()) {
            throw new IllegalStateException("the diverged records created " + report.createdNamespaces().size()
                    + " namespace(s) " + report.createdNamespaces() + " whose ids the primary may have given to other "
                    + "namespaces; this store cannot be rebased by ranges: rebuild it with a whole-replica resync "
                    + "into an empty store instead");
        }
        if (lastSequence != report.lastDivergedSequence()) {
            throw new IllegalStateException("this store is at sequence " + lastSequence + " but diverged up to "
                    + report.lastDivergedSequence() + ": it changed since the divergence was found");
        }
        if (atSequence < report.lastDivergedSequence()) {
            throw new IllegalArgumentException("the images are at sequence " + atSequence + ", below this store's "
                    + "last diverged sequence " + report.lastDivergedSequence() + ": the rebased oplog must start "
                    + "after every diverged record; take the images once the primary has passed that sequence");
        }
        // The history the primary sent when the divergence was found is exact up to its last sequence then, and its
        // last term covers everything after; a term the primary started since is not in it, and a rebase across one
        // would adopt a history the primary does not have: the next handshake would find the logs diverged again.
        // The caller checks that the primary's term did not change.
        for (int i = 0; i < images.size(); i++) {
            RangeImage image = images.get(i);
            if (namespaces.idOf(image.namespace()).isEmpty()) {
                throw new IllegalArgumentException("image " + i + " is of namespace " + image.namespace()
                        + ", which this store does not know: it was created on the primary after the logs forked; "
                        + "rebuild this store with a whole-replica resync into an empty store instead");
            }
            for (int j = 0; j < i; j++) {
                if (images.get(j).overlaps(image)) {
                    throw new IllegalArgumentException("images " + j + " and " + i + " overlap in namespace "
                            + image.namespace() + "; give each key to one image");
                }
            }
        }
        for (DivergenceReport.KeyRangeTouched t : report.ranges()) {
            boolean covered = images.stream().anyMatch(im -> im.namespace().equals(t.namespace())
                    && im.contains(t.minKey()) && im.contains(t.maxKey()));
            if (!covered) {
                throw new IllegalArgumentException("no image covers the keys the diverged records wrote in namespace "
                        + t.namespace() + " (" + t + "); each touched range must lie inside one image");
            }
        }
    }

    /** Writes the intent file: the history the store takes once the rebase commits. */
    static void writeIntent(Path storeDir, UUID storeId, TermHistory next) {
        try {
            FileSync.replaceAtomically(storeDir.resolve(INTENT_FILE),
                    ByteBuffer.wrap(TermHistoryFormat.encode(storeId, next)));
        } catch (IOException e) {
            throw new StorageException("could not write the rebase intent file in " + storeDir + ": " + e, e);
        }
    }

    /** Removes the intent file of a rebase that failed before its commit point. */
    static void abandonIntent(Path storeDir) {
        try {
            Files.deleteIfExists(storeDir.resolve(INTENT_FILE));
        } catch (IOException e) {
            // The next open decides: the flushed sequence did not move, so it deletes the file then.
            LOG.log(Level.WARNING, "could not remove the rebase intent file in " + storeDir + ": " + e);
        }
    }

    /**
     * Rewrites the files for every image and commits them in one manifest edit that moves the flushed sequence to
     * S. Called on the maintenance thread after every sealed memtable was flushed.
     *
     * @return what the installs did, summed
     */
    RangeInstallResult run(Maintenance maintenance) {
        for (RangeInstall install : installs) {
            install.checkDroppedDeletes(maintenance);
        }
        List<SegmentFileHandle> original = versions.current().files;
        List<SegmentFileHandle> files = original;
        RangeInstall.Tally tally = new RangeInstall.Tally();
        List<Long> numbers = new ArrayList<>();
        List<SegmentFileHandle> written = new ArrayList<>();
        int rewritten = 0;
        Set<SegmentFileHandle> finalSet;
        try {
            // Each pass works on the files the previous one left, so the last list holds every range's image.
            for (RangeInstall install : installs) {
                RangeInstall.Pass pass = install.rewrite(files, maintenance, numbers, written, tally);
                rewritten += pass.inputs().size();
                files = pass.files();
            }
            finalSet = Collections.newSetFromMap(new IdentityHashMap<>());
            finalSet.addAll(files);
            Set<SegmentFileHandle> originalSet = Collections.newSetFromMap(new IdentityHashMap<>());
            originalSet.addAll(original);
            ManifestEdit.Builder edit = ManifestEdit.builder();
            for (SegmentFileHandle f : original) {
                if (!finalSet.contains(f)) {
                    edit.removeFile(f.number());
                }
            }
            Set<Long> used = new HashSet<>();
            for (SegmentFileHandle f : files) {
                if (!originalSet.contains(f)) {
                    edit.addFile(f.metadata());
                    used.add(f.number());
                }
            }
            for (long n : numbers) {
                if (!used.contains(n)) {
                    edit.abandonFileNumber(n);
                }
            }
            // The commit point: every file holds sequences at or below S, and records up to S never replay.
            oplog.sync();
            edit.flushedSequence(sequence);
            RangeInstall.addUnlistedNamespaces(edit, manifest, namespaces);
            manifest.apply(edit.build());
        } catch (RuntimeException e) {
            RangeInstall.discard(written, maintenance, numbers, e);
            throw e;
        }
        List<SegmentFileHandle> superseded = new ArrayList<>();
        for (SegmentFileHandle w : written) {
            if (!finalSet.contains(w)) {
                superseded.add(w); // written by one pass, rewritten by a later one: listed nowhere
            }
        }
        deleteQuietly(superseded);
        List<SegmentFileHandle> next = files;
        Version installed = versions.install(cur -> versions.version(cur.active, cur.immutables, next));
        for (RangeInstall install : installs) {
            install.forgetRepaired(installed);
        }
        long bytes = 0;
        for (SegmentFileHandle f : written) {
            if (finalSet.contains(f)) {
                bytes += f.size();
            }
        }
        return new RangeInstallResult(rewritten, tally.entriesDropped, tally.blocksSkipped, tally.entriesInstalled,
                bytes);
    }

    private static void deleteQuietly(List<SegmentFileHandle> files) {
        for (SegmentFileHandle f : files) {
            try {
                f.reader().close();
                Files.deleteIfExists(f.path());
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "could not remove " + f.path() + ", written and then rewritten by a rebase: "
                        + e + "; the next open removes it");
            }
        }
    }

    /** @return the directory the oplog replaced by a rebase at {@code sequence} is kept in */
    static Path archiveOf(Path storeDir, long sequence) {
        return storeDir.resolve(ARCHIVE_DIR).resolve("oplog-rebased-at-" + sequence);
    }

    /**
     * Finishes or abandons a rebase found on open, before the oplog is opened. Committed (the manifest's flushed
     * sequence S is above the oplog's last record, or the oplog was already moved aside): the old oplog is moved to
     * {@link #archiveOf}, a new one starting at S + 1 is created in the term of the new history, the manifest
     * forgets its clean-close mark (it described the old oplog), and the intent file replaces the term history.
     * Not committed: the intent file is deleted. Every step can be repeated after a crash.
     *
     * @param oplogOptions the options the store opens its oplog with, without the first sequence
     */
    static void finishOnOpen(Path storeDir, UUID storeId, Manifest manifest, OplogOptions.Builder oplogOptions) {
        Path intent = storeDir.resolve(INTENT_FILE);
        if (!Files.exists(intent)) {
            return;
        }
        try {
            TermHistory next = TermHistoryFormat.decode(Files.readAllBytes(intent), intent, storeId);
            long s = manifest.state().flushedSequence();
            Path oplogDir = storeDir.resolve(StoreFiles.OPLOG_DIR);
            Path archive = archiveOf(storeDir, s);
            boolean oldOplogInPlace = !Files.exists(archive);
            if (oldOplogInPlace) {
                if (!Files.exists(oplogDir.resolve(LogMetadataFormat.FILE_NAME))) {
                    Files.delete(intent); // not a rebase's doing: the normal checks report the missing oplog
                    return;
                }
                long last;
                try (Oplog old = Oplog.open(oplogDir, oplogOptions.build())) {
                    last = old.lastSequence();
                }
                if (s <= last) {
                    LOG.log(Level.WARNING, "store " + storeId + ": a rebase of its diverged log was interrupted "
                            + "before it committed; the store is still diverged (its log ends at " + last + ")");
                    Files.delete(intent);
                    FileSync.syncDirectory(storeDir);
                    return;
                }
                Files.createDirectories(archive.getParent());
                Files.move(oplogDir, archive, StandardCopyOption.ATOMIC_MOVE);
                FileSync.syncDirectory(archive.getParent());
                FileSync.syncDirectory(storeDir);
            }
            if (!Files.exists(oplogDir.resolve(LogMetadataFormat.FILE_NAME))) {
                try (Oplog fresh = Oplog.open(oplogDir, oplogOptions.firstSequence(s + 1).build())) {
                    fresh.advanceTerm(Math.max(fresh.currentTerm(), next.lastTerm()));
                }
            }
            manifest.recordOpened();
            Files.move(intent, storeDir.resolve(TermHistoryFormat.FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            FileSync.syncDirectory(storeDir);
            LOG.log(Level.WARNING, "store " + storeId + ": its diverged log was rebased onto the primary's at "
                    + "sequence " + s + "; the replaced oplog, diverged records included, is kept in " + archive);
        } catch (IOException e) {
            throw new StorageException("could not finish the rebase of " + storeDir + ": " + e, e);
        }
    }

    static String describe(List<RangeImage> images) {
        return images.size() + " range(s) of namespace(s) " + Arrays.toString(images.stream()
                .map(RangeImage::namespace).distinct().toArray());
    }
}
