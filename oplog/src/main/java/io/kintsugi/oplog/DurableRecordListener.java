package io.kintsugi.oplog;

/**
 * Called by the log's writer thread for every appended record once it is durable as the durability mode says, in
 * sequence order, before the record's appender is released. A store uses it to apply each record to its in-memory
 * state in exactly log order, so that a write is visible to reads by the time its append returns.
 *
 * <p>It runs on the writer thread, so it must be quick and must not append to the same log. If it throws, the log
 * stops accepting appends (the record is durable but was not applied, so the caller's state can no longer be
 * trusted) and every caller still waiting is failed; reopening replays the record.
 */
@FunctionalInterface
public interface DurableRecordListener {

    /**
     * @param record the durable record; its payload array is the one the appender passed in
     */
    void onDurable(LogRecord record);
}
