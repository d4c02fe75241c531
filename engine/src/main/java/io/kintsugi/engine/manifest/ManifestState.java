package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.StoreFiles;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The store's durable state as the manifest records it: which segment files are live, which namespaces exist, how
 * far flushes have made the oplog durable, which file numbers are allocated, and whether the store was closed
 * cleanly. Immutable; every change makes a new state through {@link #apply}.
 *
 * <h2>File numbers</h2>
 * Numbers below {@link #nextFileNumber()} have been handed out; a number is handed out (allocated) by an edit that
 * raises the next file number, durably, <em>before</em> the file is written. An allocated number is
 * {@linkplain #allocatedFileNumbers() pending} until an edit adds its file or abandons it, and is never handed out
 * again. So no file with a number at or above the next file number can exist unless the manifest is an older copy
 * of itself, and an unlisted file below it is either pending (the output of an interrupted flush or compaction) or
 * was removed (a deletion that did not finish): see {@link ManifestChecks#checkFiles}.
 */
public final class ManifestState {

    /** The most file numbers one edit may allocate, so that the set of pending numbers stays small. */
    public static final int MAX_ALLOCATION_PER_EDIT = 4096;

    private final UUID storeId;
    private final NavigableMap<Long, FileMetadata> files;
    private final NavigableMap<String, Integer> namespaceIds;
    private final NavigableMap<Integer, String> namespaceNames;
    private final long flushedSequence;
    private final long nextFileNumber;
    private final NavigableSet<Long> allocatedFileNumbers;
    private final long openCount;
    private final OptionalLong cleanCloseOplogEnd;

    private ManifestState(UUID storeId, NavigableMap<Long, FileMetadata> files,
                          NavigableMap<Integer, String> namespaceNames, long flushedSequence, long nextFileNumber,
                          NavigableSet<Long> allocatedFileNumbers, long openCount, OptionalLong cleanCloseOplogEnd) {
        this.storeId = storeId;
        this.files = Collections.unmodifiableNavigableMap(files);
        this.namespaceNames = Collections.unmodifiableNavigableMap(namespaceNames);
        TreeMap<String, Integer> ids = new TreeMap<>();
        namespaceNames.forEach((id, name) -> ids.put(name, id));
        this.namespaceIds = Collections.unmodifiableNavigableMap(ids);
        this.flushedSequence = flushedSequence;
        this.nextFileNumber = nextFileNumber;
        this.allocatedFileNumbers = Collections.unmodifiableNavigableSet(allocatedFileNumbers);
        this.openCount = openCount;
        this.cleanCloseOplogEnd = cleanCloseOplogEnd;
    }

    /**
     * The state of a new store: no files, no namespaces, nothing flushed, next file number 1, never opened.
     *
     * @param storeId the store's id
     * @return the state
     */
    public static ManifestState empty(UUID storeId) {
        return new ManifestState(Objects.requireNonNull(storeId, "storeId"), new TreeMap<>(), new TreeMap<>(), 0,
                1, new TreeSet<>(), 0, OptionalLong.empty());
    }

    /**
     * Builds a state from its parts, checking that they are consistent. Used to decode snapshots.
     *
     * @param storeId              the store's id
     * @param files                live files; each key must equal its file's number
     * @param namespaces           namespace id to name; ids and names unique, names valid
     * @param flushedSequence      at least 0
     * @param nextFileNumber       1 to {@link StoreFiles#MAX_FILE_NUMBER} + 1, above every listed or allocated number
     * @param allocatedFileNumbers allocated numbers not yet used, none listed
     * @param openCount            how many OPENED records were written, at least 0
     * @return the state, without a clean close
     * @throws IllegalArgumentException naming the rule the parts violate
     */
    public static ManifestState of(UUID storeId, Map<Long, FileMetadata> files, Map<Integer, String> namespaces,
                                   long flushedSequence, long nextFileNumber, Set<Long> allocatedFileNumbers,
                                   long openCount) {
        Objects.requireNonNull(storeId, "storeId");
        if (openCount < 0) {
            throw new IllegalArgumentException("open count must not be negative, was " + openCount);
        }
        if (flushedSequence < 0) {
            throw new IllegalArgumentException("flushed sequence must not be negative, was " + flushedSequence);
        }
        if (nextFileNumber < 1 || nextFileNumber > StoreFiles.MAX_FILE_NUMBER + 1) {
            throw new IllegalArgumentException("next file number must be between 1 and "
                    + (StoreFiles.MAX_FILE_NUMBER + 1) + ", was " + nextFileNumber);
        }
        TreeMap<Long, FileMetadata> f = new TreeMap<>();
        files.forEach((n, m) -> {
            if (n != m.fileNumber()) {
                throw new IllegalArgumentException("file listed as " + n + " has number " + m.fileNumber());
            }
            if (n >= nextFileNumber) {
                throw new IllegalArgumentException("file " + n + " is not below the next file number "
                        + nextFileNumber);
            }
            f.put(n, m);
        });
        TreeSet<Long> allocated = new TreeSet<>(allocatedFileNumbers);
        for (long n : allocated) {
            if (n < 1 || n >= nextFileNumber || f.containsKey(n)) {
                throw new IllegalArgumentException("allocated file number " + n
                        + " must be at least 1, below the next file number " + nextFileNumber + " and not listed");
            }
        }
        ManifestEdit.Builder names = ManifestEdit.builder();
        namespaces.forEach(names::addNamespace); // checks ids, names and uniqueness
        return new ManifestState(storeId, f, new TreeMap<>(names.build().addedNamespaces()), flushedSequence,
                nextFileNumber, allocated, openCount, OptionalLong.empty());
    }

    /**
     * Applies an edit to this state, checking every rule. Pure: this state is not changed.
     *
     * <p>Rules: a removed file must be listed; an added file's number must be allocated and pending (raising the
     * next file number in the same edit does not allocate it for that edit, because the file must not be written
     * before its number is durable); an abandoned number must be pending; the flushed sequence and the next file
     * number never decrease, and one edit allocates at most {@value #MAX_ALLOCATION_PER_EDIT} numbers; namespace ids
     * and names are unique.
     *
     * @param edit the edit
     * @return the new state, without a clean close
     * @throws IllegalStateException    naming the rule the edit violates against this state
     * @throws IllegalArgumentException if the edit allocates more numbers than allowed or beyond the last one
     */
    public ManifestState apply(ManifestEdit edit) {
        Objects.requireNonNull(edit, "edit");
        for (long n : edit.removedFiles()) {
            if (!files.containsKey(n)) {
                throw new IllegalStateException("rule violated: an edit may only remove a listed file; file " + n
                        + " is not listed");
            }
        }
        for (long n : edit.addedFiles().keySet()) {
            if (files.containsKey(n)) {
                throw new IllegalStateException("rule violated: an edit may not add a file that is listed; file "
                        + n + " is already listed");
            }
            requirePending(n, "add");
        }
        for (long n : edit.abandonedFileNumbers()) {
            requirePending(n, "abandon");
        }
        long flushed = edit.flushedSequence().orElse(flushedSequence);
        if (flushed < flushedSequence) {
            throw new IllegalStateException("rule violated: the flushed sequence never decreases; the edit sets "
                    + flushed + ", the manifest holds " + flushedSequence);
        }
        long next = edit.nextFileNumber().orElse(nextFileNumber);
        if (next < nextFileNumber) {
            throw new IllegalStateException("rule violated: the next file number never decreases; the edit sets "
                    + next + ", the manifest holds " + nextFileNumber);
        }
        if (next - nextFileNumber > MAX_ALLOCATION_PER_EDIT) {
            throw new IllegalArgumentException("an edit may allocate at most " + MAX_ALLOCATION_PER_EDIT
                    + " file numbers; this one raises the next file number from " + nextFileNumber + " to " + next);
        }
        if (next > StoreFiles.MAX_FILE_NUMBER + 1) {
            throw new IllegalArgumentException("file numbers end at " + StoreFiles.MAX_FILE_NUMBER
                    + "; the edit sets the next file number to " + next);
        }
        TreeMap<Integer, String> names = new TreeMap<>(namespaceNames);
        edit.addedNamespaces().forEach((id, name) -> {
            if (names.containsKey(id) || namespaceIds.containsKey(name)) {
                throw new IllegalStateException("rule violated: namespace ids and names are unique; the edit adds"
                        + " id " + id + " named " + name + ", but " + (names.containsKey(id)
                        ? "id " + id + " is namespace " + names.get(id) : "name " + name + " has id "
                        + namespaceIds.get(name)));
            }
            names.put(id, name);
        });
        TreeMap<Long, FileMetadata> f = new TreeMap<>(files);
        edit.removedFiles().forEach(f::remove);
        f.putAll(edit.addedFiles());
        TreeSet<Long> allocated = new TreeSet<>(allocatedFileNumbers);
        allocated.removeAll(edit.addedFiles().keySet());
        allocated.removeAll(edit.abandonedFileNumbers());
        for (long n = nextFileNumber; n < next; n++) {
            allocated.add(n);
        }
        return new ManifestState(storeId, f, names, flushed, next, allocated, openCount, OptionalLong.empty());
    }

    private void requirePending(long n, String what) {
        if (allocatedFileNumbers.contains(n)) {
            return;
        }
        if (n >= nextFileNumber) {
            throw new IllegalStateException("rule violated: an edit may only " + what + " an allocated file number;"
                    + " file " + n + " is at or above the next file number " + nextFileNumber + " (allocate the"
                    + " number durably, in an earlier edit, before writing the file)");
        }
        throw new IllegalStateException("rule violated: file numbers are never reused; file number " + n
                + " was used or abandoned before, so an edit may not " + what + " it");
    }

    /**
     * @param oplogLastSequence the data oplog's last sequence at a clean close
     * @return this state with the clean-close mark set
     * @throws IllegalArgumentException if it is below the flushed sequence
     */
    public ManifestState withCleanClose(long oplogLastSequence) {
        if (oplogLastSequence < flushedSequence) {
            throw new IllegalArgumentException("the oplog's last sequence at a clean close (" + oplogLastSequence
                    + ") cannot be below the flushed sequence " + flushedSequence);
        }
        return new ManifestState(storeId, new TreeMap<>(files), new TreeMap<>(namespaceNames), flushedSequence,
                nextFileNumber, new TreeSet<>(allocatedFileNumbers), openCount, OptionalLong.of(oplogLastSequence));
    }

    /** @return this state without the clean-close mark (as after any record but a clean close) */
    public ManifestState withoutCleanClose() {
        if (cleanCloseOplogEnd.isEmpty()) {
            return this;
        }
        return new ManifestState(storeId, new TreeMap<>(files), new TreeMap<>(namespaceNames), flushedSequence,
                nextFileNumber, new TreeSet<>(allocatedFileNumbers), openCount, OptionalLong.empty());
    }

    /** @return this state after an OPENED record: one more open, and no clean-close mark */
    public ManifestState withOpened() {
        return new ManifestState(storeId, new TreeMap<>(files), new TreeMap<>(namespaceNames), flushedSequence,
                nextFileNumber, new TreeSet<>(allocatedFileNumbers), Math.addExact(openCount, 1),
                OptionalLong.empty());
    }

    /** @return how many times the store was opened for writing (OPENED records written) */
    public long openCount() {
        return openCount;
    }

    /**
     * @return whether the store was ever opened for writing; if so, its data oplog was created before, and a
     *         missing data oplog is lost data, not a new store
     */
    public boolean everOpened() {
        return openCount > 0;
    }

    /** @return the store's id */
    public UUID storeId() {
        return storeId;
    }

    /** @return the live files by number, ascending */
    public NavigableMap<Long, FileMetadata> files() {
        return files;
    }

    /**
     * @param fileNumber a file number
     * @return the live file with that number, if listed
     */
    public Optional<FileMetadata> file(long fileNumber) {
        return Optional.ofNullable(files.get(fileNumber));
    }

    /** @return the sum of the sizes of the live files */
    public long totalFileBytes() {
        return files.values().stream().mapToLong(FileMetadata::size).sum();
    }

    /** @return namespace name to id */
    public NavigableMap<String, Integer> namespaceIds() {
        return namespaceIds;
    }

    /** @return namespace id to name */
    public NavigableMap<Integer, String> namespaceNames() {
        return namespaceNames;
    }

    /**
     * @param name a namespace name
     * @return its id, if the namespace exists
     */
    public OptionalInt namespaceId(String name) {
        Integer id = namespaceIds.get(name);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** @return one more than the highest namespace id, or 0 if there is none: a free id for a new namespace */
    public int nextNamespaceId() {
        return namespaceNames.isEmpty() ? 0 : Math.addExact(namespaceNames.lastKey(), 1);
    }

    /** @return the highest sequence whose writes are all in live segment files */
    public long flushedSequence() {
        return flushedSequence;
    }

    /** @return the lowest file number never handed out */
    public long nextFileNumber() {
        return nextFileNumber;
    }

    /** @return file numbers allocated but neither added as a file nor abandoned yet */
    public NavigableSet<Long> allocatedFileNumbers() {
        return allocatedFileNumbers;
    }

    /**
     * @return where the data oplog ended at the last clean close; present only if the clean close is the manifest's
     *         last record, so that nothing may have been written since
     */
    public OptionalLong cleanCloseOplogEnd() {
        return cleanCloseOplogEnd;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestState s && storeId.equals(s.storeId) && files.equals(s.files)
                && namespaceNames.equals(s.namespaceNames) && flushedSequence == s.flushedSequence
                && nextFileNumber == s.nextFileNumber && allocatedFileNumbers.equals(s.allocatedFileNumbers)
                && openCount == s.openCount && cleanCloseOplogEnd.equals(s.cleanCloseOplogEnd);
    }

    @Override
    public int hashCode() {
        return Objects.hash(storeId, files, namespaceNames, flushedSequence, nextFileNumber, allocatedFileNumbers,
                openCount, cleanCloseOplogEnd);
    }

    /** Metadata only: file numbers, counts, sequences; never keys. */
    @Override
    public String toString() {
        return "ManifestState{storeId=" + storeId + ", files=" + files.keySet() + ", namespaces=" + namespaceNames
                + ", flushedSequence=" + flushedSequence + ", nextFileNumber=" + nextFileNumber + ", allocated="
                + allocatedFileNumbers + ", openCount=" + openCount + ", cleanCloseOplogEnd=" + cleanCloseOplogEnd
                + '}';
    }
}
