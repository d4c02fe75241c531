package io.kintsugi.validation.faults;

import io.kintsugi.engine.FaultHooks;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Seeded, reproducible damage to a store's files, for tests of code that must notice it: the engine's own tests,
 * and users' tests of how their application behaves when its store reports corruption. Each method makes one
 * change and returns an {@link InjectedFault} that says what it did and where (file, offset, length; never key or
 * value bytes), so that a test can assert that the store names exactly that place.
 *
 * <pre>{@code
 * try (Store s = Store.open(dir)) { ... s.flush(); }
 * FaultInjector faults = FaultInjector.forStore(dir, 42);
 * InjectedFault f = faults.flipBitInKeyBlock("orders", key);
 * try (Store s = Store.open(dir)) {
 *     CorruptionException e = assertThrows(CorruptionException.class, () -> s.namespace("orders").get(key));
 *     assertEquals(f.offset(), e.report().offset());
 * }
 * }</pre>
 *
 * <p><b>Closed or open.</b> The faults are meant for a <em>closed</em> store, as a disk would leave its files for the
 * next open. {@link #flipBitInKeyBlock}, {@link #swapDataBlocks}, {@link #dataBlocks} and {@link #segmentFiles} read
 * the store's manifest and refuse an open store. The raw faults ({@link #flipBit}, {@link #zeroRegion},
 * {@link #junkRegion}, {@link #truncate}) write through positional writes and also reach a file an open store holds
 * open; an open store notices them when it next reads the bytes from disk, which a block it has already verified and
 * cached may postpone. {@link #replaceWithStaleCopy} and {@link #tearOplogTail} are for a closed store only (an open
 * store keeps writing the files they change). {@link #corruptValueLogically} needs an open store.
 *
 * <p><b>Seeded.</b> Every choice (which bit, which region, where to cut) comes from one {@link SplittableRandom}
 * seeded by {@link #forStore}: the same seed, store and calls in the same order give the same faults, and nearby
 * seeds give unrelated ones.
 *
 * <p>Never point this at a store whose data matters: every method except {@link #saveCopy} destroys data.
 */
public final class FaultInjector {

    /** The length of the regions {@link #zeroRegion} and {@link #junkRegion} overwrite: 4 KiB, a disk sector run. */
    public static final int REGION_LENGTH = 4096;

    /** How many seeded offsets {@link #zeroRegion} tries before deciding a file holds nothing but zeros. */
    private static final int ZERO_REGION_ATTEMPTS = 64;

    private final Path storeDir;
    private final SplittableRandom random;

    private FaultInjector(Path storeDir, long seed) {
        this.storeDir = storeDir;
        // SplittableRandom mixes its seed: java.util.Random's first draws for nearby seeds (1, 2, 3...) are nearly
        // equal, which would put every test's "random" region at almost the same offset.
        this.random = new SplittableRandom(seed);
    }

    /**
     * @param storeDir the store's directory
     * @param seed     the seed of every choice the injector makes
     * @return an injector for the store's files
     * @throws IllegalArgumentException if {@code storeDir} is not a directory
     */
    public static FaultInjector forStore(Path storeDir, long seed) {
        Objects.requireNonNull(storeDir, "storeDir");
        if (!Files.isDirectory(storeDir)) {
            throw new IllegalArgumentException("the store directory " + storeDir + " does not exist or is not a"
                    + " directory");
        }
        return new FaultInjector(storeDir.toAbsolutePath().normalize(), seed);
    }

    /** @return the store directory the injector works on */
    public Path storeDirectory() {
        return storeDir;
    }

    /**
     * @return the segment files the store's manifest lists, in file-number order
     * @throws IllegalStateException if the store is open
     * @throws io.kintsugi.oplog.CorruptionException if the manifest is already damaged
     */
    public List<Path> segmentFiles() {
        return SegmentLayout.of(storeDir).segmentFiles();
    }

    /**
     * @param segmentFile a segment file the manifest lists (absolute, or relative to the store directory)
     * @return where its data blocks are, in file order, from its verified index
     * @throws IllegalArgumentException if the manifest does not list the file
     * @throws IllegalStateException    if the store is open
     * @throws io.kintsugi.oplog.CorruptionException if the file is already damaged
     */
    public List<BlockHandle> dataBlocks(Path segmentFile) {
        return SegmentLayout.of(storeDir).dataBlocks(inStore(segmentFile));
    }

    /**
     * Flips one seeded bit of the data block that holds the newest version of {@code key} found in a segment file
     * (the index tells which block). The store then fails every read that needs that block with a checksum
     * mismatch at the block's offset, and keeps serving every other block.
     *
     * @param namespace the namespace name
     * @param key       the user key; it must have been flushed to a segment file
     * @return the fault: the block's file, offset and length; the flipped byte and bit in the detail
     * @throws IllegalArgumentException if the namespace or the key is in no segment file (it is then only in the
     *                                  oplog, or the memtable of an open store: flush before closing)
     * @throws IllegalStateException    if the store is open
     * @throws io.kintsugi.oplog.CorruptionException if the store's manifest or the file is already damaged
     */
    public InjectedFault flipBitInKeyBlock(String namespace, byte[] key) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(key, "key");
        SegmentLayout.DataBlock block = SegmentLayout.of(storeDir).blockHolding(namespace, key);
        BlockHandle h = block.handle();
        long at = h.offset() + random.nextInt(h.length());
        int bit = random.nextInt(8);
        flip(block.file(), at, bit);
        return new InjectedFault(FaultKind.BIT_FLIP, block.file(), h.offset(), h.length(), "bit " + bit
                + " of the byte at offset " + at + " in data block " + block.index() + " (offset " + h.offset()
                + ", " + h.length() + " bytes) of namespace " + namespace);
    }

    /**
     * Flips one seeded bit of one seeded byte in {@code [fromOffset, toOffset)} of a file.
     *
     * @param file       the file (absolute, or relative to the store directory)
     * @param fromOffset the first byte that may be changed
     * @param toOffset   the end of the range, exclusive; at most the file's size
     * @return the fault: the changed byte's offset and length 1, the bit in the detail
     * @throws IllegalArgumentException if the file is not in the store directory or the range is empty or outside
     *                                  the file
     */
    public InjectedFault flipBit(Path file, long fromOffset, long toOffset) {
        Path f = inStore(file);
        long size = FileBytes.size(f);
        if (fromOffset < 0 || toOffset <= fromOffset || toOffset > size) {
            throw new IllegalArgumentException("the range [" + fromOffset + ", " + toOffset + ") must be non-empty and"
                    + " lie within the " + size + " bytes of " + f);
        }
        long at = random.nextLong(fromOffset, toOffset);
        int bit = random.nextInt(8);
        flip(f, at, bit);
        return new InjectedFault(FaultKind.BIT_FLIP, f, at, 1, "bit " + bit + " of the byte at offset " + at);
    }

    /**
     * Overwrites a {@value #REGION_LENGTH}-byte region at a seeded offset with zeros (the whole file if it is
     * shorter). The region is chosen so that it held at least one non-zero byte.
     *
     * @param file the file (absolute, or relative to the store directory)
     * @return the fault: the region's offset and length
     * @throws IllegalArgumentException if the file is not in the store directory or is empty
     * @throws IllegalStateException    if no seeded region holds a non-zero byte (the file is all zeros)
     */
    public InjectedFault zeroRegion(Path file) {
        Path f = inStore(file);
        long size = nonEmptySize(f);
        int length = (int) Math.min(REGION_LENGTH, size);
        for (int attempt = 0; attempt < ZERO_REGION_ATTEMPTS; attempt++) {
            long at = regionOffset(size, length);
            byte[] old = FileBytes.read(f, at, length);
            if (!isAllZero(old)) {
                FileBytes.overwrite(f, at, new byte[length]);
                return new InjectedFault(FaultKind.ZEROED_REGION, f, at, length, length + " bytes at offset " + at
                        + " zeroed");
            }
        }
        throw new IllegalStateException("no " + length + "-byte region of " + f + " among " + ZERO_REGION_ATTEMPTS
                + " seeded tries held a non-zero byte: zeroing would change nothing");
    }

    /**
     * Overwrites a {@value #REGION_LENGTH}-byte region at a seeded offset with seeded random bytes (the whole file if
     * it is shorter), as a misdirected write of another file's data would.
     *
     * @param file the file (absolute, or relative to the store directory)
     * @return the fault: the region's offset and length
     * @throws IllegalArgumentException if the file is not in the store directory or is empty
     */
    public InjectedFault junkRegion(Path file) {
        Path f = inStore(file);
        long size = nonEmptySize(f);
        int length = (int) Math.min(REGION_LENGTH, size);
        long at = regionOffset(size, length);
        byte[] old = FileBytes.read(f, at, length);
        byte[] junk = new byte[length];
        do {
            random.nextBytes(junk);
        } while (Arrays.equals(junk, old));
        FileBytes.overwrite(f, at, junk);
        return new InjectedFault(FaultKind.JUNK_REGION, f, at, length, length + " bytes at offset " + at
                + " overwritten with seeded random bytes");
    }

    /**
     * Cuts a file to {@code newLength} bytes.
     *
     * @param file      the file (absolute, or relative to the store directory)
     * @param newLength the new size, at least 0 and below the current size
     * @return the fault: offset {@code newLength}, and the number of bytes dropped as its length
     * @throws IllegalArgumentException if the file is not in the store directory or {@code newLength} is not below
     *                                  its size
     */
    public InjectedFault truncate(Path file, long newLength) {
        Path f = inStore(file);
        long size = FileBytes.size(f);
        if (newLength < 0 || newLength >= size) {
            throw new IllegalArgumentException("the new length must be at least 0 and below the file's size of "
                    + size + " bytes, was " + newLength + " (" + f + ")");
        }
        FileBytes.truncate(f, newLength);
        return new InjectedFault(FaultKind.TRUNCATION, f, newLength, size - newLength, "cut from " + size + " to "
                + newLength + " bytes");
    }

    /**
     * Deletes a file or directory of the store, as a lost file, a mistaken clean-up or a file system that dropped
     * a directory entry would.
     *
     * @param fileOrDirectory the file or directory (absolute, or relative to the store directory)
     * @return the fault: the path, offset and length -1
     * @throws IllegalArgumentException if the path is not inside the store directory or does not exist
     * @throws StorageException         if deleting fails
     */
    public InjectedFault deleteFile(Path fileOrDirectory) {
        Path f = inStore(fileOrDirectory);
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(f + " does not exist, so it cannot be deleted");
        }
        FileBytes.delete(f);
        return new InjectedFault(FaultKind.DELETED_FILE, f, -1, -1, "deleted");
    }

    /**
     * Exchanges two data blocks of the same length in a segment file. Each block stays intact, so its own bytes
     * would pass a plain CRC; because every block's checksum also covers its file number and offset, a read of
     * either block in its new place fails with a checksum mismatch at that place.
     *
     * @param segmentFile a segment file the manifest lists (absolute, or relative to the store directory)
     * @param i           index of a data block (see {@link #dataBlocks})
     * @param j           index of another data block of the same length
     * @return the fault: the lower block's offset and the blocks' length; both offsets in the detail
     * @throws IllegalArgumentException if the file is not listed, an index is out of range, {@code i == j}, or the
     *                                  blocks' lengths differ (the file's layout could not stay the same)
     * @throws IllegalStateException    if the store is open
     */
    public InjectedFault swapDataBlocks(Path segmentFile, int i, int j) {
        Path f = inStore(segmentFile);
        List<BlockHandle> blocks = SegmentLayout.of(storeDir).dataBlocks(f);
        if (i < 0 || j < 0 || i >= blocks.size() || j >= blocks.size() || i == j) {
            throw new IllegalArgumentException("block indexes must be two different numbers in [0, " + blocks.size()
                    + "), were " + i + " and " + j + " (" + f + ")");
        }
        BlockHandle a = blocks.get(Math.min(i, j));
        BlockHandle b = blocks.get(Math.max(i, j));
        if (a.length() != b.length()) {
            throw new IllegalArgumentException("data blocks " + i + " and " + j + " of " + f + " are " + blocks.get(i)
                    .length() + " and " + blocks.get(j).length() + " bytes long: only blocks of equal length can be"
                    + " swapped without moving the rest of the file");
        }
        byte[] first = FileBytes.read(f, a.offset(), a.length());
        byte[] second = FileBytes.read(f, b.offset(), b.length());
        FileBytes.overwrite(f, a.offset(), second);
        FileBytes.overwrite(f, b.offset(), first);
        return new InjectedFault(FaultKind.SWAPPED_BLOCKS, f, a.offset(), a.length(), "data blocks "
                + Math.min(i, j) + " (offset " + a.offset() + ") and " + Math.max(i, j) + " (offset " + b.offset()
                + "), " + a.length() + " bytes each, exchanged");
    }

    /**
     * Copies a file or directory of the store (the manifest directory, an oplog segment, a segment file) to a new
     * temporary directory outside the store, to be put back later by {@link #replaceWithStaleCopy}.
     *
     * @param fileOrDirectory the file or directory (absolute, or relative to the store directory)
     * @return the copy; deleting it when the test is done is the caller's job
     * @throws IllegalArgumentException if the path is not in the store directory or does not exist
     * @throws StorageException         if copying fails
     */
    public SavedCopy saveCopy(Path fileOrDirectory) {
        Path source = inStore(fileOrDirectory);
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(source + " does not exist");
        }
        Path target;
        try {
            target = Files.createTempDirectory("kintsugi-saved-copy-").resolve(source.getFileName().toString());
        } catch (IOException e) {
            throw new StorageException("cannot create a temporary directory for a copy of " + source, e);
        }
        FileBytes.copy(source, target);
        return new SavedCopy(source, target);
    }

    /**
     * Replaces a file or directory of a closed store with a copy {@link #saveCopy} took earlier: the store then
     * holds an older version of it than the rest of its files describe. The copy is kept, so it can be used again.
     *
     * @param copy a copy taken by {@link #saveCopy} of this store
     * @return the fault: the replaced path, offset and length -1
     * @throws IllegalArgumentException if the copy is of another store's file or no longer exists
     * @throws StorageException         if replacing fails
     */
    public InjectedFault replaceWithStaleCopy(SavedCopy copy) {
        Objects.requireNonNull(copy, "copy");
        Path original = inStore(copy.original());
        if (!Files.exists(copy.copy(), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("the saved copy " + copy.copy() + " no longer exists");
        }
        FileBytes.delete(original);
        FileBytes.copy(copy.copy(), original);
        return new InjectedFault(FaultKind.STALE_COPY, original, -1, -1, "replaced by the copy saved at "
                + copy.copy());
    }

    /**
     * Cuts the last record of the store's data oplog at a seeded point inside it, as a crash in the middle of the
     * write leaves it. On a store that crashed (was not closed cleanly) the next open drops the torn record: it
     * was never acknowledged. On a store that was closed cleanly the manifest recorded where the oplog ended, so
     * the next open reports the missing record as corruption instead.
     *
     * @return the fault: the last segment, the torn record's offset and its full length; the cut in the detail
     * @throws IllegalStateException if the oplog's last segment holds no whole record
     */
    public InjectedFault tearOplogTail() {
        OplogTail tail = OplogTail.of(storeDir);
        long cut = tail.start() + 1 + random.nextInt(tail.length() - 1);
        FileBytes.truncate(tail.segment(), cut);
        return new InjectedFault(FaultKind.TORN_OPLOG_TAIL, tail.segment(), tail.start(), tail.length(),
                "the last record (offset " + tail.start() + ", " + tail.length() + " bytes) cut at offset " + cut
                        + ", " + (cut - tail.start()) + " of its bytes kept");
    }

    /**
     * Changes the value of a key on this replica only, in its live memtable, without an oplog record: what a memory
     * error before checksumming would do. Every checksum stays valid; only comparing replicas (the range-hash scan)
     * can find it. See {@link FaultHooks#writeWithoutOplog} for what a restart or a flush does to it.
     *
     * @param store     the open store of this injector's directory
     * @param namespace a namespace that has writes
     * @param key       the key
     * @param newValue  the wrong value
     * @return the fault: the store directory, offset and length -1
     * @throws IllegalArgumentException if {@code store} is another store's, the namespace has no writes or an
     *                                  argument is over its limit
     * @throws IllegalStateException    if the key's newest version is already flushed at the store's last sequence
     * @throws StorageException         if the store is closed
     */
    public InjectedFault corruptValueLogically(Store store, String namespace, byte[] key, byte[] newValue) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(namespace, "namespace");
        if (!store.directory().toAbsolutePath().normalize().equals(storeDir)) {
            throw new IllegalArgumentException("the store at " + store.directory() + " is not the store this injector"
                    + " works on (" + storeDir + ")");
        }
        if (!store.namespaceNames().contains(namespace)) {
            throw new IllegalArgumentException("namespace " + namespace + " has no writes in the store at "
                    + storeDir);
        }
        FaultHooks.writeWithoutOplog(store.namespace(namespace), key, newValue);
        return new InjectedFault(FaultKind.LOGICAL_CORRUPTION, storeDir, -1, -1, "the value of a key ("
                + key.length + " bytes) of namespace " + namespace + " replaced by " + newValue.length
                + " bytes in the memtable, without an oplog record");
    }

    private void flip(Path file, long at, int bit) {
        byte[] b = FileBytes.read(file, at, 1);
        b[0] ^= (byte) (1 << bit);
        FileBytes.overwrite(file, at, b);
    }

    private long regionOffset(long size, int length) {
        return random.nextLong(0, size - length + 1);
    }

    private static long nonEmptySize(Path f) {
        long size = FileBytes.size(f);
        if (size == 0) {
            throw new IllegalArgumentException(f + " is empty: there is no region to overwrite");
        }
        return size;
    }

    private static boolean isAllZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Resolves a path against the store directory and refuses one outside it, so a typo cannot damage other data. */
    private Path inStore(Path path) {
        Objects.requireNonNull(path, "path");
        Path p = storeDir.resolve(path).toAbsolutePath().normalize();
        if (!p.startsWith(storeDir) || p.equals(storeDir)) {
            throw new IllegalArgumentException(path + " is not inside the store directory " + storeDir);
        }
        return p;
    }
}
