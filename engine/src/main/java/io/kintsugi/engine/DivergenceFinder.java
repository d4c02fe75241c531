package io.kintsugi.engine;

import io.kintsugi.engine.format.WriteBatchFormat;
import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogReader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads the records of this store's log that the primary's log lacks and says which key ranges they wrote.
 */
final class DivergenceFinder {

    private DivergenceFinder() {
    }

    private static final class Range {
        byte[] min;
        byte[] max;
        long writes;

        void add(byte[] key) {
            if (min == null || Arrays.compareUnsigned(key, min) < 0) {
                min = key;
            }
            if (max == null || Arrays.compareUnsigned(key, max) > 0) {
                max = key;
            }
            writes++;
        }
    }

    /**
     * @param oplog        this store's log
     * @param namespaces   this store's namespace table
     * @param lastAgreed   the last sequence both logs agree on
     * @param lastSequence this store's last sequence (greater than {@code lastAgreed})
     * @param primary      the primary compared with
     * @param primaryTerm  its term
     * @return the report
     */
    static DivergenceReport find(Oplog oplog, NamespaceTable namespaces, long lastAgreed, long lastSequence,
                                 UUID primary, long primaryTerm) {
        long from = lastAgreed + 1;
        boolean complete = from >= oplog.firstSequence();
        long start = Math.max(from, oplog.firstSequence());
        Map<Integer, String> created = new LinkedHashMap<>();
        Map<Integer, Range> ranges = new LinkedHashMap<>();
        if (start <= lastSequence) {
            try (OplogReader reader = oplog.reader(start)) {
                LogRecord r;
                while ((r = reader.next()) != null && r.sequence() <= lastSequence) {
                    if (r.type() == WriteBatchFormat.TYPE_WRITE_BATCH) {
                        for (WriteBatchFormat.Operation op : WriteBatchFormat.decode(r.payload())) {
                            ranges.computeIfAbsent(op.namespace(), k -> new Range()).add(op.key());
                        }
                    } else if (r.type() == WriteBatchFormat.TYPE_NAMESPACE) {
                        WriteBatchFormat.NamespaceRecord ns = WriteBatchFormat.decodeNamespace(r.payload());
                        created.put(ns.id(), ns.name());
                    }
                }
            }
        }
        List<DivergenceReport.KeyRangeTouched> touched = new ArrayList<>(ranges.size());
        for (Map.Entry<Integer, Range> e : ranges.entrySet()) {
            String name = namespaces.nameOf(e.getKey());
            if (name == null) {
                name = created.getOrDefault(e.getKey(), "#" + e.getKey());
            }
            Range r = e.getValue();
            touched.add(new DivergenceReport.KeyRangeTouched(name, r.min, r.max, r.writes));
        }
        return new DivergenceReport(lastAgreed, from, lastSequence, primary, primaryTerm, touched,
                List.copyOf(created.values()), complete);
    }
}
