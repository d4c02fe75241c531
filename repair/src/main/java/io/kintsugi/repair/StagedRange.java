package io.kintsugi.repair;

import io.kintsugi.engine.RangeEntry;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.net.RangeSink;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Holds a range's pairs between the moment they arrive (hash not yet checked) and the moment they are installed:
 * in memory up to a limit of key and value bytes, then in a temporary file in a staging directory. The file is a
 * private scratch file, deleted on {@link #close()} and never read by another process or after a restart: each pair
 * is {@code u32 key length, key, u32 value length, value} (big-endian), written and read back by this class only.
 * Its bytes were already hashed on arrival; a pair read back is checked against the store's limits again by
 * {@code Store.installRange}, and the count read back must equal the count written.
 */
final class StagedRange implements RangeSink, AutoCloseable {

    static final String PREFIX = "pull-";
    static final String SUFFIX = ".staged";

    private final long memoryLimit;
    private final Path stagingDirectory;
    /** Names this store's staged files, so that a staging directory shared by several stores stays apart. */
    private final String owner;
    private final List<RangeEntry> inMemory = new ArrayList<>();
    private long memoryBytes;
    private Path file;
    private DataOutputStream out;
    private long count;
    private DataInputStream in;

    /**
     * @param memoryLimit      key and value bytes held in memory before spilling to a file
     * @param stagingDirectory where a spilled range goes
     * @param owner            the store's id: staged files are named {@code pull-<owner>-*.staged}
     */
    StagedRange(long memoryLimit, Path stagingDirectory, String owner) {
        this.memoryLimit = memoryLimit;
        this.stagingDirectory = stagingDirectory;
        this.owner = owner;
    }

    @Override
    public void accept(byte[] key, byte[] value) {
        count++;
        try {
            if (out == null && memoryBytes + key.length + value.length <= memoryLimit) {
                inMemory.add(new RangeEntry(key, value));
                memoryBytes += key.length + value.length;
                return;
            }
            if (out == null) {
                spill();
            }
            write(key, value);
        } catch (IOException e) {
            throw new StorageException("could not stage a pulled range in " + stagingDirectory + ": " + e, e);
        }
    }

    private void spill() throws IOException {
        Files.createDirectories(stagingDirectory);
        file = Files.createTempFile(stagingDirectory, PREFIX + owner + "-", SUFFIX);
        out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        for (RangeEntry e : inMemory) {
            write(e.key(), e.value());
        }
        inMemory.clear();
        memoryBytes = 0;
    }

    private void write(byte[] key, byte[] value) throws IOException {
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(value.length);
        out.write(value);
    }

    /** @return pairs staged so far */
    long count() {
        return count;
    }

    /**
     * Removes the staged files a killed process left in {@code stagingDirectory} for the store {@code owner}; only
     * files this class names for that store ({@code pull-<owner>-*.staged}) are touched, so the pulls of other
     * stores sharing the directory go on. Call it before the store's agent takes its first pull order.
     *
     * @return how many were removed
     * @throws StorageException if the directory cannot be listed or a file cannot be removed
     */
    static int removeStale(Path stagingDirectory, String owner) {
        if (!Files.isDirectory(stagingDirectory)) {
            return 0;
        }
        int removed = 0;
        try (var files = Files.newDirectoryStream(stagingDirectory, PREFIX + owner + "-*" + SUFFIX)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
                removed++;
            }
        } catch (IOException e) {
            throw new StorageException("could not remove stale staged ranges from " + stagingDirectory + ": " + e, e);
        }
        return removed;
    }

    /** @return whether the pairs went to a temporary file */
    boolean onDisk() {
        return file != null;
    }

    /** @return the pairs in the order they arrived; call once, after the last pair */
    Iterator<RangeEntry> pairs() {
        if (file == null) {
            return inMemory.iterator();
        }
        try {
            out.close();
            in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        } catch (IOException e) {
            throw new StorageException("could not read back the staged range " + file + ": " + e, e);
        }
        return new Iterator<>() {
            private long read;

            @Override
            public boolean hasNext() {
                return read < count;
            }

            @Override
            public RangeEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    byte[] key = in.readNBytes(in.readInt());
                    byte[] value = in.readNBytes(in.readInt());
                    read++;
                    return new RangeEntry(key, value);
                } catch (EOFException e) {
                    throw new StorageException("the staged range " + file + " ends after " + read + " of " + count
                            + " pairs", e);
                } catch (IOException e) {
                    throw new UncheckedIOException("reading the staged range " + file, e);
                }
            }
        };
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
            }
            if (in != null) {
                in.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new StorageException("could not remove the staged range " + file + ": " + e, e);
        }
    }
}
