package io.kintsugi.engine.table;

import io.kintsugi.engine.format.ByteSink;
import io.kintsugi.engine.format.DataBlockFormat;

import java.util.Arrays;

/**
 * Accumulates the entries of one data block ({@link DataBlockFormat}) and remembers what the index needs about
 * it. Not thread-safe; reused from block to block.
 */
final class DataBlockBuilder {

    private final ByteSink sink;
    private int[] offsets = new int[128];
    private int count;
    private byte[] firstKey;
    private byte[] lastKey;
    private long lastSequence;

    DataBlockBuilder(int blockSize) {
        sink = new ByteSink(blockSize + blockSize / 4);
    }

    void add(Entry e) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        offsets[count++] = sink.size();
        DataBlockFormat.appendEntry(sink, e.key(), e.sequence(), e.kind().code(), e.value());
        if (firstKey == null) {
            firstKey = e.key();
        }
        lastKey = e.key();
        lastSequence = e.sequence();
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** @return the encoded size of the block if it were finished now */
    int estimatedSize() {
        return sink.size() + count * DataBlockFormat.OFFSET_LENGTH + DataBlockFormat.COUNT_LENGTH;
    }

    int count() {
        return count;
    }

    byte[] firstKey() {
        return firstKey;
    }

    byte[] lastKey() {
        return lastKey;
    }

    long lastSequence() {
        return lastSequence;
    }

    /** Appends the offsets and count; the payload is then {@code sink()[0, size)}. */
    ByteSink finish() {
        DataBlockFormat.appendOffsets(sink, offsets, count);
        return sink;
    }

    void reset() {
        sink.reset();
        count = 0;
        firstKey = null;
        lastKey = null;
    }
}
