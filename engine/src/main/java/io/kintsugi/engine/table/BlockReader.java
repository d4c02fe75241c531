package io.kintsugi.engine.table;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.kintsugi.engine.format.BlockCompression;
import io.kintsugi.engine.format.BlockLocation;
import io.kintsugi.engine.format.BlockTrailerFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads byte ranges and blocks of one segment file with positional reads, and verifies each block (bounds,
 * checksum with context, trailer) before decompressing it or handing out a single byte of it. Thread-safe.
 *
 * <p>A thread interrupted during a read closes a {@link FileChannel} for every thread; the channel is then
 * reopened once, so that one interrupted caller does not break the reader for everyone else.
 */
final class BlockReader implements AutoCloseable {

    private final Path file;
    private volatile FileChannel channel;
    private volatile boolean closed;

    BlockReader(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Reads, verifies and, if compressed, decompresses a block.
     *
     * @param location the block; its handle must lie inside the file (the caller checked it against the footer)
     * @return the uncompressed payload
     * @throws CorruptionException if the block is damaged
     * @throws StorageException    if reading fails
     */
    byte[] readPayload(BlockLocation location) {
        int length = location.handle().length();
        if (length < BlockTrailerFormat.LENGTH || length > BlockTrailerFormat.MAX_BLOCK_LENGTH
                || location.handle().offset() < 0) {
            throw location.corruption(CorruptionKind.BAD_LENGTH, "impossible block handle " + location.handle());
        }
        byte[] block = read(location.handle().offset(), length);
        BlockTrailerFormat.Trailer trailer = BlockTrailerFormat.verify(block, location);
        int stored = length - BlockTrailerFormat.LENGTH;
        if (trailer.compression() == BlockCompression.NONE) {
            return Arrays.copyOf(block, stored);
        }
        byte[] out = new byte[trailer.uncompressedLength()];
        ZstdDecompressCtx ctx = ZstdDecompressorPool.borrow();
        int n;
        try {
            n = ctx.decompressByteArray(out, 0, out.length, block, 0, stored);
        } catch (ZstdException e) {
            ZstdDecompressorPool.discard(ctx);
            throw location.malformed(CorruptionKind.BAD_LENGTH, "zstd cannot decompress the payload: "
                    + e.getMessage());
        }
        ZstdDecompressorPool.release(ctx);
        if (n != out.length) {
            throw location.malformed(CorruptionKind.BAD_LENGTH, "payload decompressed to " + n
                    + " bytes, the trailer says " + out.length);
        }
        return out;
    }

    /**
     * Reads exactly {@code length} bytes.
     *
     * @throws CorruptionException {@code TRUNCATED} if the file ends first
     * @throws StorageException    if reading fails or the reader is closed
     */
    byte[] read(long offset, int length) {
        ByteBuffer buf = ByteBuffer.allocate(length);
        for (int attempt = 0; ; attempt++) {
            FileChannel ch = channel;
            try {
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, offset + buf.position());
                    if (n < 0) {
                        throw new CorruptionException(CorruptionReport.of(file, offset, length,
                                CorruptionKind.TRUNCATED, "the file ends at " + (offset + buf.position())
                                        + " inside a structure of " + length + " bytes at offset " + offset));
                    }
                }
                return buf.array();
            } catch (ClosedByInterruptException e) {
                // This thread was interrupted: give up, but leave a working channel for the other threads.
                if (!closed) {
                    reopen(ch);
                }
                throw new StorageException("interrupted while reading " + file, e);
            } catch (ClosedChannelException e) {
                // Another thread's interrupt closed the channel under this read (or the reader was closed).
                if (closed) {
                    throw new StorageException("segment file reader for " + file + " is closed", e);
                }
                if (attempt > 0) {
                    throw new StorageException("cannot read " + file + ": its channel keeps closing", e);
                }
                reopen(ch);
            } catch (IOException e) {
                throw new StorageException("cannot read " + length + " bytes at offset " + offset + " of " + file,
                        e);
            }
        }
    }

    /** @return the file's current size */
    long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new StorageException("cannot read the size of " + file, e);
        }
    }

    private synchronized void reopen(FileChannel broken) {
        if (closed) {
            throw new StorageException("segment file reader for " + file + " is closed");
        }
        if (channel != broken) {
            return;
        }
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StorageException("cannot reopen " + file + " after an interrupted read", e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException("cannot close " + file, e);
        }
    }
}
