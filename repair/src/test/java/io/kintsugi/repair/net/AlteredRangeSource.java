package io.kintsugi.repair.net;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/**
 * Wraps a source to misbehave in tests: it reports the wrapped digest but may change a pair's value, swap two
 * pairs, or stop before a pair until released.
 */
final class AlteredRangeSource implements RangeSource {

    private final RangeSource inner;
    private long alterAt = -1;
    private UnaryOperator<byte[]> valueChange;
    private long swapAt = -1;
    private long pauseAt = -1;
    private CountDownLatch paused;
    private CountDownLatch release;
    private long failAt = -1;

    AlteredRangeSource(RangeSource inner) {
        this.inner = inner;
    }

    /** The value of pair {@code index} is replaced by {@code change} applied to it. */
    AlteredRangeSource alterValue(long index, UnaryOperator<byte[]> change) {
        this.alterAt = index;
        this.valueChange = change;
        return this;
    }

    /** Pairs {@code index} and {@code index + 1} are sent in the wrong order. */
    AlteredRangeSource swap(long index) {
        this.swapAt = index;
        return this;
    }

    /** At pair {@code index}, fails as a damaged block of the replica's own copy would. */
    AlteredRangeSource failAt(long index) {
        this.failAt = index;
        return this;
    }

    /** Before pair {@code index}, counts {@code paused} down and waits for {@code release}. */
    AlteredRangeSource pauseBefore(long index, CountDownLatch paused, CountDownLatch release) {
        this.pauseAt = index;
        this.paused = paused;
        this.release = release;
        return this;
    }

    @Override
    public Optional<RangeDigest> digestAt(long sequence) {
        return inner.digestAt(sequence);
    }

    @Override
    public RangeStream openRange(long sequence) {
        RangeStream s = inner.openRange(sequence);
        return new RangeStream() {
            private long index = -1;
            private byte[] key;
            private byte[] value;
            private byte[] heldKey;
            private byte[] heldValue;

            @Override
            public boolean next() {
                index++;
                if (index == failAt) {
                    throw new io.kintsugi.oplog.CorruptionException(io.kintsugi.oplog.CorruptionReport.checksum(
                            java.nio.file.Path.of("000000000007.seg"), 8192, 4096, 0x1234, 0x5678, "data block"));
                }
                if (index == pauseAt) {
                    paused.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while paused");
                    }
                }
                if (heldKey != null) {
                    key = heldKey;
                    value = heldValue;
                    heldKey = null;
                    return true;
                }
                if (!s.next()) {
                    return false;
                }
                key = s.key();
                value = s.value();
                if (index == swapAt && s.next()) {
                    heldKey = key;
                    heldValue = value;
                    key = s.key();
                    value = s.value();
                }
                if (index == alterAt) {
                    value = valueChange.apply(value);
                }
                return true;
            }

            @Override
            public byte[] key() {
                return key;
            }

            @Override
            public byte[] value() {
                return value;
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }
}
