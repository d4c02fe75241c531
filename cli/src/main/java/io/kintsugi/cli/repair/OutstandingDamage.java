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
 * <p>A flagged entry is an INCONSISTENT or DAMAGED verdict of any kind but REPAIR. It is settled when later entries
 * and records of the same store cover its whole range, together:
 * <ul>
 *   <li>CONSISTENT verdicts (later scan batches, or a repair's proof logged on the primary);</li>
 *   <li>lineage records of range copies into this store (a repair pulled the range here);</li>
 *   <li>for damage (verdict DAMAGED), the segment file its detail names being gone from the directory: a repair's
 *   install or a compaction rewrote it, and the damaged block with it.</li>
 * </ul>
 * Anything else is outstanding: this can over-report (damage a repair fixed on another replica's behalf is not
 * visible here), never under-report.
 */
final class OutstandingDamage {

    /** How {@code Validator.onCorruption} names the damaged file in a health entry's detail. */
    private static final Pattern SEGMENT_FILE = Pattern.compile("in segment file (\\d+)");
    /** How a corruption report names a segment file: its path, ending in the file's name. */
    private static final Pattern SEGMENT_FILE_NAME = Pattern.compile("(\\d{" + StoreFiles.SEGMENT_DIGITS + "})"
            + Pattern.quote(StoreFiles.SEGMENT_SUFFIX) + "\\b");

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
            boolean done = laterCovered(e, entries.subList(i + 1, entries.size()), copies) || fileGone(storeDir, e);
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

    /** The entry's whole range is covered by later consistent verdicts and copies into this store, together. */
    private static boolean laterCovered(HealthEntry e, List<HealthEntry> later, List<LineageRecord> copies) {
        if (e.namespace().isEmpty()) {
            return false;
        }
        List<byte[][]> spans = new ArrayList<>();
        for (HealthEntry l : later) {
            if (l.verdict() == Verdict.CONSISTENT && l.namespace().equals(e.namespace())
                    && !l.time().isBefore(e.time())) {
                spans.add(new byte[][] {l.minKey(), l.maxKey()});
            }
        }
        for (LineageRecord r : copies) {
            if (r.kind() == LineageKind.RANGE_COPY && r.namespace().equals(e.namespace())
                    && !r.time().isBefore(e.time())) {
                spans.add(new byte[][] {r.from(), r.to()});
            }
        }
        return covers(spans, e.minKey(), e.maxKey());
    }

    /**
     * Whether the spans together cover {@code [min, max]}, null bounds open. Bounds are compared as the logs write
     * them: a marker's range and a copy's end where the next one starts, so adjacent spans chain.
     */
    static boolean covers(List<byte[][]> spans, byte[] min, byte[] max) {
        byte[] reached = min; // null: the start of the namespace, not yet passed
        while (true) {
            byte[] furthest = null;
            boolean found = false;
            for (byte[][] s : spans) {
                boolean startsSoonEnough = s[0] == null
                        || (reached != null && Arrays.compareUnsigned(s[0], reached) <= 0);
                boolean goesFurther = s[1] == null || reached == null || Arrays.compareUnsigned(s[1], reached) > 0;
                if (!startsSoonEnough || !goesFurther) {
                    continue;
                }
                if (s[1] == null) {
                    return true;
                }
                if (!found || Arrays.compareUnsigned(s[1], furthest) > 0) {
                    furthest = s[1];
                    found = true;
                }
            }
            if (!found) {
                return false;
            }
            // Each round moves strictly forward, so this ends.
            reached = furthest;
            if (max != null && Arrays.compareUnsigned(reached, max) >= 0) {
                return true;
            }
        }
    }

    /**
     * Damage (verdict DAMAGED) lies in a block of the segment file its detail names; once that file is gone from the
     * directory (an install or a compaction rewrote it), so is the damaged block, whatever range was logged.
     */
    private static boolean fileGone(Path storeDir, HealthEntry e) {
        if (e.verdict() != Verdict.DAMAGED) {
            return false;
        }
        Long file = null;
        Matcher byNumber = SEGMENT_FILE.matcher(e.detail());
        Matcher byName = SEGMENT_FILE_NAME.matcher(e.detail());
        try {
            if (byNumber.find()) {
                file = Long.parseLong(byNumber.group(1));
            } else if (byName.find()) {
                file = Long.parseLong(byName.group(1));
            }
        } catch (NumberFormatException ex) {
            return false;
        }
        if (file == null || file < 0 || file > StoreFiles.MAX_FILE_NUMBER) {
            return false;
        }
        return !Files.exists(storeDir.resolve(StoreFiles.segmentFileName(file)));
    }
}
