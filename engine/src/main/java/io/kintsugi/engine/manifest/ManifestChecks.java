package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * The checks the engine runs on open, before it trusts the manifest: against the segment files in the store
 * directory, and against the data oplog. Pure functions of their arguments and the directory listing; they read
 * sizes, never file contents, and change nothing. A failed check is a {@link CorruptionException}: the store does
 * not open around missing data.
 */
public final class ManifestChecks {

    private ManifestChecks() {
    }

    /**
     * Segment files in the store directory that the manifest does not list and that may be deleted.
     *
     * @param orphans           files whose numbers are allocated but not yet added: outputs of a flush or
     *                          compaction that a crash interrupted. Delete them, then abandon their numbers (and
     *                          every other allocated number) with one edit
     * @param deletionLeftovers files whose numbers were used and removed: a deletion that a crash interrupted, or a
     *                          file kept by a reader at the time. Delete them
     */
    public record FileCheck(List<Path> orphans, List<Path> deletionLeftovers) {

        /** Copies the lists. */
        public FileCheck {
            orphans = List.copyOf(orphans);
            deletionLeftovers = List.copyOf(deletionLeftovers);
        }

        /** @return every unlisted file that may be deleted: orphans and deletion leftovers, in name order */
        public List<Path> unlisted() {
            List<Path> all = new ArrayList<>(orphans);
            all.addAll(deletionLeftovers);
            all.sort(null);
            return List.copyOf(all);
        }
    }

    /**
     * {@link #checkFiles(ManifestState, Path, LongFunction, ToLongFunction)} with the names of {@link StoreFiles}.
     *
     * @param state    the manifest's state
     * @param storeDir the store directory
     * @return the unlisted files that may be deleted
     * @throws CorruptionException if a check fails
     * @throws StorageException    if the directory cannot be read
     */
    public static FileCheck checkFiles(ManifestState state, Path storeDir) {
        return checkFiles(state, storeDir, StoreFiles::segmentFileName, StoreFiles::parseSegmentFileName);
    }

    /**
     * Checks the segment files in {@code storeDir} against the manifest:
     * <ol>
     *   <li>A segment file whose number is at or above the manifest's next file number is {@code STALE_FILE}
     *       (reported on the manifest directory): numbers are allocated durably before files are written, so the
     *       manifest is older than the file, an old copy put back, or the file is foreign. It is never deleted as an
     *       orphan, because with an old manifest it holds live data.</li>
     *   <li>Every listed file must exist with exactly the recorded size: a missing one is {@code MISSING_FILE}, a
     *       shorter one {@code TRUNCATED}, a longer one {@code BAD_LENGTH}, naming both sizes. A listed file that
     *       is missing is never taken to be absent data.</li>
     *   <li>Other unlisted segment files are returned: orphans of an interrupted flush or compaction (allocated
     *       numbers) and leftovers of a deletion (numbers used before).</li>
     * </ol>
     * Files are checked in number order and the first failure is thrown. Whole-file CRCs are not read here; see
     * {@link #checkWholeFileCrc}.
     *
     * @param state    the manifest's state
     * @param storeDir the store directory
     * @param naming   file number to file name
     * @param parsing  file name to file number, or -1 for names that are not segment file names
     * @return the unlisted files that may be deleted
     * @throws CorruptionException if a check fails
     * @throws StorageException    if the directory cannot be read
     */
    public static FileCheck checkFiles(ManifestState state, Path storeDir, LongFunction<String> naming,
                                           ToLongFunction<String> parsing) {
        TreeMap<Long, Path> unlisted = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(storeDir)) {
            for (Path p : ds) {
                long n = parsing.applyAsLong(p.getFileName().toString());
                if (n >= 0 && !state.files().containsKey(n)) {
                    unlisted.put(n, p);
                }
            }
        } catch (IOException e) {
            throw new StorageException("could not list the store directory " + storeDir + ": " + e, e);
        }
        Path manifestDir = Manifest.directory(storeDir);
        if (!unlisted.isEmpty() && unlisted.lastKey() >= state.nextFileNumber()) {
            long n = unlisted.lastKey();
            throw new CorruptionException(CorruptionReport.of(manifestDir, -1, -1, CorruptionKind.STALE_FILE,
                    "segment file " + unlisted.get(n).getFileName() + " (number " + n + ") exists, but the manifest"
                            + " has handed out numbers below " + state.nextFileNumber() + " only; numbers are"
                            + " allocated in the manifest before a file is written, so the manifest is an older copy"
                            + " (or the file does not belong to this store)"));
        }
        for (FileMetadata f : state.files().values()) {
            checkListedFile(storeDir.resolve(naming.apply(f.fileNumber())), f);
        }
        List<Path> orphans = new ArrayList<>();
        List<Path> leftovers = new ArrayList<>();
        unlisted.forEach((n, p) -> (state.allocatedFileNumbers().contains(n) ? orphans : leftovers).add(p));
        return new FileCheck(orphans, leftovers);
    }

    private static void checkListedFile(Path path, FileMetadata f) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CorruptionException(CorruptionReport.of(path, -1, -1, CorruptionKind.MISSING_FILE,
                    "the manifest lists file " + f.fileNumber() + " (" + f.size() + " bytes, sequences "
                            + f.minSequence() + " to " + f.maxSequence() + "), but it does not exist"));
        } catch (IOException e) {
            throw new StorageException("could not read the attributes of " + path + ": " + e, e);
        }
        if (!attrs.isRegularFile()) {
            throw new CorruptionException(CorruptionReport.of(path, -1, -1, CorruptionKind.MISSING_FILE,
                    "the manifest lists file " + f.fileNumber() + ", but " + path + " is not a regular file"));
        }
        long size = attrs.size();
        if (size != f.size()) {
            throw new CorruptionException(CorruptionReport.of(path, 0, size,
                    size < f.size() ? CorruptionKind.TRUNCATED : CorruptionKind.BAD_LENGTH,
                    "the manifest records file " + f.fileNumber() + " as " + f.size() + " bytes, the file holds "
                            + size + " bytes"));
        }
    }

    /**
     * {@link #checkOplog(ManifestState, Path, Path, long, long)} for a store laid out as {@link StoreFiles} says;
     * reports name the manifest and oplog directories relative to the store directory
     * ({@value StoreFiles#MANIFEST_DIR}, {@value StoreFiles#OPLOG_DIR}).
     *
     * @param state              the manifest's state as opened (before {@link Manifest#recordOpened()})
     * @param oplogFirstSequence the data oplog's first retained sequence
     * @param oplogLastSequence  the data oplog's last sequence ({@code oplogFirstSequence - 1} if empty)
     * @throws CorruptionException      if a check fails
     * @throws IllegalArgumentException if the oplog range is not a range
     */
    public static void checkOplog(ManifestState state, long oplogFirstSequence, long oplogLastSequence) {
        checkOplog(state, Paths.get(""), Paths.get(StoreFiles.OPLOG_DIR), oplogFirstSequence, oplogLastSequence);
    }

    /**
     * Checks the data oplog's retained range against the manifest:
     * <ul>
     *   <li>{@code oplogFirstSequence > flushedSequence + 1}: {@code MISSING_FILE} on the oplog directory. The
     *       records in between are in no segment file and no longer in the oplog. Retention releases only flushed
     *       records, so oplog segments were lost, or the manifest is an older copy whose flushed sequence is behind;
     *       either way data is missing, which is why the kind is MISSING_FILE rather than SEQUENCE_GAP (the oplog's
     *       own sequence is intact).</li>
     *   <li>{@code oplogLastSequence < flushedSequence}: {@code STALE_FILE} on the oplog directory. Flushes only
     *       cover records the oplog held, and the oplog never drops its last segment, so the oplog is an older copy
     *       (or was recreated).</li>
     *   <li>With a clean-close mark: an oplog that ends before it is {@code TRUNCATED} on the oplog directory
     *       (records acknowledged before the clean close are gone, and no crash can explain it); an oplog that ends
     *       after it is {@code STALE_FILE} on the manifest directory (records were written after that close, so a
     *       later OPENED record is missing: the manifest is an older copy).</li>
     * </ul>
     *
     * @param state              the manifest's state as opened (before {@link Manifest#recordOpened()})
     * @param storeDir           the store directory (the manifest is in its {@value StoreFiles#MANIFEST_DIR})
     * @param oplogDir           the data oplog's directory, for reports
     * @param oplogFirstSequence the data oplog's first retained sequence
     * @param oplogLastSequence  the data oplog's last sequence ({@code oplogFirstSequence - 1} if empty)
     * @throws CorruptionException      if a check fails
     * @throws IllegalArgumentException if the oplog range is not a range
     */
    public static void checkOplog(ManifestState state, Path storeDir, Path oplogDir, long oplogFirstSequence,
                                  long oplogLastSequence) {
        if (oplogFirstSequence < 1 || oplogLastSequence < oplogFirstSequence - 1) {
            throw new IllegalArgumentException("the oplog's range must satisfy 1 <= first <= last + 1, was first "
                    + oplogFirstSequence + ", last " + oplogLastSequence);
        }
        long flushed = state.flushedSequence();
        if (oplogFirstSequence > flushed + 1) {
            throw new CorruptionException(CorruptionReport.of(oplogDir, -1, -1, CorruptionKind.MISSING_FILE,
                    "the manifest says records up to sequence " + flushed + " are flushed, but the oplog's first"
                            + " retained record is " + oplogFirstSequence + ": records " + (flushed + 1) + " to "
                            + (oplogFirstSequence - 1) + " are neither in a segment file nor in the oplog (oplog"
                            + " segments were lost, or the manifest is an older copy)"));
        }
        if (oplogLastSequence < flushed) {
            throw new CorruptionException(CorruptionReport.of(oplogDir, -1, -1, CorruptionKind.STALE_FILE,
                    "the manifest says records up to sequence " + flushed + " are flushed, but the oplog ends at "
                            + oplogLastSequence + ": the oplog is an older copy or was recreated"));
        }
        if (state.cleanCloseOplogEnd().isPresent()) {
            long end = state.cleanCloseOplogEnd().getAsLong();
            if (oplogLastSequence < end) {
                throw new CorruptionException(CorruptionReport.of(oplogDir, -1, -1, CorruptionKind.TRUNCATED,
                        "the store was closed cleanly with the oplog ending at sequence " + end + ", but the oplog"
                                + " now ends at " + oplogLastSequence + ": acknowledged records "
                                + (oplogLastSequence + 1) + " to " + end + " are lost"));
            }
            if (oplogLastSequence > end) {
                throw new CorruptionException(CorruptionReport.of(Manifest.directory(storeDir), -1, -1,
                        CorruptionKind.STALE_FILE, "the manifest's last record is a clean close with the oplog"
                                + " ending at sequence " + end + ", but the oplog holds records up to "
                                + oplogLastSequence + ": the store was opened and written since, so the manifest"
                                + " is an older copy"));
            }
        }
    }

    /**
     * Compares the whole-file CRC32C a segment file's footer holds with the one the manifest recorded, so that a
     * file swapped for another of the same size is noticed.
     *
     * @param file      the segment file, for the report
     * @param listed    what the manifest records about it
     * @param footerCrc the whole-file CRC32C its (verified) footer holds, unmasked
     * @throws CorruptionException {@code CHECKSUM_MISMATCH} if they differ
     */
    public static void checkWholeFileCrc(Path file, FileMetadata listed, int footerCrc) {
        if (footerCrc != listed.wholeFileCrc()) {
            throw new CorruptionException(CorruptionReport.checksum(file, -1, listed.size(), listed.wholeFileCrc(),
                    footerCrc, "the file's footer holds another whole-file CRC32C than the manifest records for"
                            + " file " + listed.fileNumber() + " (a swapped, replaced or stale file)"));
        }
    }

    /**
     * Checks that a store directory without a manifest holds no data, before the engine creates a new store in
     * it. Data without a manifest means the manifest was lost: opening it as a new, empty store would lose it all.
     * The engine creates the manifest before any other file of a new store, so the only entries a new store may
     * have are the leftover {@value StoreFiles#MANIFEST_TMP_DIR} of an interrupted creation and the names given.
     *
     * @param storeDir     the store directory; may be missing
     * @param ignoredNames names of entries that do not hold data (for example a lock file)
     * @throws CorruptionException {@code MISSING_FILE} on the manifest directory if other entries exist
     * @throws IllegalStateException if the directory has a manifest
     * @throws StorageException    if the directory cannot be read
     */
    public static void checkNewStoreDirectory(Path storeDir, Set<String> ignoredNames) {
        if (Manifest.exists(storeDir)) {
            throw new IllegalStateException(storeDir + " has a manifest; it is not a new store");
        }
        if (!Files.isDirectory(storeDir)) {
            return;
        }
        TreeSet<String> found = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(storeDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.equals(StoreFiles.MANIFEST_TMP_DIR) && !ignoredNames.contains(name)) {
                    found.add(name);
                }
            }
        } catch (IOException e) {
            throw new StorageException("could not list the store directory " + storeDir + ": " + e, e);
        }
        if (!found.isEmpty()) {
            throw missingManifest(storeDir, found.size() + " entries, first " + found.first());
        }
    }

    /** Used by {@link Manifest#create}: segment files without a manifest mean the manifest was lost. */
    static void refuseSegmentFilesWithoutManifest(Path storeDir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(storeDir)) {
            for (Path p : ds) {
                if (StoreFiles.parseSegmentFileName(p.getFileName().toString()) >= 0) {
                    throw missingManifest(storeDir, "segment file " + p.getFileName());
                }
            }
        }
    }

    private static CorruptionException missingManifest(Path storeDir, String found) {
        return new CorruptionException(CorruptionReport.of(Manifest.directory(storeDir), -1, -1,
                CorruptionKind.MISSING_FILE, "the store directory has no manifest but holds data (" + found
                        + "): the manifest was lost; refusing to start an empty store over it"));
    }
}
