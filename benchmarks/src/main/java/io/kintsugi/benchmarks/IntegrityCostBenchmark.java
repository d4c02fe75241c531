package io.kintsugi.benchmarks;

import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.format.BlockTrailerFormat;
import io.kintsugi.engine.format.DataBlockFormat;
import io.kintsugi.engine.format.DecodedDataBlock;
import io.kintsugi.oplog.Durability;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The cost of integrity on reads: what share of a Kintsugi point read that goes to a block is spent verifying
 * the block, and so how fast reads would be without verification.
 *
 * <p><b>Method: a measured split, not a switch.</b> Kintsugi has no way to turn block verification off, and gets
 * none for this benchmark: a store that can be told to skip its checks is a hazard. Instead the read is measured
 * whole and the verification step is measured alone, on the same kind of block:
 * <ul>
 *   <li>{@link #getUncached}: a random point read on a store of {@code keys} keys (loaded, flushed, compacted)
 *       opened with the block cache disabled ({@code blockCacheSize(0)}), so that every get reads its data block
 *       from the segment file and verifies it. The file sits in the page cache (the machine's memory holds it),
 *       so the read is a copy from memory, not a disk access: the worst case for verification's share. The
 *       secondary results {@code gets} and {@code blocksRead} count gets and blocks read from files in each
 *       iteration (from the store's cache-miss counter), so that blocks per get is measured, not assumed.</li>
 *   <li>{@link #verifyBlock}: {@link BlockTrailerFormat#verify}, the exact check every block read goes through
 *       (masked CRC32C over payload, trailer fields, file number and block offset, then the trailer's fields), on a
 *       real data block ({@link SampleDataBlock}).</li>
 *   <li>{@link #crc32cBlock}: {@link CRC32C} alone over the same bytes and context: the floor of the check.</li>
 *   <li>{@link #readBlock} and {@link #decodeBlock}: the positional read of the block and the parse of its
 *       payload, the other block steps of a read that goes to a block, for the breakdown.</li>
 * </ul>
 * Verification share = {@code verifyBlock × blocksRead/gets ÷ getUncached}; throughput with verification on ÷
 * off = {@code 1 − share}, since a read without verification would save exactly that time. The results report
 * computes both. A JFR profile of {@code getUncached} ({@code benchmarks/run.sh profile}) gives the same share
 * from samples, as a cross-check.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar IntegrityCostBenchmark}. Times in nanoseconds per
 * operation, one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgsAppend = {
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Threads(1)
public class IntegrityCostBenchmark {

    /** A Kintsugi store with no block cache, loaded, flushed and compacted. */
    @State(Scope.Benchmark)
    public static class UncachedStore {

        /** Number of keys loaded. */
        @Param({"1000000"})
        public int keys;

        private Path dir;
        private KintsugiStore store;

        /**
         * Loads the store.
         *
         * @throws IOException if its directory cannot be made
         */
        @Setup(Level.Trial)
        public void load() throws IOException {
            dir = BenchmarkDirs.create("integrity-uncached");
            store = new KintsugiStore(dir, StoreOptions.builder()
                    .durability(Durability.NONE)
                    .blockCacheSize(0)
                    .build());
            store.load(keys);
        }

        /** @return blocks read from segment files (and verified) since the store was opened */
        long blocksRead() {
            return store.store().stats().cacheMisses();
        }

        /**
         * Closes the store and deletes its files.
         *
         * @throws IOException if deleting fails
         */
        @TearDown(Level.Trial)
        public void close() throws IOException {
            store.close();
            BenchmarkDirs.delete(dir);
        }
    }

    /**
     * Counts, per iteration, the gets done and the blocks they read from files; reported as secondary results.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class BlockReads {

        /** Gets done in the iteration. */
        public long gets;
        /** Data blocks read from segment files (each verified) in the iteration. */
        public long blocksRead;

        private long blocksAtStart;

        /**
         * Notes the store's counter.
         *
         * @param store the store being read
         */
        @Setup(Level.Iteration)
        public void start(UncachedStore store) {
            gets = 0;
            blocksRead = 0;
            blocksAtStart = store.blocksRead();
        }

        /**
         * Takes the blocks read in the iteration from the store's counter.
         *
         * @param store the store being read
         */
        @TearDown(Level.Iteration)
        public void end(UncachedStore store) {
            blocksRead = store.blocksRead() - blocksAtStart;
        }
    }

    /**
     * A point read of a random existing key that reads and verifies its data block from the file.
     *
     * @param store  the store
     * @param counts counts the get
     * @return the value
     */
    @Benchmark
    public byte[] getUncached(UncachedStore store, BlockReads counts) {
        counts.gets++;
        return store.store.get(KeyValueGenerator.key(ThreadLocalRandom.current().nextInt(store.keys)));
    }

    /**
     * The verification of a block read: {@link BlockTrailerFormat#verify}.
     *
     * @param sample the block
     * @return the verified trailer
     */
    @Benchmark
    public BlockTrailerFormat.Trailer verifyBlock(SampleDataBlock sample) {
        return BlockTrailerFormat.verify(sample.block(), sample.location());
    }

    /**
     * CRC32C alone over the bytes {@link #verifyBlock} covers: the block less its stored CRC, then the context
     * (file number and block offset).
     *
     * @param sample the block
     * @return the CRC
     */
    @Benchmark
    public long crc32cBlock(SampleDataBlock sample) {
        byte[] block = sample.block();
        CRC32C crc = new CRC32C();
        crc.update(block, 0, block.length - 4);
        long fileNumber = sample.location().fileNumber();
        long offset = sample.location().handle().offset();
        byte[] context = new byte[BlockTrailerFormat.CONTEXT_LENGTH];
        for (int i = 0; i < 8; i++) {
            context[i] = (byte) (fileNumber >>> (8 * i));
            context[8 + i] = (byte) (offset >>> (8 * i));
        }
        crc.update(context, 0, context.length);
        return crc.getValue();
    }

    /**
     * The positional read of the block into a fresh array, as the store does it (from the page cache).
     *
     * @param sample the block
     * @return the bytes read
     * @throws IOException if reading fails
     */
    @Benchmark
    public byte[] readBlock(SampleDataBlock sample) throws IOException {
        return sample.readBlock();
    }

    /**
     * The parse of the block's payload into entries, which a read that goes to a block does after verifying it.
     *
     * @param sample the block
     * @return the decoded block
     */
    @Benchmark
    public DecodedDataBlock decodeBlock(SampleDataBlock sample) {
        return DataBlockFormat.decode(sample.payload(), sample.location());
    }
}
