package io.kintsugi.engine;

import io.kintsugi.engine.events.CorruptionFoundEvent;
import io.kintsugi.engine.table.KeyRange;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionReport;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the store knows to be damaged: the key ranges whose blocks failed their checks (checksums, format rules and
 * the read path's invariants alike), and the events sent about them to listeners and, as
 * {@link CorruptionFoundEvent}, to JDK Flight Recorder. Events carry metadata only.
 */
final class DamageLog {

    private static final System.Logger LOG = System.getLogger(DamageLog.class.getName());

    private final Set<DamagedRange> ranges = ConcurrentHashMap.newKeySet();
    private final AtomicLong events = new AtomicLong();
    private final List<StoreListener> listeners;
    private final NamespaceTable namespaces;

    DamageLog(List<StoreListener> listeners, NamespaceTable namespaces) {
        this.listeners = listeners;
        this.namespaces = namespaces;
    }

    /**
     * Records damage found while reading a segment file: the key range of the damaged block (or of the whole file
     * when the damage is not in one data block), keeps the file out of automatic compaction and tells listeners.
     *
     * @return {@code e}, for the caller to rethrow
     */
    CorruptionException recordFileDamage(SegmentFileHandle file, CorruptionException e, String operation) {
        file.excludeFromCompaction();
        byte[] first = file.metadata().smallestKey();
        byte[] last = file.metadata().largestKey();
        KeyRange block = file.reader().blockKeyRange(e.report().offset());
        if (block != null) {
            first = block.first();
            last = block.last();
        }
        String nsName = null;
        int firstNs = NamespaceTable.namespaceOf(first);
        int lastNs = NamespaceTable.namespaceOf(last);
        for (int ns = firstNs; ns <= lastNs && ns >= firstNs; ns++) {
            String name = namespaces.nameOf(ns);
            if (name == null) {
                continue;
            }
            nsName = nsName == null ? name : nsName;
            byte[] from = ns == firstNs ? NamespaceTable.userKey(first) : null;
            byte[] to = ns == lastNs ? NamespaceTable.userKey(last) : null;
            ranges.add(new DamagedRange(name, from, to, file.number(), e.report()));
        }
        emit(new CorruptionEvent(Instant.now(), e.report(), file.number(), Optional.ofNullable(nsName), operation));
        return e;
    }

    private void emit(CorruptionEvent event) {
        events.incrementAndGet();
        CorruptionReport r = event.report();
        CorruptionFoundEvent.commit(r.file().toString(), event.fileNumber(), r.offset(), r.length(), r.kind().name(),
                event.namespace().orElse(null), event.operation());
        LOG.log(Level.ERROR, () -> "corruption found during " + event.operation() + ": " + event.report().describe());
        for (StoreListener l : listeners) {
            try {
                l.onCorruption(event);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "a store listener failed on a corruption event: " + ex);
            }
        }
    }

    /**
     * Forgets the damaged ranges of {@code namespace} that lie inside {@code [from, to)} and whose file is no longer
     * live: a range install replaced them, so reads there no longer touch the damaged block.
     *
     * @param from      first user key of the installed range, or null for the start of the namespace
     * @param to        end user key (exclusive), or null for the end of the namespace
     * @param liveFiles the numbers of the files the store now lists
     */
    void forgetRepaired(String namespace, byte[] from, byte[] to, Set<Long> liveFiles) {
        ranges.removeIf(r -> r.namespace().equals(namespace) && !liveFiles.contains(r.fileNumber())
                && (from == null || (r.fromKey() != null && java.util.Arrays.compareUnsigned(r.fromKey(), from) >= 0))
                && (to == null || (r.toKey() != null && java.util.Arrays.compareUnsigned(r.toKey(), to) < 0)));
    }

    List<DamagedRange> ranges() {
        return new ArrayList<>(ranges);
    }

    long eventCount() {
        return events.get();
    }
}
