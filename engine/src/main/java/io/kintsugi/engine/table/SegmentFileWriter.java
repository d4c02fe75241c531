package io.kintsugi.engine.table;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.BlockType;
import io.kintsugi.engine.format.BloomFilter;
import io.kintsugi.engine.format.ByteSink;
import io.kintsugi.engine.format.DataBlockFormat;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.IndexBlockFormat;
import io.kintsugi.engine.format.IndexBlockFormat.IndexEntry;
import io.kintsugi.engine.format.MetadataBlockFormat;
import io.kintsugi.engine.format.SegmentFileHeaderFormat;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes one sorted, immutable segment file: entries in strictly increasing internal key order go into data
 * blocks; {@link #finish()} adds the filter, index and metadata blocks and the footer and makes the file durable.
 * The layout is described in {@code docs/FORMAT.md}, section 6.
 *
 * <p>The file is written at the given path directly; naming, renaming and syncing the directory are the caller's
 * job. A writer that is not finished is removed with {@link #abort()} (or {@link #close()}). Not thread-safe.
 *
 * <pre>{@code
 * try (SegmentFileWriter w = SegmentFileWriter.create(path, 7, storeId, SegmentFileOptions.defaults())) {
 *     for (Entry e : sortedEntries) w.add(e);
 *     SegmentFileInfo info = w.finish();
 * }
 * }</pre>
 */
public final class SegmentFileWriter implements AutoCloseable {

    private enum State { OPEN, FINISHED, ABORTED, FAILED }

    private final Path path;
    private final long fileNumber;
    private final UUID storeId;
    private final SegmentFileOptions options;
    private final FileChannel channel;
    private final ChecksummedOutput out;
    private final BlockWriter blocks;
    private final DataBlockBuilder dataBlock;
    private final BloomFilter.Builder filter;
    private final List<IndexEntry> index = new ArrayList<>();

    private State state = State.OPEN;
    private byte[] smallestKey;
    private byte[] lastKey;
    private long lastSequence;
    private long entryCount;
    private long putCount;
    private long deleteCount;
    private long minSequence = Long.MAX_VALUE;
    private long maxSequence = Long.MIN_VALUE;

    private SegmentFileWriter(Path path, long fileNumber, UUID storeId, SegmentFileOptions options,
                              FileChannel channel) {
        this.path = path;
        this.fileNumber = fileNumber;
        this.storeId = storeId;
        this.options = options;
        this.channel = channel;
        this.out = new ChecksummedOutput(channel);
        this.blocks = new BlockWriter(out, fileNumber, options.compression() ? options.zstdLevel() : 0);
        this.dataBlock = new DataBlockBuilder(options.blockSize());
        this.filter = new BloomFilter.Builder(options.bloomBitsPerKey());
    }

    /**
     * Creates the file and writes its header.
     *
     * @param path       the file to create; it must not exist
     * @param fileNumber the number the engine gives the file, non-negative; recorded in the header and footer and
     *                   part of every block's checksum
     * @param storeId    the store the file belongs to
     * @param options    block size, compression, filter
     * @return a writer
     * @throws IllegalArgumentException if {@code fileNumber} is negative
     * @throws StorageException         if the file exists or cannot be created
     */
    public static SegmentFileWriter create(Path path, long fileNumber, UUID storeId, SegmentFileOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(options, "options");
        if (fileNumber < 0) {
            throw new IllegalArgumentException("fileNumber must be >= 0, got " + fileNumber);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new StorageException("segment file " + path + " already exists", e);
        } catch (IOException e) {
            throw new StorageException("cannot create segment file " + path, e);
        }
        SegmentFileWriter w = new SegmentFileWriter(path, fileNumber, storeId, options, channel);
        try {
            byte[] header = SegmentFileHeaderFormat.encode(storeId, fileNumber);
            w.out.write(header, 0, header.length);
        } catch (IOException | RuntimeException e) {
            w.abort();
            throw new StorageException("cannot write the header of segment file " + path, e);
        }
        return w;
    }

    /**
     * Adds the next entry.
     *
     * @param entry an entry that sorts strictly after the previous one in {@link InternalKeys#COMPARATOR} order
     * @throws IllegalArgumentException if the entry does not sort strictly after the previous one, or its key or
     *                                  value exceeds the limits ({@value DataBlockFormat#MAX_KEY_LENGTH} and
     *                                  {@value DataBlockFormat#MAX_VALUE_LENGTH} bytes)
     * @throws IllegalStateException    if the writer was finished or aborted
     * @throws StorageException         if writing fails; the writer must then be aborted
     */
    public void add(Entry entry) {
        Objects.requireNonNull(entry, "entry");
        requireOpen();
        byte[] key = entry.key();
        if (key.length > DataBlockFormat.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key of " + key.length + " bytes exceeds the limit of "
                    + DataBlockFormat.MAX_KEY_LENGTH + " bytes (64 KiB + 4-byte namespace prefix)");
        }
        if (entry.value().length > DataBlockFormat.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("value of " + entry.value().length + " bytes exceeds the limit of "
                    + DataBlockFormat.MAX_VALUE_LENGTH + " bytes (16 MiB)");
        }
        if (entry.isDelete() && entry.value().length != 0) {
            throw new IllegalArgumentException("a delete entry carries no value, got " + entry.value().length
                    + " bytes");
        }
        boolean newKey = true;
        if (lastKey != null) {
            int keyOrder = InternalKeys.compareKeys(lastKey, key);
            newKey = keyOrder != 0;
            int c = newKey ? keyOrder : Long.compare(entry.sequence(), lastSequence);
            if (c == 0) {
                throw new IllegalArgumentException("entry " + entryCount + " (sequence " + entry.sequence()
                        + ") has the same key and sequence as the entry before it; entries must strictly increase "
                        + "in internal key order (key ascending, then sequence descending)");
            }
            if (c > 0) {
                throw new IllegalArgumentException("entry " + entryCount + " (sequence " + entry.sequence()
                        + ") sorts before the entry before it (sequence " + lastSequence + "); entries must "
                        + "strictly increase in internal key order (key ascending, then sequence descending)");
            }
        }
        if (newKey) {
            filter.add(key);
        }
        if (smallestKey == null) {
            smallestKey = key;
        }
        lastKey = key;
        lastSequence = entry.sequence();
        entryCount++;
        if (entry.isDelete()) {
            deleteCount++;
        } else {
            putCount++;
        }
        minSequence = Math.min(minSequence, entry.sequence());
        maxSequence = Math.max(maxSequence, entry.sequence());
        dataBlock.add(entry);
        if (dataBlock.estimatedSize() >= options.blockSize()) {
            try {
                flushDataBlock();
            } catch (IOException e) {
                throw failed("cannot write a data block", e);
            }
        }
    }

    /** @return the number of entries added so far */
    public long entryCount() {
        return entryCount;
    }

    /** @return the number of bytes written so far (the file's size once finished) */
    public long bytesWritten() {
        return out.position();
    }

    /**
     * Writes the last data block, the filter, index and metadata blocks and the footer, forces the file to disk
     * and closes it.
     *
     * @return what the file holds
     * @throws IllegalStateException if no entry was added, or the writer was finished or aborted
     * @throws StorageException      if writing or syncing fails; the writer must then be aborted
     */
    public SegmentFileInfo finish() {
        requireOpen();
        if (entryCount == 0) {
            throw new IllegalStateException("a segment file needs at least one entry");
        }
        try {
            if (!dataBlock.isEmpty()) {
                flushDataBlock();
            }
            BlockHandle filterHandle = blocks.write(BlockType.FILTER, filter.encode(), false);
            BlockHandle indexHandle = blocks.write(BlockType.INDEX, IndexBlockFormat.encode(index), true);
            MetadataBlockFormat.SegmentMetadata metadata = new MetadataBlockFormat.SegmentMetadata(entryCount,
                    putCount, deleteCount, minSequence, maxSequence, index.size(), smallestKey, lastKey);
            BlockHandle metadataHandle = blocks.write(BlockType.METADATA, MetadataBlockFormat.encode(metadata),
                    false);
            int wholeFileCrc = out.crc();
            long footerOffset = out.position();
            byte[] footer = FooterFormat.encode(storeId, fileNumber, new FooterFormat.Footer(filterHandle,
                    indexHandle, metadataHandle, out.maskedCrc()), footerOffset);
            out.write(footer, 0, footer.length);
            channel.force(true);
            channel.close();
            blocks.close();
            state = State.FINISHED;
            return new SegmentFileInfo(fileNumber, out.position(), smallestKey, lastKey, minSequence, maxSequence,
                    entryCount, wholeFileCrc);
        } catch (IOException e) {
            throw failed("cannot finish", e);
        }
    }

    /**
     * Abandons an unfinished file: closes it and deletes it. Does nothing if the writer was finished (the file is
     * then complete and the caller's) or already aborted.
     *
     * @throws StorageException if the partial file cannot be deleted
     */
    public void abort() {
        if (state == State.FINISHED || state == State.ABORTED) {
            return;
        }
        state = State.ABORTED;
        blocks.close();
        try {
            channel.close();
        } catch (IOException ignored) {
            // The file is deleted next; a failed close changes nothing about that.
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new StorageException("cannot delete the unfinished segment file " + path, e);
        }
    }

    /**
     * Aborts the writer unless it was finished, so that try-with-resources never leaves a partial file.
     *
     * @throws StorageException if the partial file cannot be deleted
     */
    @Override
    public void close() {
        abort();
    }

    private void flushDataBlock() throws IOException {
        ByteSink payload = dataBlock.finish();
        BlockHandle handle = blocks.write(BlockType.DATA, payload, true);
        index.add(new IndexEntry(dataBlock.firstKey(), dataBlock.lastKey(), dataBlock.lastSequence(), handle,
                dataBlock.count()));
        dataBlock.reset();
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("segment file writer for " + path + " is "
                    + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private StorageException failed(String what, IOException e) {
        state = State.FAILED;
        return new StorageException(what + " segment file " + path + " (file number " + fileNumber
                + "); abort the writer", e);
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "SegmentFileWriter{file=" + path + ", fileNumber=" + fileNumber + ", entries=" + entryCount
                + ", bytes=" + out.position() + ", state=" + state + '}';
    }
}
