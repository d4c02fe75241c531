package io.kintsugi.engine;

import io.kintsugi.engine.format.WriteBatchFormat;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.DurableRecordListener;
import io.kintsugi.oplog.LogRecord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Applies oplog records to the memtable in sequence order and makes each visible once it is whole. The same code
 * applies a primary's own writes (as the oplog's durable-record listener, on its writer thread), a follower's
 * replicated records, and the records replayed on open.
 *
 * <p>When the active memtable passes its budget it is sealed and queued for flush. Sealing and applying take the
 * same lock, so no entry can reach a memtable after it was sealed.
 */
final class WriteApplier implements DurableRecordListener {

    private final VersionSet versions;
    private final NamespaceTable namespaces;
    private final long memtableBudget;
    private final Path oplogDir;
    private final ReentrantLock applyLock = new ReentrantLock();
    private final Runnable onSealed;
    private volatile long visibleSequence;
    /** When recent sequences became visible, by sequence modulo the ring size: for replication lag. */
    private static final int TIMES = 1 << 16;
    private final long[] timeSequence = new long[TIMES];
    private final long[] timeNanos = new long[TIMES];

    WriteApplier(VersionSet versions, NamespaceTable namespaces, long memtableBudget, Path oplogDir,
                 long visibleSequence, Runnable onSealed) {
        this.versions = versions;
        this.namespaces = namespaces;
        this.memtableBudget = memtableBudget;
        this.oplogDir = oplogDir;
        this.visibleSequence = visibleSequence;
        this.onSealed = onSealed;
    }

    /** @return the last sequence whose effects reads can see */
    long visibleSequence() {
        return visibleSequence;
    }

    /**
     * @param sequence a sequence
     * @return {@link System#nanoTime()} when it became visible, or -1 if it is older than the last 65 536 or unknown
     */
    long visibleAtNanos(long sequence) {
        int slot = (int) (sequence & (TIMES - 1));
        long t = timeNanos[slot];
        return timeSequence[slot] == sequence ? t : -1;
    }

    @Override
    public void onDurable(LogRecord record) {
        boolean sealed;
        applyLock.lock();
        try {
            apply(record);
            int slot = (int) (record.sequence() & (TIMES - 1));
            timeNanos[slot] = System.nanoTime();
            timeSequence[slot] = record.sequence();
            visibleSequence = record.sequence();
            sealed = versions.current().active.approximateBytes() >= memtableBudget && sealActiveLocked();
        } finally {
            applyLock.unlock();
        }
        if (sealed) {
            onSealed.run(); // never wait here: this is the oplog's writer thread, which flushes may need
        }
    }

    /**
     * Seals the active memtable if it holds anything, so that a flush can write it.
     *
     * @return whether a memtable was sealed
     */
    boolean sealActive() {
        applyLock.lock();
        try {
            return sealActiveLocked();
        } finally {
            applyLock.unlock();
        }
    }

    private boolean sealActiveLocked() {
        Version v = versions.current();
        if (v.active.isEmpty()) {
            return false;
        }
        v.active.seal(visibleSequence);
        versions.install(cur -> {
            List<Memtable> immutables = new ArrayList<>(cur.immutables.size() + 1);
            immutables.add(cur.active);
            immutables.addAll(cur.immutables);
            return versions.version(new Memtable(), immutables, cur.files);
        });
        return true;
    }

    private void apply(LogRecord record) {
        try {
            switch (record.type()) {
                case WriteBatchFormat.TYPE_WRITE_BATCH:
                    Memtable m = versions.current().active;
                    for (WriteBatchFormat.Operation op : WriteBatchFormat.decode(record.payload())) {
                        byte[] key = NamespaceTable.internalKey(op.namespace(), op.key());
                        m.add(new Entry(key, record.sequence(), op.kind(), op.value()));
                    }
                    break;
                case WriteBatchFormat.TYPE_NAMESPACE:
                    WriteBatchFormat.NamespaceRecord ns = WriteBatchFormat.decodeNamespace(record.payload());
                    if (!namespaces.register(ns.id(), ns.name())) {
                        throw malformed(record, "namespace " + ns.name() + " with id " + ns.id()
                                + " conflicts with an existing namespace");
                    }
                    break;
                default:
                    throw malformed(record, "record type " + record.type() + " is not a store record type");
            }
        } catch (WriteBatchFormat.MalformedPayloadException e) {
            throw malformed(record, e.getMessage());
        }
    }

    private CorruptionException malformed(LogRecord record, String detail) {
        return new CorruptionException(CorruptionReport.of(oplogDir, -1, record.payload().length,
                CorruptionKind.INVALID_CONTENT, "oplog record " + record.sequence() + " passed its checksum but its "
                        + "payload is malformed: " + detail));
    }
}
