package io.kintsugi.engine.manifest;

import java.util.Collections;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One atomic change to the manifest: files added and removed, namespaces added, a new flushed sequence, a new next
 * file number, and allocated file numbers given up. It is written as one manifest record, so after a crash it is
 * all there or not at all. Built with {@link #builder()}; immutable.
 *
 * <p>The builder checks what can be checked without the manifest (names, no number twice in one edit); the rules
 * that need the current state are checked by {@link ManifestState#apply}.
 */
public final class ManifestEdit {

    /** The pattern every namespace name matches. */
    public static final Pattern NAMESPACE_NAME = Pattern.compile("[a-z0-9_.-]{1,64}");

    private final SortedMap<Long, FileMetadata> addedFiles;
    private final SortedSet<Long> removedFiles;
    private final SortedMap<Integer, String> addedNamespaces;
    private final OptionalLong flushedSequence;
    private final OptionalLong nextFileNumber;
    private final SortedSet<Long> abandonedFileNumbers;

    private ManifestEdit(Builder b) {
        this.addedFiles = Collections.unmodifiableSortedMap(new TreeMap<>(b.addedFiles));
        this.removedFiles = Collections.unmodifiableSortedSet(new TreeSet<>(b.removedFiles));
        this.addedNamespaces = Collections.unmodifiableSortedMap(new TreeMap<>(b.addedNamespaces));
        this.flushedSequence = b.flushedSequence;
        this.nextFileNumber = b.nextFileNumber;
        this.abandonedFileNumbers = Collections.unmodifiableSortedSet(new TreeSet<>(b.abandonedFileNumbers));
    }

    /** @return an empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the files this edit adds, by file number */
    public SortedMap<Long, FileMetadata> addedFiles() {
        return addedFiles;
    }

    /** @return the numbers of the files this edit removes */
    public SortedSet<Long> removedFiles() {
        return removedFiles;
    }

    /** @return the namespaces this edit adds, id to name */
    public SortedMap<Integer, String> addedNamespaces() {
        return addedNamespaces;
    }

    /** @return the new flushed sequence, if this edit sets one */
    public OptionalLong flushedSequence() {
        return flushedSequence;
    }

    /** @return the new next file number, if this edit raises it (which allocates the numbers in between) */
    public OptionalLong nextFileNumber() {
        return nextFileNumber;
    }

    /** @return allocated file numbers that will never be used */
    public SortedSet<Long> abandonedFileNumbers() {
        return abandonedFileNumbers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestEdit e && addedFiles.equals(e.addedFiles) && removedFiles.equals(e.removedFiles)
                && addedNamespaces.equals(e.addedNamespaces) && flushedSequence.equals(e.flushedSequence)
                && nextFileNumber.equals(e.nextFileNumber) && abandonedFileNumbers.equals(e.abandonedFileNumbers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(addedFiles, removedFiles, addedNamespaces, flushedSequence, nextFileNumber,
                abandonedFileNumbers);
    }

    /** Metadata only: file numbers, counts and sequences. */
    @Override
    public String toString() {
        return "ManifestEdit{added=" + addedFiles.keySet() + ", removed=" + removedFiles + ", namespaces="
                + addedNamespaces + ", flushedSequence=" + flushedSequence + ", nextFileNumber=" + nextFileNumber
                + ", abandoned=" + abandonedFileNumbers + '}';
    }

    /** Builds a {@link ManifestEdit}; each method checks its argument and names the rule it violates. */
    public static final class Builder {
        private final SortedMap<Long, FileMetadata> addedFiles = new TreeMap<>();
        private final SortedSet<Long> removedFiles = new TreeSet<>();
        private final SortedMap<Integer, String> addedNamespaces = new TreeMap<>();
        private OptionalLong flushedSequence = OptionalLong.empty();
        private OptionalLong nextFileNumber = OptionalLong.empty();
        private final SortedSet<Long> abandonedFileNumbers = new TreeSet<>();

        private Builder() {
        }

        /**
         * @param file a file to add; its number must have been allocated and not yet used
         * @return this builder
         * @throws IllegalArgumentException if this edit already adds, removes or abandons that number
         */
        public Builder addFile(FileMetadata file) {
            Objects.requireNonNull(file, "file");
            long n = file.fileNumber();
            requireUnused(n, "add");
            addedFiles.put(n, file);
            return this;
        }

        /**
         * @param fileNumber the number of a listed file to remove
         * @return this builder
         * @throws IllegalArgumentException if this edit already adds, removes or abandons that number
         */
        public Builder removeFile(long fileNumber) {
            requireUnused(fileNumber, "remove");
            removedFiles.add(fileNumber);
            return this;
        }

        /**
         * @param fileNumber an allocated, unused file number that will never be used
         * @return this builder
         * @throws IllegalArgumentException if this edit already adds, removes or abandons that number
         */
        public Builder abandonFileNumber(long fileNumber) {
            requireUnused(fileNumber, "abandon");
            abandonedFileNumbers.add(fileNumber);
            return this;
        }

        /**
         * @param id   the namespace's id, at least 0, not used by any namespace
         * @param name the namespace's name, matching {@code [a-z0-9_.-]{1,64}}, not used by any namespace
         * @return this builder
         * @throws IllegalArgumentException if the id or the name is invalid or already in this edit
         */
        public Builder addNamespace(int id, String name) {
            Objects.requireNonNull(name, "name");
            if (id < 0) {
                throw new IllegalArgumentException("namespace id must not be negative, was " + id);
            }
            if (!NAMESPACE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("namespace names must match [a-z0-9_.-]{1,64}; the name given"
                        + " has " + name.length() + " characters");
            }
            if (addedNamespaces.containsKey(id) || addedNamespaces.containsValue(name)) {
                throw new IllegalArgumentException("namespace ids and names must be unique; this edit already adds"
                        + " namespace id " + id + " or name " + name);
            }
            addedNamespaces.put(id, name);
            return this;
        }

        /**
         * @param sequence the new flushed sequence: the highest sequence whose writes are all in segment files
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder flushedSequence(long sequence) {
            if (sequence < 0) {
                throw new IllegalArgumentException("flushed sequence must not be negative, was " + sequence);
            }
            this.flushedSequence = OptionalLong.of(sequence);
            return this;
        }

        /**
         * @param next the new next file number; raising it allocates every number from the old value up to it
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder nextFileNumber(long next) {
            if (next < 1) {
                throw new IllegalArgumentException("next file number must be at least 1, was " + next);
            }
            this.nextFileNumber = OptionalLong.of(next);
            return this;
        }

        private void requireUnused(long n, String what) {
            if (addedFiles.containsKey(n) || removedFiles.contains(n) || abandonedFileNumbers.contains(n)) {
                throw new IllegalArgumentException("an edit may name a file number once: cannot " + what
                        + " file " + n + ", which this edit already adds, removes or abandons");
            }
        }

        /** @return the edit */
        public ManifestEdit build() {
            return new ManifestEdit(this);
        }
    }
}
