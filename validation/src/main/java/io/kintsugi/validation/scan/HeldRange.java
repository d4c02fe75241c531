package io.kintsugi.validation.scan;

import io.kintsugi.engine.Cursor;
import io.kintsugi.oplog.StorageException;

import java.util.Arrays;

/**
 * A lease on a held snapshot: the replica's data as of a probe's marker, limited to the marker's range, so that the
 * range can be copied as of that sequence while the store moves on. The hold does not expire while a lease is open,
 * and closing the lease starts its hold time over. Obtained from {@code Validator.heldSnapshot(sequence)}; close it
 * when done. Thread-safe; its {@link #toString()} shows no key bytes.
 */
public final class HeldRange implements AutoCloseable {

    private final HeldSnapshots.Hold hold;
    private boolean closed;

    HeldRange(HeldSnapshots.Hold hold) {
        this.hold = hold;
    }

    HeldSnapshots.Hold hold() {
        return hold;
    }

    /** @return the marker's sequence: the range is read as of it */
    public long sequence() {
        return hold.sequence();
    }

    /** @return the namespace */
    public String namespace() {
        return hold.marker().namespace();
    }

    /** @return a copy of the range's first key (inclusive); empty for the start of the namespace */
    public byte[] from() {
        return hold.marker().from();
    }

    /** @return a copy of the range's end key (exclusive), or null for the end of the namespace */
    public byte[] to() {
        return hold.marker().to();
    }

    /**
     * @return a cursor over the whole range as of {@link #sequence()}; close it before the lease
     * @throws io.kintsugi.oplog.CorruptionException if the range lies in a damaged block (on reading)
     * @throws StorageException if the lease is closed, the hold was released (the store closed), or the store is
     *                          closed
     */
    public Cursor scan() {
        return scan(hold.marker().from(), hold.marker().to());
    }

    /**
     * Reads part of the range, for copying it in pieces.
     *
     * @param fromInclusive first key, at or after the range's first key; null for the range's first key
     * @param toExclusive   end key, at or before the range's end; null for the range's end
     * @return a cursor over {@code [fromInclusive, toExclusive)} as of {@link #sequence()}; close it before the lease
     * @throws IllegalArgumentException if the part reaches outside the marker's range
     * @throws StorageException         if the lease is closed, the hold was released, or the store is closed
     */
    public Cursor scan(byte[] fromInclusive, byte[] toExclusive) {
        RangeHashMarker m = hold.marker();
        byte[] from = fromInclusive == null ? m.from() : fromInclusive;
        byte[] to = toExclusive == null ? m.to() : toExclusive;
        if (Arrays.compareUnsigned(from, m.from()) < 0
                || (to != null && m.to() != null && Arrays.compareUnsigned(to, m.to()) > 0)
                || (to == null && m.to() != null)) {
            throw new IllegalArgumentException("a held snapshot reads only its marker's range: the part asked for "
                    + "reaches outside it");
        }
        synchronized (this) {
            if (closed) {
                throw new StorageException("the lease on the held snapshot at sequence " + sequence()
                        + " is closed");
            }
        }
        return hold.scan(from, to);
    }

    /** Ends the lease; the hold's time starts over. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        hold.release();
    }

    @Override
    public String toString() {
        return "HeldRange{sequence=" + sequence() + ", namespace=" + namespace() + ", from=" + hold.marker().from().length
                + "B, to=" + (hold.marker().to() == null ? "end" : hold.marker().to().length + "B") + '}';
    }
}
