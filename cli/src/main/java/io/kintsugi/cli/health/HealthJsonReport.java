package io.kintsugi.cli.health;

import io.kintsugi.cli.JsonWriter;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthLogStats;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Renders {@code kintsugi health --json}: one object with a {@code version}, the request, the log's size, the counts
 * over every matching entry and the entries shown (oldest first). Key ranges appear only as
 * {@link HealthEntry#rangeFingerprint() fingerprints}; absent values are JSON null. docs/CLI.md lists every field.
 */
final class HealthJsonReport {

    /**
     * The version of this document's layout. Raised when a field is removed or changes meaning; adding a field
     * does not raise it.
     */
    static final int VERSION = 1;

    private HealthJsonReport() {
    }

    /**
     * @param view what was read
     * @return the JSON document
     */
    static String render(HealthLogView view) {
        HealthRequest r = view.request();
        JsonWriter w = new JsonWriter().beginObject();
        w.name("version").value(VERSION);
        w.name("store").value(r.store().toString());
        w.name("filter").beginObject()
                .name("minSeverity").value(r.minSeverity().name())
                .name("kinds").beginArray();
        r.kinds().forEach(k -> w.value(k.name()));
        w.endArray()
                .name("namespace").value(r.namespace().orElse(null))
                .name("since").value(r.since().map(Instant::toString).orElse(null));
        w.name("limit");
        if (r.limit().isPresent()) {
            w.value(r.limit().getAsInt());
        } else {
            w.value((String) null);
        }
        w.endObject();

        HealthLogStats s = view.stats();
        w.name("log").beginObject()
                .name("directory").value(view.logDir().toString())
                .name("exists").value(view.exists())
                .name("entries").value(s.entries())
                .name("bytes").value(s.bytes())
                .name("droppedEntries").value(s.droppedEntries())
                .name("oldest").value(time(s.oldest()))
                .name("newest").value(time(s.newest()))
                .endObject();

        HealthSummary sum = view.summary();
        w.name("summary").beginObject()
                .name("matched").value(sum.matched())
                .name("shown").value(view.shown().size())
                .name("errors").value(sum.errors());
        counts(w, "bySeverity", sum.bySeverity());
        counts(w, "byKind", sum.byKind());
        counts(w, "byVerdict", sum.byVerdict());
        w.endObject();

        w.name("entries").beginArray();
        view.shown().forEach(e -> entry(w, e));
        w.endArray();
        return w.endObject().toString();
    }

    private static void entry(JsonWriter w, HealthEntry e) {
        w.beginObject()
                .name("time").value(e.time().toString())
                .name("severity").value(e.severity().name())
                .name("kind").value(e.kind().name())
                .name("verdict").value(e.verdict().name())
                .name("replicaId").value(e.replicaId())
                .name("namespace").value(e.namespace().isEmpty() ? null : e.namespace())
                .name("range").value(e.namespace().isEmpty() ? null : e.rangeFingerprint());
        w.name("count");
        known(w, e.count());
        w.name("bytes");
        known(w, e.bytes());
        w.name("expected").value(hex(e.expected()))
                .name("found").value(hex(e.found()));
        w.name("sequence");
        known(w, e.sequence());
        w.name("detail").value(e.detail())
                .endObject();
    }

    /** The entries use -1 for "unknown"; JSON says so with null rather than a number a script could add up. */
    private static void known(JsonWriter w, long value) {
        if (value < 0) {
            w.value((String) null);
        } else {
            w.value(value);
        }
    }

    private static String hex(Hash128 h) {
        return h == null ? null : h.toString();
    }

    private static String time(Optional<Instant> t) {
        return t.map(Instant::toString).orElse(null);
    }

    private static void counts(JsonWriter w, String name, Map<? extends Enum<?>, Long> counts) {
        w.name(name).beginObject();
        counts.forEach((k, v) -> w.name(k.name()).value(v));
        w.endObject();
    }
}
