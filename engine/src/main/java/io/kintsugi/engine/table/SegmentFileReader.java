package io.kintsugi.engine.table;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.BlockLocation;
import io.kintsugi.engine.format.BlockType;
import io.kintsugi.engine.format.BloomFilter;
import io.kintsugi.engine.format.DataBlockFormat;
import io.kintsugi.engine.format.DecodedDataBlock;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.IndexBlockFormat;
import io.kintsugi.engine.format.IndexBlockFormat.IndexEntry;
import io.kintsugi.engine.format.MetadataBlockFormat;
import io.kintsugi.engine.format.MetadataBlockFormat.SegmentMetadata;
import io.kintsugi.engine.format.SegmentFileHeaderFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.format.Crc32c;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.zip.CRC32C;

/**
 * Reads one segment file written by {@link SegmentFileWriter}. {@link #open} verifies the file's size, header and
 * footer and reads and verifies the metadata, index and filter blocks, which it keeps in memory; data blocks are
 * read on demand, verified (bounds, checksum with context, trailer) before their bytes are used or decompressed,
 * and shared through a {@link BlockCache}.
 *
 * <p>A damaged data block makes only the reads that need it throw {@link CorruptionException}; reads of other
 * blocks keep working. Thread-safe: any number of threads may call {@link #get}, use cursors and verify at once.
 */
public final class SegmentFileReader implements AutoCloseable {

    private static final int VERIFY_CHUNK = 1 << 20;

    private final Path file;
    private final long fileNumber;
    private final UUID storeId;
    private final long size;
    private final BlockCache cache;
    private final long readerId = BlockCache.newReaderId();
    private final BlockReader blocks;
    private final FooterFormat.Footer footer;
    private final SegmentMetadata metadata;
    private final SegmentIndex index;
    private final BloomFilter filter;
    private final SegmentFileInfo info;
    private volatile boolean closed;

    private SegmentFileReader(Path file, long fileNumber, UUID storeId, long size, BlockCache cache,
                              BlockReader blocks) {
        this.file = file;
        this.fileNumber = fileNumber;
        this.storeId = storeId;
        this.size = size;
        this.cache = cache;
        this.blocks = blocks;
        SegmentFileHeaderFormat.verify(blocks.read(0, SegmentFileHeaderFormat.LENGTH), file, storeId, fileNumber);
        this.footer = readFooter();
        this.metadata = MetadataBlockFormat.decode(payload(BlockType.METADATA, footer.metadata()),
                location(BlockType.METADATA, footer.metadata()));
        this.index = readIndex();
        this.filter = BloomFilter.decode(payload(BlockType.FILTER, footer.filter()),
                location(BlockType.FILTER, footer.filter()));
        this.info = new SegmentFileInfo(fileNumber, size, metadata.smallestKey(), metadata.largestKey(),
                metadata.minSequence(), metadata.maxSequence(), metadata.entryCount(),
                Crc32c.unmask(footer.maskedWholeFileCrc()));
    }

    /**
     * Opens and verifies a segment file.
     *
     * @param file         the file
     * @param fileNumber   the number the engine gave it (must match its header, footer and every block)
     * @param storeId      the store it must belong to
     * @param expectedSize the size the engine recorded for it
     * @param cache        the block cache to read data blocks through
     * @return a reader
     * @throws CorruptionException if the file is missing ({@code MISSING_FILE}), shorter ({@code TRUNCATED}) or
     *                             longer ({@code BAD_LENGTH}) than expected, belongs to another store
     *                             ({@code FOREIGN_FILE}), carries another file number ({@code BAD_HEADER}), or its
     *                             header, footer, metadata, index or filter block is damaged
     * @throws io.kintsugi.oplog.UnsupportedFormatException if the file's format version is not supported
     * @throws StorageException if reading fails
     */
    public static SegmentFileReader open(Path file, long fileNumber, UUID storeId, long expectedSize,
                                         BlockCache cache) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(storeId, "storeId");
        Objects.requireNonNull(cache, "cache");
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CorruptionException(CorruptionReport.of(file, -1, -1, CorruptionKind.MISSING_FILE,
                    "segment file " + fileNumber + " does not exist"), e);
        } catch (IOException e) {
            throw new StorageException("cannot open segment file " + file, e);
        }
        BlockReader blocks = new BlockReader(file, channel);
        try {
            long size = blocks.size();
            if (size != expectedSize) {
                throw new CorruptionException(CorruptionReport.of(file, -1, size,
                        size < expectedSize ? CorruptionKind.TRUNCATED : CorruptionKind.BAD_LENGTH,
                        "segment file " + fileNumber + " is " + size + " bytes long, expected " + expectedSize));
            }
            long minimum = SegmentFileHeaderFormat.LENGTH + FooterFormat.LENGTH;
            if (size < minimum) {
                throw new CorruptionException(CorruptionReport.of(file, 0, size, CorruptionKind.TRUNCATED,
                        "segment file " + fileNumber + " is " + size + " bytes long; a segment file needs at least "
                                + minimum));
            }
            return new SegmentFileReader(file, fileNumber, storeId, size, cache, blocks);
        } catch (RuntimeException e) {
            try {
                blocks.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** @return what the file holds, from its verified metadata and footer */
    public SegmentFileInfo info() {
        return info;
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return the file's number */
    public long fileNumber() {
        return fileNumber;
    }

    /** @return the number of put entries, from the verified metadata */
    public long putCount() {
        return metadata.putCount();
    }

    /** @return the number of delete entries, from the verified metadata */
    public long deleteCount() {
        return metadata.deleteCount();
    }

    /** @return the handles of the data blocks, in file order, from the verified index */
    public List<BlockHandle> dataBlocks() {
        List<BlockHandle> handles = new ArrayList<>(index.blockCount());
        for (int i = 0; i < index.blockCount(); i++) {
            handles.add(index.handle(i));
        }
        return Collections.unmodifiableList(handles);
    }

    /**
     * Finds the newest version of a key that a reader at {@code maxSequence} sees: filter, then index, then one
     * data block.
     *
     * @param key         the internal key
     * @param maxSequence the highest sequence to consider
     * @return the entry for exactly {@code key} with the highest sequence at or below {@code maxSequence} (a put
     *         or a tombstone), or null if the file holds none
     * @throws CorruptionException if the data block that would hold it is damaged
     * @throws StorageException    if reading fails or the reader is closed
     */
    public Entry get(byte[] key, long maxSequence) {
        Objects.requireNonNull(key, "key");
        requireOpen();
        if (!filter.mayContain(key)) {
            return null;
        }
        int b = index.findBlock(key, maxSequence);
        if (b >= index.blockCount() || InternalKeys.compareKeys(index.entry(b).firstKey(), key) > 0) {
            return null;
        }
        DecodedDataBlock block = dataBlock(b);
        int i = block.seek(key, maxSequence);
        return i < block.count() && block.keyEquals(i, key) ? entryOf(block, i) : null;
    }

    /**
     * @param fromKey the smallest key to return, or null to start at the first entry
     * @return a cursor over every entry whose key is at or after {@code fromKey}, in internal key order
     * @throws StorageException if the reader is closed
     */
    public EntryCursor cursor(byte[] fromKey) {
        return cursor(fromKey, null);
    }

    /**
     * A cursor over a key range: it never reads a data block whose first key is at or after {@code toKey}, so
     * that a damaged block past the end of the range does not fail a read of the range. Entries at or after
     * {@code toKey} that share a block with entries before it may still be returned.
     *
     * @param fromKey the smallest key to return, or null to start at the first entry
     * @param toKey   the end of the range (exclusive), or null to read to the end of the file
     * @return a cursor over the entries whose key is at or after {@code fromKey}, ending before the first data
     *         block that starts at or after {@code toKey}
     * @throws StorageException if the reader is closed
     */
    public EntryCursor cursor(byte[] fromKey, byte[] toKey) {
        requireOpen();
        return new EntryCursor(this, fromKey == null ? null : fromKey.clone(), toKey == null ? null : toKey.clone());
    }

    /**
     * The keys of the data block at an offset, from the verified index, so that the engine can record which range
     * a damaged block makes unreadable.
     *
     * @param blockOffset the offset of a data block, as reported by a {@link CorruptionException}
     * @return the keys of its first and last entries, or null if no data block starts at that offset (for example
     *         the offset of the header, of another block or -1): the damage is then not confined to one data block
     */
    public KeyRange blockKeyRange(long blockOffset) {
        int b = index.blockAt(blockOffset);
        if (b < 0) {
            return null;
        }
        IndexEntry e = index.entry(b);
        return new KeyRange(e.firstKey().clone(), e.lastKey().clone());
    }

    /**
     * Reads every byte of the file from disk (not from the cache) and checks it: the header, every data block
     * (checksum, trailer, parse and agreement with the index), the filter, index and metadata blocks, the footer,
     * and the whole-file CRC.
     *
     * @throws CorruptionException at the first damage found
     * @throws StorageException    if reading fails or the reader is closed
     */
    public void verifyAllBlocks() {
        requireOpen();
        verifySizeAndHeader();
        for (int b = 0; b < index.blockCount(); b++) {
            loadDataBlock(b);
        }
        verifyTrailingBlocks();
        verifyWholeFileChecksum(n -> { });
    }

    /**
     * Reads the header from disk again and checks it, and that the file still has the size it had when opened.
     * A verify hook: {@link #verifyAllBlocks} is this, every data block, the trailing blocks and the whole-file
     * checksum, stopping at the first damage; a verifier calls the parts itself to go on past damage.
     *
     * @throws CorruptionException if the size changed or the header is damaged
     * @throws StorageException    if reading fails or the reader is closed
     */
    public void verifySizeAndHeader() {
        requireOpen();
        long actualSize = blocks.size();
        if (actualSize != size) {
            throw new CorruptionException(CorruptionReport.of(file, -1, actualSize,
                    actualSize < size ? CorruptionKind.TRUNCATED : CorruptionKind.BAD_LENGTH,
                    "segment file " + fileNumber + " is now " + actualSize + " bytes long, it was " + size));
        }
        SegmentFileHeaderFormat.verify(blocks.read(0, SegmentFileHeaderFormat.LENGTH), file, storeId, fileNumber);
    }

    /**
     * Reads one data block from disk (not from the cache) and checks its bounds, its checksum with its context and
     * its trailer, and that it decompresses to the length the trailer says, without parsing its entries. A verify
     * hook: a block whose checksum passes but whose entries were written wrong passes this check.
     *
     * @param b the data block's position in the file, 0 to {@code dataBlocks().size() - 1}
     * @throws CorruptionException if the block is damaged
     * @throws StorageException    if reading fails or the reader is closed
     * @throws IndexOutOfBoundsException if there is no such block
     */
    public void verifyDataBlockChecksum(int b) {
        requireOpen();
        blocks.readPayload(location(BlockType.DATA, index.handle(b)));
    }

    /**
     * Reads one data block from disk (not from the cache), checks it as {@link #verifyDataBlockChecksum} does, then
     * parses it (lengths, kinds, entries strictly increasing) and checks that it agrees with its index entry (entry
     * count, first and last key, last sequence). A verify hook; the block is not cached.
     *
     * @param b the data block's position in the file, 0 to {@code dataBlocks().size() - 1}
     * @return the decoded block
     * @throws CorruptionException if the block is damaged
     * @throws StorageException    if reading fails or the reader is closed
     * @throws IndexOutOfBoundsException if there is no such block
     */
    public DecodedDataBlock verifyDataBlock(int b) {
        requireOpen();
        return loadDataBlock(b);
    }

    /**
     * Reads the filter, index and metadata blocks and the footer from disk again and checks them, and that the
     * footer did not change since the file was opened. A verify hook.
     *
     * @throws CorruptionException at the first damage found
     * @throws StorageException    if reading fails or the reader is closed
     */
    public void verifyTrailingBlocks() {
        requireOpen();
        BloomFilter.decode(payload(BlockType.FILTER, footer.filter()), location(BlockType.FILTER, footer.filter()));
        IndexBlockFormat.decode(payload(BlockType.INDEX, footer.index()), location(BlockType.INDEX, footer.index()),
                footer.filter().offset());
        MetadataBlockFormat.decode(payload(BlockType.METADATA, footer.metadata()),
                location(BlockType.METADATA, footer.metadata()));
        if (!readFooter().equals(footer)) {
            throw new CorruptionException(CorruptionReport.of(file, footerOffset(), FooterFormat.LENGTH,
                    CorruptionKind.BAD_HEADER, "the footer of segment file " + fileNumber
                            + " changed since the file was opened (its checksum passed)"));
        }
    }

    /**
     * Reads every byte before the footer from disk and checks the whole-file CRC32C the footer stores. A verify
     * hook.
     *
     * @param beforeRead told how many bytes are about to be read, before each read of at most 1 MiB, so that the
     *                   caller can throttle
     * @throws CorruptionException {@code CHECKSUM_MISMATCH} (offset 0, length = the footer offset) if it differs
     * @throws StorageException    if reading fails or the reader is closed
     */
    public void verifyWholeFileChecksum(IntConsumer beforeRead) {
        requireOpen();
        CRC32C crc = new CRC32C();
        long end = footerOffset();
        for (long pos = 0; pos < end; pos += VERIFY_CHUNK) {
            int n = (int) Math.min(VERIFY_CHUNK, end - pos);
            beforeRead.accept(n);
            crc.update(blocks.read(pos, n), 0, n);
        }
        int actual = Crc32c.mask((int) crc.getValue());
        if (actual != footer.maskedWholeFileCrc()) {
            throw new CorruptionException(CorruptionReport.checksum(file, 0, end, footer.maskedWholeFileCrc(), actual,
                    "whole-file checksum of segment file " + fileNumber + " (every byte before the footer) "
                            + "mismatch"));
        }
    }

    /**
     * @param key an internal key
     * @return false only if the file's bloom filter says the key is certainly absent; a verify hook that checks the
     *         filter against the keys the data blocks hold
     */
    public boolean filterMayContain(byte[] key) {
        return filter.mayContain(Objects.requireNonNull(key, "key"));
    }

    /** @return the verified index, one entry per data block in file order (keys, last sequence, handle, count) */
    public List<IndexEntry> indexEntries() {
        List<IndexEntry> entries = new ArrayList<>(index.blockCount());
        for (int i = 0; i < index.blockCount(); i++) {
            entries.add(index.entry(i));
        }
        return Collections.unmodifiableList(entries);
    }

    /**
     * Closes the file and drops its blocks from the cache. Reads after this throw {@link StorageException}.
     *
     * @throws StorageException if closing the file fails
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cache.invalidateReader(readerId);
        blocks.close();
    }

    /** Metadata only. */
    @Override
    public String toString() {
        return "SegmentFileReader{file=" + file + ", fileNumber=" + fileNumber + ", size=" + size + ", dataBlocks="
                + index.blockCount() + ", closed=" + closed + '}';
    }

    SegmentIndex index() {
        return index;
    }

    /** Returns a data block from the cache, or reads, verifies, parses and caches it. */
    DecodedDataBlock dataBlock(int b) {
        requireOpen();
        long offset = index.handle(b).offset();
        DecodedDataBlock block = cache.get(readerId, offset);
        if (block == null) {
            block = loadDataBlock(b);
            cache.putVerified(readerId, offset, block);
        }
        return block;
    }

    static Entry entryOf(DecodedDataBlock block, int i) {
        EntryKind kind = EntryKind.ofCode(block.kindCode(i));
        return new Entry(block.key(i), block.sequence(i), kind, block.value(i));
    }

    private DecodedDataBlock loadDataBlock(int b) {
        IndexEntry e = index.entry(b);
        BlockLocation location = location(BlockType.DATA, e.handle());
        DecodedDataBlock block = DataBlockFormat.decode(blocks.readPayload(location), location);
        int last = block.count() - 1;
        if (block.count() != e.entryCount()) {
            throw location.malformed(CorruptionKind.INVALID_CONTENT, "data block " + b + " holds " + block.count()
                    + " entries, the index says " + e.entryCount());
        }
        // The block's entries ascend (decode checked), so equal end points keep every key within the index's bounds.
        if (!block.keyEquals(0, e.firstKey()) || !block.keyEquals(last, e.lastKey())
                || block.sequence(last) != e.lastSequence()) {
            throw location.malformed(CorruptionKind.INVARIANT_VIOLATION, "data block " + b + " holds keys outside "
                    + "the bounds its index entry records (its first or last entry disagrees with the index)");
        }
        checkSequences(block, b, location);
        return block;
    }

    /**
     * Every entry's sequence must lie in the file's recorded sequence range: reads skip whole files by that range,
     * so an entry outside it would be hidden from, or shown to, the wrong snapshots. One pass over a long array, paid
     * once per block load, not per read.
     */
    private void checkSequences(DecodedDataBlock block, int b, BlockLocation location) {
        long min = metadata.minSequence();
        long max = metadata.maxSequence();
        for (int i = 0; i < block.count(); i++) {
            long seq = block.sequence(i);
            if (seq > max || seq < min) {
                throw location.malformed(CorruptionKind.INVARIANT_VIOLATION, "entry " + i + " of data block " + b
                        + " has sequence " + seq + ", outside the file's recorded sequence range [" + min + ", " + max
                        + "]");
            }
        }
    }

    /**
     * Checks that the first entry of data block {@code b} sorts strictly after {@code previousKey, previousSequence},
     * the last entry of block {@code b - 1}; the index orders blocks by key only, so a key continued into the next
     * block with a sequence that does not descend would pass every other check.
     *
     * @throws CorruptionException {@code INVARIANT_VIOLATION} at block {@code b}'s offset if it does not
     */
    void checkBlockBoundary(int b, DecodedDataBlock next, byte[] previousKey, long previousSequence) {
        if (InternalKeys.compare(previousKey, previousSequence, next.key(0), next.sequence(0)) >= 0) {
            throw location(BlockType.DATA, index.handle(b)).malformed(CorruptionKind.INVARIANT_VIOLATION, "the first"
                    + " entry of data block " + b + " does not sort strictly after the last entry of data block "
                    + (b - 1));
        }
    }

    private FooterFormat.Footer readFooter() {
        byte[] bytes = blocks.read(footerOffset(), FooterFormat.LENGTH);
        return FooterFormat.decode(bytes, file, fileNumber, storeId, size);
    }

    private SegmentIndex readIndex() {
        BlockLocation location = location(BlockType.INDEX, footer.index());
        List<IndexEntry> entries = IndexBlockFormat.decode(payload(BlockType.INDEX, footer.index()), location,
                footer.filter().offset());
        long total = 0;
        for (IndexEntry e : entries) {
            total += e.entryCount();
        }
        IndexEntry first = entries.get(0);
        IndexEntry last = entries.get(entries.size() - 1);
        if (entries.size() != metadata.dataBlockCount() || total != metadata.entryCount()
                || !Arrays.equals(first.firstKey(), metadata.smallestKey())
                || !Arrays.equals(last.lastKey(), metadata.largestKey())) {
            throw location.malformed(CorruptionKind.INVALID_CONTENT, "the index (" + entries.size() + " data blocks, "
                    + total + " entries) disagrees with the metadata block (" + metadata + ")");
        }
        return new SegmentIndex(entries);
    }

    private byte[] payload(BlockType type, BlockHandle handle) {
        return blocks.readPayload(location(type, handle));
    }

    private BlockLocation location(BlockType type, BlockHandle handle) {
        return new BlockLocation(file, fileNumber, type, handle);
    }

    private long footerOffset() {
        return size - FooterFormat.LENGTH;
    }

    private void requireOpen() {
        if (closed) {
            throw new StorageException("segment file reader for " + file + " (file number " + fileNumber
                    + ") is closed");
        }
    }
}
