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

    /** Receives each applied log marker with a version pinned for it, which the receiver must release. */
    interface MarkerSink {
        void onMarker(long sequence, byte[] payload, Version pinned, boolean replayed);
    }

    /** A marker applied before the store had a sink for it (replayed on open). */
    private record PendingMarker(long sequence, byte[] payload, Version pinned) {
    }

    /** Markers replayed on open are kept (each pinning a version) until the store can deliver them; beyond this
     *  many the oldest are dropped, with a warning, rather than pin unbounded memory. */
    private static final int MAX_PENDING_MARKERS = 1024;
    private static final System.Logger LOG = System.getLogger(WriteApplier.class.getName());
    private final boolean pinMarkers;
    private final java.util.ArrayDeque<PendingMarker> pendingMarkers = new java.util.ArrayDeque<>();
    private volatile MarkerSink markerSink;
    private PendingMarker applied; // the marker the current apply produced; only touched under applyLock

    WriteApplier(VersionSet versions, NamespaceTable namespaces, long memtableBudget, Path oplogDir,
                 long visibleSequence, Runnable onSealed, boolean pinMarkers) {
        this.pinMarkers = pinMarkers;
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
        PendingMarker marker;
        applyLock.lock();
        try {
            apply(record);
            marker = applied;
            applied = null;
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
        if (marker != null) {
            deliver(marker);
        }
    }

    private void deliver(PendingMarker m) {
        MarkerSink sink = markerSink;
        if (sink != null) {
            sink.onMarker(m.sequence(), m.payload(), m.pinned(), false);
            return;
        }
        synchronized (pendingMarkers) {
            if (pendingMarkers.size() == MAX_PENDING_MARKERS) {
                PendingMarker dropped = pendingMarkers.removeFirst();
                dropped.pinned().release();
                LOG.log(System.Logger.Level.WARNING, () -> "more than " + MAX_PENDING_MARKERS + " log markers "
                        + "replayed on open: the marker at sequence " + dropped.sequence() + " is not delivered");
            }
            pendingMarkers.addLast(m);
        }
    }

    /**
     * Starts delivering markers to {@code sink}, first those replayed on open (flagged as replayed). Called once,
     * when the store is open.
     */
    void deliverMarkersTo(MarkerSink sink) {
        applyLock.lock(); // no marker is applied meanwhile, so none is delivered out of order
        try {
            synchronized (pendingMarkers) {
                for (PendingMarker m : pendingMarkers) {
                    sink.onMarker(m.sequence(), m.payload(), m.pinned(), true);
                }
                pendingMarkers.clear();
            }
            markerSink = sink;
        } finally {
            applyLock.unlock();
        }
    }

    /** Releases markers never delivered (the store closes or failed to open). */
    void releasePendingMarkers() {
        synchronized (pendingMarkers) {
            pendingMarkers.forEach(m -> m.pinned().release());
            pendingMarkers.clear();
        }
    }

    /**
     * Puts {@code value} for {@code internalKey} into the active memtable at the visible sequence, without an oplog
     * record: only for fault injection, to imitate memory corruption before checksumming.
     *
     * @throws IllegalStateException if the key's newest version is at the visible sequence but outside the active
     *                               memtable, where the injected entry could not shadow it
     */
    void injectWithoutLog(byte[] internalKey, byte[] value, ReadPath reads) {
        applyLock.lock();
        try {
            long seq = visibleSequence;
            Version v = versions.current();
            Entry newest = reads.get(v, internalKey, seq);
            if (newest != null && newest.sequence() == seq && v.active.get(internalKey, seq) == null) {
                throw new IllegalStateException("the key's newest version has the store's last sequence " + seq
                        + " and is already flushed; write another key first");
            }
            v.active.add(new Entry(internalKey, seq, io.kintsugi.engine.table.EntryKind.PUT, value.clone()));
        } finally {
            applyLock.unlock();
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
                case WriteBatchFormat.TYPE_LOG_MARKER:
                    if (pinMarkers) {
                        // Everything before the marker is applied and nothing after it: pin exactly this state.
                        applied = new PendingMarker(record.sequence(), record.payload(), versions.acquire());
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
