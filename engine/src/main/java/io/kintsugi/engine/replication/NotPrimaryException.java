package io.kintsugi.engine.replication;

import io.kintsugi.oplog.StorageException;

import java.util.Optional;

/**
 * A client write reached a store that is not the primary: a follower, or a former primary that was demoted or
 * learned of a higher term. Nothing was written. The message says which term this store knows and, when known,
 * which primary it follows, so that the client can be routed there.
 */
public class NotPrimaryException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final long term;
    private final String primaryEndpoint;

    /**
     * @param message         what happened, naming the terms involved
     * @param term            the highest term this store has seen
     * @param primaryEndpoint the endpoint of the primary it follows, or null if unknown
     */
    public NotPrimaryException(String message, long term, String primaryEndpoint) {
        super(message);
        this.term = term;
        this.primaryEndpoint = primaryEndpoint;
    }

    /** @return the highest term this store has seen */
    public long term() {
        return term;
    }

    /** @return the endpoint of the primary this store follows, if it knows one */
    public Optional<String> primaryEndpoint() {
        return Optional.ofNullable(primaryEndpoint);
    }
}
