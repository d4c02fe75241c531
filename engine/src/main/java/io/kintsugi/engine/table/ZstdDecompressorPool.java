package io.kintsugi.engine.table;

import com.github.luben.zstd.ZstdDecompressCtx;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small pool of zstd decompression contexts shared by every reader, so that concurrent reads each get a
 * context without creating one per block, and without one per thread per file kept alive in thread locals.
 */
final class ZstdDecompressorPool {

    private static final int MAX_IDLE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private static final ConcurrentLinkedDeque<ZstdDecompressCtx> IDLE = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger IDLE_COUNT = new AtomicInteger();

    private ZstdDecompressorPool() {
    }

    static ZstdDecompressCtx borrow() {
        ZstdDecompressCtx ctx = IDLE.pollFirst();
        if (ctx == null) {
            return new ZstdDecompressCtx();
        }
        IDLE_COUNT.decrementAndGet();
        return ctx;
    }

    /** Returns a context that finished its work without error. */
    static void release(ZstdDecompressCtx ctx) {
        if (IDLE_COUNT.incrementAndGet() <= MAX_IDLE) {
            IDLE.offerFirst(ctx);
        } else {
            IDLE_COUNT.decrementAndGet();
            ctx.close();
        }
    }

    /** Discards a context whose last use failed, so that no half-used state is reused. */
    static void discard(ZstdDecompressCtx ctx) {
        ctx.close();
    }
}
