package io.kintsugi.engine.table;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.kintsugi.engine.format.BlockCompression;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.BlockTrailerFormat;
import io.kintsugi.engine.format.BlockType;
import io.kintsugi.engine.format.ByteSink;

import java.io.IOException;

/**
 * Writes blocks to a segment file: compresses the payload when that pays, appends the trailer with the checksum
 * over payload, trailer fields and context (file number, block offset), and returns the block's handle.
 */
final class BlockWriter implements AutoCloseable {

    private final ChecksummedOutput out;
    private final long fileNumber;
    private final ZstdCompressCtx zstd;
    private final ByteSink block = new ByteSink(1 << 14);
    private byte[] compressed = new byte[0];

    /**
     * @param out        the file
     * @param fileNumber the file's number
     * @param zstdLevel  the zstd level, or 0 to store every block uncompressed
     */
    BlockWriter(ChecksummedOutput out, long fileNumber, int zstdLevel) {
        this.out = out;
        this.fileNumber = fileNumber;
        if (zstdLevel > 0) {
            zstd = new ZstdCompressCtx();
            zstd.setLevel(zstdLevel);
            zstd.setChecksum(false);
            zstd.setContentSize(true);
        } else {
            zstd = null;
        }
    }

    /**
     * @param type        the block type
     * @param payload     holds the uncompressed payload in {@code [0, payload.size())}
     * @param compressible whether to try compression
     * @return where the block was written
     */
    BlockHandle write(BlockType type, ByteSink payload, boolean compressible) throws IOException {
        long offset = out.position();
        int raw = payload.size();
        block.reset();
        BlockCompression compression = BlockCompression.NONE;
        if (compressible && zstd != null && raw > 0) {
            int bound = (int) Math.min(Integer.MAX_VALUE - 8, Zstd.compressBound(raw));
            if (compressed.length < bound) {
                compressed = new byte[bound];
            }
            int n = zstd.compressByteArray(compressed, 0, bound, payload.array(), 0, raw);
            // Stored compressed only when that saves at least an eighth: decompression costs on every read.
            if (n <= raw - raw / 8) {
                block.putBytes(compressed, 0, n);
                compression = BlockCompression.ZSTD;
            }
        }
        if (compression == BlockCompression.NONE) {
            block.putBytes(payload.array(), 0, raw);
        }
        BlockTrailerFormat.append(block, type, compression, raw, fileNumber, offset);
        out.write(block.array(), 0, block.size());
        return new BlockHandle(offset, block.size());
    }

    @Override
    public void close() {
        if (zstd != null) {
            zstd.close();
        }
    }
}
