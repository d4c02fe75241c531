package io.kintsugi.cli.repair;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.repair.lineage.LineageKind;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.Verdict;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sorts a store's flagged health entries into those that still need a repair and those settled since, from what
 * one store directory holds (its health log, its lineage log and its segment files), without opening the store.
 *
 * <p>A flagged entry is an INCONSISTENT or DAMAGED verdict of any kind but REPAIR. It is settled by a later entry
 * or record of the same store that covers its whole range:
 * <ul>
 *   <li>a CONSISTENT verdict (a later scan batch, or a repair's proof logged on the primary);</li>
 *   <li>a lineage record of a range copy into this store (a repair pulled the range here);</li>
 *   <li>for damage logged without a key range (a checksum failure found on read names only its segment file), the
 *   file being gone from the directory: a repair's install or a compaction rewrote it.</li>
 * </ul>
 * Anything else is outstanding: this can over-report (damage a repair fixed on another replica's behalf is not
 * visible here), never under-report.
 */
final class OutstandingDamage {

    /** How {@code Validator.onCorruption} names the damaged file in a health entry's detail. */
    private static final Pattern SEGMENT_FILE = Pattern.compile("in segment file (\\d+)");

    private final List<HealthEntry> outstanding = new ArrayList<>();
    private final List<HealthEntry> settled = new ArrayList<>();

    private OutstandingDamage() {
    }

    /**
     * @param storeDir the store directory (for its segment files)
     * @param entries  its health log, oldest first
     * @param copies   its lineage log, oldest first
     * @return the flagged entries, sorted
     */
    static OutstandingDamage of(Path storeDir, List<HealthEntry> entries, List<LineageRecord> copies) {
        OutstandingDamage d = new OutstandingDamage();
        for (int i = 0; i < entries.size(); i++) {
            HealthEntry e = entries.get(i);
            if (!isFlagged(e)) {
                continue;
            }
            boolean done = laterConsistent(e, entries.subList(i + 1, entries.size()))
                    || laterCopy(e, copies) || fileGone(storeDir, e);
            (done ? d.settled : d.outstanding).add(e);
        }
        return d;
    }

    /** @return flagged entries nothing later settles, oldest first */
    List<HealthEntry> outstanding() {
        return outstanding;
    }

    /** @return flagged entries a later verdict, copy or rewrite settles, oldest first */
    List<HealthEntry> settled() {
        return settled;
    }

    static boolean isFlagged(HealthEntry e) {
        return e.kind() != HealthKind.REPAIR && (e.verdict() == Verdict.INCONSISTENT || e.verdict() == Verdict.DAMAGED);
    }

    private static boolean laterConsistent(HealthEntry e, List<HealthEntry> later) {
        for (HealthEntry l : later) {
            if (l.verdict() == Verdict.CONSISTENT && !l.time().isBefore(e.time()) && covers(l.namespace(),
                    l.minKey(), l.maxKey(), l.kind() == HealthKind.SCAN_BATCH, e)) {
                return true;
            }
        }
        return false;
    }

    private static boolean laterCopy(HealthEntry e, List<LineageRecord> copies) {
        for (LineageRecord r : copies) {
            if (r.kind() == LineageKind.RANGE_COPY && !r.time().isBefore(e.time())
                    && covers(r.namespace(), r.from(), r.to(), false, e)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code [from, to)} (or {@code [from, to]} when {@code toInclusive}) of a namespace holds the entry's
     * whole range {@code [minKey, maxKey]}. An entry without a namespace or range is held only by an open range.
     */
    static boolean covers(String namespace, byte[] from, byte[] to, boolean toInclusive, HealthEntry e) {
        if (e.namespace().isEmpty() || !namespace.equals(e.namespace())) {
            return false;
        }
        byte[] min = e.minKey();
        byte[] max = e.maxKey();
        if (from != null && (min == null || Arrays.compareUnsigned(from, min) > 0)) {
            return false;
        }
        if (to == null) {
            return true;
        }
        if (max == null) {
            return false;
        }
        int c = Arrays.compareUnsigned(max, to);
        // A scan verdict's range and a marker's both end where the entry's logged end is; an exclusive end holds
        // every key below it, and the entry's end is a key of its range, so it must be below.
        return toInclusive ? c <= 0 : c < 0 || (c == 0 && e.kind() == HealthKind.SCAN_BATCH);
    }

    private static boolean fileGone(Path storeDir, HealthEntry e) {
        if (e.minKey() != null || e.maxKey() != null) {
            return false;
        }
        Matcher m = SEGMENT_FILE.matcher(e.detail());
        if (!m.find()) {
            return false;
        }
        long file;
        try {
            file = Long.parseLong(m.group(1));
        } catch (NumberFormatException ex) {
            return false;
        }
        if (file < 0 || file > StoreFiles.MAX_FILE_NUMBER) {
            return false;
        }
        return !Files.exists(storeDir.resolve(StoreFiles.segmentFileName(file)));
    }
}
