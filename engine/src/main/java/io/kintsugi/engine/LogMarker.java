package io.kintsugi.engine;

/**
 * A log marker record as a store applied it: its sequence, its payload (which belongs to the extension that wrote
 * it) and a snapshot of the store at exactly the marker's place in the log, that is with every write before the
 * marker and none after it. The snapshot is taken as the marker is applied, so checking it later does not hold up
 * the records that follow.
 */
public final class LogMarker implements AutoCloseable {

    private final long sequence;
    private final byte[] payload;
    private final Snapshot snapshot;
    private final boolean replayed;

    LogMarker(long sequence, byte[] payload, Snapshot snapshot, boolean replayed) {
        this.sequence = sequence;
        this.payload = payload;
        this.snapshot = snapshot;
        this.replayed = replayed;
    }

    /** @return the marker's oplog sequence number */
    public long sequence() {
        return sequence;
    }

    /** @return a copy of the marker's payload */
    public byte[] payload() {
        return payload.clone();
    }

    /** @return the store as of the marker: {@code snapshot().sequence()} equals {@link #sequence()} */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** @return whether the marker was replayed from the oplog while the store opened, rather than applied live */
    public boolean replayed() {
        return replayed;
    }

    /** Releases the snapshot. */
    @Override
    public void close() {
        snapshot.close();
    }
}
