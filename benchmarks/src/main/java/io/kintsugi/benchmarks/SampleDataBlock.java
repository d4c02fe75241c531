package io.kintsugi.benchmarks;

import com.github.luben.zstd.Zstd;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.format.BlockCompression;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.BlockLocation;
import io.kintsugi.engine.format.BlockTrailerFormat;
import io.kintsugi.engine.format.BlockType;
import io.kintsugi.engine.format.DataBlockFormat;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.IndexBlockFormat;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.Durability;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One real data block, exactly as the store wrote it: a store with default options is loaded with
 * {@value #KEYS} keys from {@link KeyValueGenerator} (the same keys, values and block size as the read benchmarks'
 * stores), flushed, compacted and closed; then the block in the middle of its segment file is located through the
 * file's verified footer and index, with the engine's own format classes, and read. {@link IntegrityCostBenchmark}
 * measures the steps of a block read on it.
 */
@State(Scope.Benchmark)
public class SampleDataBlock {

    /** Keys in the store the block is taken from: enough for a few hundred data blocks. */
    public static final int KEYS = 50_000;

    private Path dir;
    private FileChannel channel;
    private BlockLocation location;
    private byte[] block;
    private byte[] payload;

    /**
     * Writes the store and reads the block.
     *
     * @throws IOException if the store's files cannot be read
     */
    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = BenchmarkDirs.create("integrity-block");
        UUID storeId;
        try (KintsugiStore store = new KintsugiStore(dir,
                StoreOptions.builder().durability(Durability.NONE).build())) {
            store.load(KEYS);
            storeId = store.store().id();
        }
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(p -> StoreFiles.parseSegmentFileName(p.getFileName().toString()) > 0)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no segment file in " + dir));
        }
        long fileNumber = StoreFiles.parseSegmentFileName(file.getFileName().toString());
        channel = FileChannel.open(file, StandardOpenOption.READ);
        long size = channel.size();
        FooterFormat.Footer footer = FooterFormat.decode(read(size - FooterFormat.LENGTH, FooterFormat.LENGTH),
                file, fileNumber, storeId, size);
        BlockLocation indexLocation = new BlockLocation(file, fileNumber, BlockType.INDEX, footer.index());
        List<IndexBlockFormat.IndexEntry> index = IndexBlockFormat.decode(
                payloadOf(read(footer.index().offset(), footer.index().length()), indexLocation), indexLocation,
                footer.filter().offset());
        BlockHandle handle = index.get(index.size() / 2).handle();
        location = new BlockLocation(file, fileNumber, BlockType.DATA, handle);
        block = read(handle.offset(), handle.length());
        payload = payloadOf(block, location);
        int entries = DataBlockFormat.decode(payload, location).count();
        System.out.printf("%n  [integrity] sample data block: %,d bytes on disk, %,d entries, %s, file of %,d "
                        + "data blocks%n", block.length, entries,
                BlockTrailerFormat.verify(block, location).compression(), index.size());
    }

    /**
     * Closes the file and deletes the store.
     *
     * @throws IOException if deleting fails
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
        BenchmarkDirs.delete(dir);
    }

    /** @return the block's file, number, type and handle */
    BlockLocation location() {
        return location;
    }

    /** @return the block as stored: payload and trailer */
    byte[] block() {
        return block;
    }

    /** @return the block's uncompressed payload */
    byte[] payload() {
        return payload;
    }

    /**
     * Reads the block from the file as the store does: one positional read into a fresh array.
     *
     * @return the block's bytes
     * @throws IOException if reading fails
     */
    byte[] readBlock() throws IOException {
        return read(location.handle().offset(), location.handle().length());
    }

    private byte[] read(long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (channel.read(buf, offset + buf.position()) < 0) {
                throw new IOException("the file ends inside the block at " + offset);
            }
        }
        return buf.array();
    }

    private static byte[] payloadOf(byte[] block, BlockLocation location) {
        BlockTrailerFormat.Trailer trailer = BlockTrailerFormat.verify(block, location);
        int stored = block.length - BlockTrailerFormat.LENGTH;
        if (trailer.compression() == BlockCompression.NONE) {
            return Arrays.copyOf(block, stored);
        }
        return Zstd.decompress(Arrays.copyOf(block, stored), trailer.uncompressedLength());
    }
}
