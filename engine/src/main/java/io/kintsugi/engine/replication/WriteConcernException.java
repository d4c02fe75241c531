package io.kintsugi.engine.replication;

import io.kintsugi.oplog.StorageException;

import java.util.Map;
import java.util.UUID;

/**
 * A write is durable on the primary but fewer followers than its write concern asked for acknowledged it in time.
 * The write is not undone: it stays in the primary's log and reaches the followers when they catch up, unless this
 * primary is replaced first, in which case it is reported as diverged on this store. Treat it as "maybe written".
 */
public class WriteConcernException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final long sequence;
    private final int required;
    private final Map<UUID, Long> acknowledged;

    /**
     * @param message      what happened
     * @param sequence     the write's sequence number
     * @param required     how many followers had to acknowledge
     * @param acknowledged every known follower and the highest sequence it acknowledged
     */
    public WriteConcernException(String message, long sequence, int required, Map<UUID, Long> acknowledged) {
        super(message);
        this.sequence = sequence;
        this.required = required;
        this.acknowledged = Map.copyOf(acknowledged);
    }

    /** @return the write's sequence number */
    public long sequence() {
        return sequence;
    }

    /** @return how many followers had to acknowledge */
    public int required() {
        return required;
    }

    /** @return every follower known to the primary and the highest sequence it acknowledged */
    public Map<UUID, Long> acknowledged() {
        return acknowledged;
    }
}
