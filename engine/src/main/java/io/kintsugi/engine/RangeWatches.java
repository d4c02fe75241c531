package io.kintsugi.engine;

import io.kintsugi.engine.format.WriteBatchFormat;
import io.kintsugi.oplog.SequencingListener;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open {@link RangeWatch}es of a store, told of every record on the oplog's writer thread as it is sequenced.
 * While no watch is open this costs one volatile write and one volatile read per record.
 *
 * <p>Why the order of the two matters: the writer publishes the sequence it just assigned and then reads the list
 * of watches; {@link #register} adds a watch and then reads the last assigned sequence. Either the writer sees the
 * new watch, or the registering thread sees the writer's sequence, and then waits for it to become visible before
 * taking its snapshot. No write can fall between a watch and its snapshot unseen.
 */
final class RangeWatches implements SequencingListener {

    private final List<RangeWatch> watches = new CopyOnWriteArrayList<>();
    private volatile long lastSequenced;

    @Override
    public void onSequenced(long sequence, int type, byte[] payload) {
        lastSequenced = sequence;
        if (watches.isEmpty() || type != WriteBatchFormat.TYPE_WRITE_BATCH) {
            return;
        }
        try {
            // Keys are compared in place: copying every key and value of every record here would slow the one
            // thread every write goes through, for as long as a scan keeps a watch open.
            WriteBatchFormat.forEachKey(payload, (ns, buf, off, len) -> {
                for (RangeWatch w : watches) {
                    if (ns == w.namespaceId()) {
                        w.observe(sequence, buf, off, len);
                    }
                }
            });
        } catch (WriteBatchFormat.MalformedPayloadException e) {
            // The applier reports the malformed record; here, assume it may have touched every watched range.
            for (RangeWatch w : watches) {
                w.observeUnknownWrite(sequence);
            }
        }
    }

    /** @return the last sequence assigned before the watch was added: its snapshot must see at least that one */
    long register(RangeWatch w) {
        watches.add(w);
        return lastSequenced;
    }

    void unregister(RangeWatch w) {
        watches.remove(w);
    }
}
