package io.kintsugi.oplog;

import java.time.Duration;
import java.util.Objects;

/**
 * When an append is made durable relative to releasing its caller.
 *
 * <ul>
 *   <li>{@link #SYNC} (the default): the log calls fdatasync before any append of a write batch is acknowledged.
 *       One fdatasync serves every append in the batch: this is group commit.</li>
 *   <li>{@link #batched(Duration)}: appends are acknowledged once written to the operating system; the log calls
 *       fdatasync at least once per interval while there is unsynced data. A crash of the machine (not just of the
 *       process) may lose up to an interval of acknowledged appends.</li>
 *   <li>{@link #NONE}: appends are acknowledged once written to the operating system and synced only when a segment
 *       is sealed, on {@link Oplog#sync()} and on close.</li>
 * </ul>
 */
public final class Durability {

    /** The kind of durability. */
    public enum Mode {
        /** fdatasync before acknowledging. */
        SYNC,
        /** fdatasync at least once per interval. */
        BATCHED,
        /** fdatasync only when sealing a segment, on request and on close. */
        NONE
    }

    /** fdatasync before any append in a batch is acknowledged; the default. */
    public static final Durability SYNC = new Durability(Mode.SYNC, Duration.ZERO);
    /** Acknowledge once written to the operating system; sync only on seal, request and close. */
    public static final Durability NONE = new Durability(Mode.NONE, Duration.ZERO);

    private final Mode mode;
    private final Duration interval;

    private Durability(Mode mode, Duration interval) {
        this.mode = mode;
        this.interval = interval;
    }

    /**
     * @param interval the longest time unsynced appends may wait for fdatasync, 1 ms to 1 hour
     * @return a batched durability
     * @throws IllegalArgumentException if the interval is outside 1 ms to 1 hour
     */
    public static Durability batched(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("batched durability interval must be between 1 ms and 1 hour, was "
                    + interval);
        }
        return new Durability(Mode.BATCHED, interval);
    }

    /** @return the kind of durability */
    public Mode mode() {
        return mode;
    }

    /** @return the sync interval for {@link Mode#BATCHED}, zero otherwise */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Durability && ((Durability) o).mode == mode && ((Durability) o).interval.equals(interval);
    }

    @Override
    public int hashCode() {
        return mode.hashCode() * 31 + interval.hashCode();
    }

    @Override
    public String toString() {
        return mode == Mode.BATCHED ? "BATCHED(" + interval + ")" : mode.name();
    }
}
