package io.kintsugi.oplog;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A slot of the append ring: one request to the writer thread. Slots are reused; {@link #clear()} drops the
 * references once the writer has taken what it needs.
 */
final class AppendEvent {

    /** What the writer is asked to do. */
    enum Kind {
        /** Append with the next sequence the log assigns (primary). */
        APPEND,
        /** Append with a sequence the caller supplies (follower). */
        APPEND_AT,
        /** Raise the log's term. */
        ADVANCE_TERM,
        /** Make everything written so far durable. */
        SYNC,
        /** Periodic wake-up for batched durability. */
        TICK
    }

    Kind kind;
    long sequence;
    long term;
    int type;
    byte[] payload;
    CompletableFuture<Long> future;
    /** For a conditional append: checked on the writer thread just before the record would be sequenced. */
    BooleanSupplier precondition;

    void set(Kind kind, long sequence, long term, int type, byte[] payload, CompletableFuture<Long> future) {
        this.kind = kind;
        this.sequence = sequence;
        this.term = term;
        this.type = type;
        this.payload = payload;
        this.future = future;
        this.precondition = null;
    }

    void clear() {
        payload = null;
        future = null;
        precondition = null;
    }
}
