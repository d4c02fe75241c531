package io.kintsugi.repair;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.validation.faults.FaultInjector;
import io.kintsugi.validation.faults.InjectedFault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

/**
 * The faults a repair trial draws from: those that leave a store openable and are found by a read or by comparing
 * replicas. Each is applied to one replica's directory (closed) or store (open, for a logical corruption), seeded.
 */
enum TrialFault {

    /** One bit flipped in the data block holding a key's newest version. */
    BIT_FLIP,
    /**
     * A 4 KiB region of seeded junk inside the data blocks of a segment file (one or two blocks damaged), placed
     * there and not in the index or footer, which would leave the store unopenable rather than damaged in a range.
     */
    JUNK_REGION,
    /** Two data blocks of equal length exchanged: each is intact but in the wrong place. */
    SWAPPED_BLOCKS,
    /** A key's value changed in the memtable without an oplog record: every checksum stays valid. */
    LOGICAL;

    static final byte[] WRONG = "wrong".getBytes(StandardCharsets.US_ASCII);

    /** @return whether the fault is made in a closed store's files (the replica is closed and reopened for it) */
    boolean onDisk() {
        return this != LOGICAL;
    }

    /** @return whether a read of the damaged range throws (a logical corruption reads back wrong instead) */
    boolean detectedOnRead() {
        return this != LOGICAL;
    }

    /**
     * Damages the closed store in {@code dir}.
     *
     * @param key the key whose block a {@link #BIT_FLIP} damages
     * @return what was done
     */
    InjectedFault applyOnDisk(Path dir, long seed, byte[] key) {
        FaultInjector faults = FaultInjector.forStore(dir, seed);
        Random r = new Random(seed);
        return switch (this) {
            case BIT_FLIP -> faults.flipBitInKeyBlock(TrialWorkload.NAMESPACE, key);
            case JUNK_REGION -> junkInDataBlocks(faults, r);
            case SWAPPED_BLOCKS -> swapEqualBlocks(faults, r);
            case LOGICAL -> throw new IllegalStateException("a logical corruption is made in an open store");
        };
    }

    private static InjectedFault junkInDataBlocks(FaultInjector faults, Random r) {
        List<Path> files = faults.segmentFiles();
        Path file = files.get(r.nextInt(files.size()));
        List<BlockHandle> blocks = faults.dataBlocks(file);
        long from = blocks.get(0).offset();
        long to = blocks.get(blocks.size() - 1).end();
        if (to - from < FaultInjector.REGION_LENGTH) {
            throw new IllegalStateException("the data blocks of " + file + " span " + (to - from) + " bytes, less "
                    + "than a region of " + FaultInjector.REGION_LENGTH);
        }
        long at = from + (long) (r.nextDouble() * (to - from - FaultInjector.REGION_LENGTH));
        byte[] junk = new byte[FaultInjector.REGION_LENGTH];
        r.nextBytes(junk);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(junk);
            while (b.hasRemaining()) {
                ch.write(b, at + b.position());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write junk into " + file, e);
        }
        return new InjectedFault(io.kintsugi.validation.faults.FaultKind.JUNK_REGION, file, at, junk.length,
                junk.length + " bytes of junk at offset " + at + " among the data blocks");
    }

    private static InjectedFault swapEqualBlocks(FaultInjector faults, Random r) {
        List<Path> files = faults.segmentFiles();
        List<Path> pairFiles = new java.util.ArrayList<>();
        List<int[]> pairs = new java.util.ArrayList<>();
        for (Path file : files) {
            List<BlockHandle> blocks = faults.dataBlocks(file);
            for (int i = 0; i < blocks.size(); i++) {
                for (int j = i + 1; j < blocks.size(); j++) {
                    if (blocks.get(i).length() == blocks.get(j).length()) {
                        pairFiles.add(file);
                        pairs.add(new int[] {i, j});
                    }
                }
            }
        }
        if (!pairs.isEmpty()) {
            int p = r.nextInt(pairs.size());
            return faults.swapDataBlocks(pairFiles.get(p), pairs.get(p)[0], pairs.get(p)[1]);
        }
        List<Integer> lengths = new java.util.ArrayList<>();
        for (Path file : files) {
            faults.dataBlocks(file).forEach(b -> lengths.add(b.length()));
        }
        throw new IllegalStateException("no segment file of " + faults.storeDirectory() + " has two data blocks of "
                + "equal length to swap; lengths: " + lengths);
    }
}
