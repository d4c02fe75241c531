package io.kintsugi.cli.health;

import io.kintsugi.cli.ExitCode;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthLogStats;

import java.io.PrintStream;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Prints {@code kintsugi health} for people: a header about the log, one line per entry (oldest first, so the
 * newest is nearest the prompt), then the counts and the outcome. Key ranges appear only as
 * {@link HealthEntry#rangeFingerprint() fingerprints}.
 */
final class HealthTextReport {

    private HealthTextReport() {
    }

    /**
     * @param view what was read
     * @param out  where to print
     */
    static void print(HealthLogView view, PrintStream out) {
        HealthRequest r = view.request();
        if (!view.exists()) {
            out.println("Health log of " + r.store() + ": none yet (" + view.logDir() + " does not exist; nothing has"
                    + " been recorded)");
        } else {
            HealthLogStats s = view.stats();
            out.println("Health log of " + r.store() + ": " + s.entries() + " entries, " + s.bytes() + " bytes"
                    + s.oldest().map(t -> ", " + t).orElse("") + s.newest().map(t -> " to " + t).orElse("")
                    + (s.droppedEntries() > 0 ? ", " + s.droppedEntries() + " oldest entries dropped by the size bound"
                    : ""));
        }
        out.println("Filter: " + filter(r));
        out.println();
        for (HealthEntry e : view.shown()) {
            out.println(line(e));
        }
        if (!view.shown().isEmpty()) {
            out.println();
        }
        HealthSummary sum = view.summary();
        out.println("Matching: " + sum.matched() + (sum.matched() == 1 ? " entry" : " entries")
                + (view.shown().size() < sum.matched() ? " (the newest " + view.shown().size() + " shown)" : ""));
        out.println("  by severity: " + counts(sum.bySeverity()));
        out.println("  by kind:     " + counts(sum.byKind()));
        out.println("  by verdict:  " + counts(sum.byVerdict()));
        out.println(sum.errors() == 0
                ? "Result: no ERROR entries match (exit " + ExitCode.OK + ")"
                : "Result: " + sum.errors() + " ERROR " + (sum.errors() == 1 ? "entry matches" : "entries match")
                + ": data known to be wrong or damaged (exit " + ExitCode.CORRUPTION_FOUND + ")");
    }

    private static String filter(HealthRequest r) {
        StringJoiner j = new StringJoiner(", ");
        j.add("severity >= " + r.minSeverity());
        if (!r.kinds().isEmpty()) {
            j.add("kind in " + r.kinds());
        }
        r.namespace().ifPresent(ns -> j.add("namespace " + ns));
        r.since().ifPresent(t -> j.add("since " + t));
        r.limit().ifPresent(n -> j.add("newest " + n));
        return j.toString();
    }

    /** One entry: every field but the key bytes, which appear only as the range's fingerprint. */
    static String line(HealthEntry e) {
        StringBuilder b = new StringBuilder();
        b.append(e.time()).append("  ").append(String.format("%-7s", e.severity())).append("  ")
                .append(String.format("%-19s", e.kind())).append("  ").append(String.format("%-12s", e.verdict()))
                .append("  replica=").append(e.replicaId());
        if (!e.namespace().isEmpty()) {
            b.append(" namespace=").append(e.namespace()).append(" range=").append(e.rangeFingerprint());
        }
        if (e.count() >= 0) {
            b.append(" count=").append(e.count());
        }
        if (e.bytes() >= 0) {
            b.append(" bytes=").append(e.bytes());
        }
        if (e.expected() != null) {
            b.append(" expected=").append(e.expected());
        }
        if (e.found() != null) {
            b.append(" found=").append(e.found());
        }
        if (e.sequence() >= 0) {
            b.append(" sequence=").append(e.sequence());
        }
        if (!e.detail().isEmpty()) {
            b.append("  ").append(e.detail());
        }
        return b.toString();
    }

    private static String counts(Map<? extends Enum<?>, Long> counts) {
        StringJoiner j = new StringJoiner(", ");
        counts.forEach((k, v) -> j.add(k + " " + v));
        return j.toString();
    }
}
