package io.kintsugi.engine.table;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kintsugi.engine.format.DecodedDataBlock;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache of verified, decompressed data blocks shared by segment file readers, bounded by the bytes the blocks
 * take in memory. Only blocks that passed their checksum and parsed cleanly are ever put in; a damaged block is
 * read from disk, and fails, every time.
 *
 * <p>Blocks are keyed by a number unique to each {@link SegmentFileReader} and the block's offset, so that a file
 * reopened (or replaced by a repair) never sees another reader's blocks. Thread-safe.
 */
public final class BlockCache {

    private static final AtomicLong NEXT_READER_ID = new AtomicLong();

    private final long capacity;
    private final Cache<BlockKey, DecodedDataBlock> cache;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    private record BlockKey(long readerId, long offset) {
    }

    /**
     * @param capacityBytes the most bytes of blocks to keep; 0 disables caching
     * @throws IllegalArgumentException if {@code capacityBytes} is negative
     */
    public BlockCache(long capacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("block cache capacity must be >= 0 bytes, got " + capacityBytes);
        }
        long capacity = capacityBytes;
        this.capacity = capacity;
        this.cache = capacity == 0 ? null : Caffeine.newBuilder()
                .maximumWeight(capacity)
                .weigher((BlockKey k, DecodedDataBlock v) -> v.memorySize())
                .executor(Runnable::run)
                .build();
    }

    /**
     * @param capacityBytes the most bytes of blocks to keep; 0 disables caching
     * @return a cache
     * @throws IllegalArgumentException if {@code capacityBytes} is negative
     */
    public static BlockCache create(long capacityBytes) {
        return new BlockCache(capacityBytes);
    }

    /** @return a cache that keeps nothing: every read goes to disk and is verified */
    public static BlockCache disabled() {
        return new BlockCache(0);
    }

    /** @return the capacity in bytes; 0 when disabled */
    public long capacity() {
        return capacity;
    }

    /** @return the number of lookups that found their block */
    public long hits() {
        return hits.sum();
    }

    /** @return the number of lookups that did not find their block (every lookup, when disabled) */
    public long misses() {
        return misses.sum();
    }

    /** @return the fraction of lookups that hit, 0 when there was none */
    public double hitRate() {
        long h = hits();
        long total = h + misses();
        return total == 0 ? 0 : (double) h / total;
    }

    /** @return the number of blocks held now */
    public long blockCount() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** @return the bytes held now, as weighed */
    public long weightBytes() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    static long newReaderId() {
        return NEXT_READER_ID.incrementAndGet();
    }

    DecodedDataBlock get(long readerId, long offset) {
        DecodedDataBlock b = cache == null ? null : cache.getIfPresent(new BlockKey(readerId, offset));
        if (b == null) {
            misses.increment();
        } else {
            hits.increment();
        }
        return b;
    }

    /** Puts a block that was verified and parsed. */
    void putVerified(long readerId, long offset, DecodedDataBlock block) {
        if (cache != null) {
            cache.put(new BlockKey(readerId, offset), block);
        }
    }

    void invalidateReader(long readerId) {
        if (cache != null) {
            cache.asMap().keySet().removeIf(k -> k.readerId() == readerId);
        }
    }

    @Override
    public String toString() {
        return "BlockCache{capacity=" + capacity + ", hits=" + hits() + ", misses=" + misses() + '}';
    }
}
