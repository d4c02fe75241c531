package io.kintsugi.repair.net;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Snapshot;
import io.kintsugi.engine.Store;
import io.kintsugi.validation.scan.RangeHasher;

import java.util.Optional;

/**
 * A {@link RangeSource} over a real store snapshot: it holds one range of one namespace at the snapshot's sequence,
 * hashed with {@link RangeHasher} when it is made, as a replica's held range would be.
 */
public final class SnapshotRangeSource implements RangeSource, AutoCloseable {

    private final Snapshot snapshot;
    private final Namespace ns;
    private final byte[] from;
    private final byte[] to;
    private final RangeDigest digest;

    /**
     * @param store the store
     * @param ns    the namespace
     * @param from  first key (empty: start of the namespace)
     * @param to    end key, exclusive, or null
     */
    public SnapshotRangeSource(Store store, Namespace ns, byte[] from, byte[] to) {
        this.snapshot = store.snapshot();
        this.ns = ns;
        this.from = from;
        this.to = to;
        RangeHasher h = new RangeHasher();
        try (Cursor c = scan()) {
            while (c.next()) {
                h.add(c.key(), c.value());
            }
        }
        this.digest = new RangeDigest(ns.name(), from, to, snapshot.sequence(), h.count(), h.bytes(), h.hash(),
                RangeDigest.Status.OK, "");
    }

    public long sequence() {
        return snapshot.sequence();
    }

    public RangeDigest digest() {
        return digest;
    }

    Cursor scan() {
        return snapshot.scan(ns, from.length == 0 ? null : from, to);
    }

    @Override
    public Optional<RangeDigest> digestAt(long sequence) {
        return sequence == snapshot.sequence() ? Optional.of(digest) : Optional.empty();
    }

    @Override
    public RangeStream openRange(long sequence) {
        if (sequence != snapshot.sequence()) {
            throw new RangeUnavailableException(sequence, "no range held at sequence " + sequence);
        }
        Cursor c = scan();
        return new RangeStream() {
            @Override
            public boolean next() {
                return c.next();
            }

            @Override
            public byte[] key() {
                return c.key();
            }

            @Override
            public byte[] value() {
                return c.value();
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    @Override
    public void close() {
        snapshot.close();
    }
}
