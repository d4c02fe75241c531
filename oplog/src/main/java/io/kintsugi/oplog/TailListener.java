package io.kintsugi.oplog;

/**
 * Receives records from {@link Oplog#subscribe}, in sequence order, on the subscription's own thread.
 */
public interface TailListener {

    /**
     * Called for each record, in order, once it is durable as the log's durability mode says.
     *
     * @param record the verified record
     */
    void onRecord(LogRecord record);

    /**
     * Called once if the subscription stops because of a failure (corruption found while reading, retention
     * dropping records not yet delivered, the log closing). No record is delivered after it.
     *
     * @param error what stopped the subscription
     */
    default void onError(StorageException error) {
    }
}
