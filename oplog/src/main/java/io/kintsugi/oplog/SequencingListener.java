package io.kintsugi.oplog;

/**
 * Called by the log's writer thread the moment a record is given its sequence number, before it is written, in
 * sequence order, for the primary's appends and the follower's copies alike. Together with
 * {@link Oplog#appendIf}, whose condition runs on the same thread, it lets a caller know exactly which records were
 * sequenced before a conditional one: the store uses it to tell whether a key range changed between a snapshot and
 * the point where a range-hash marker lands in the log.
 *
 * <p>It runs on the writer thread for every record: it must be very quick, must not block and must not append to
 * the log. If it throws, the log stops accepting appends.
 */
@FunctionalInterface
public interface SequencingListener {

    /**
     * @param sequence the record's sequence number
     * @param type     its type
     * @param payload  its payload, the array the appender passed in; do not change it
     */
    void onSequenced(long sequence, int type, byte[] payload);
}
