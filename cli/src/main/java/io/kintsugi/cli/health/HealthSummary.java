package io.kintsugi.cli.health;

import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How many matching entries there are of each severity, kind and verdict. Every severity, kind and verdict is
 * present, zero or not, so that a script can read a count without checking whether it is there.
 */
final class HealthSummary {

    private final long matched;
    private final Map<Severity, Long> bySeverity = counts(Severity.class);
    private final Map<HealthKind, Long> byKind = counts(HealthKind.class);
    private final Map<Verdict, Long> byVerdict = counts(Verdict.class);

    private HealthSummary(List<HealthEntry> entries) {
        this.matched = entries.size();
        for (HealthEntry e : entries) {
            bySeverity.merge(e.severity(), 1L, Long::sum);
            byKind.merge(e.kind(), 1L, Long::sum);
            byVerdict.merge(e.verdict(), 1L, Long::sum);
        }
    }

    /**
     * @param entries the matching entries
     * @return their counts
     */
    static HealthSummary of(List<HealthEntry> entries) {
        return new HealthSummary(entries);
    }

    private static <E extends Enum<E>> Map<E, Long> counts(Class<E> type) {
        Map<E, Long> m = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            m.put(e, 0L);
        }
        return m;
    }

    /** @return how many entries matched */
    long matched() {
        return matched;
    }

    /** @return how many matching entries are ERRORs: data known to be wrong or damaged */
    long errors() {
        return bySeverity.get(Severity.ERROR);
    }

    /** @return counts per severity, from INFO to ERROR */
    Map<Severity, Long> bySeverity() {
        return Collections.unmodifiableMap(bySeverity);
    }

    /** @return counts per kind */
    Map<HealthKind, Long> byKind() {
        return Collections.unmodifiableMap(byKind);
    }

    /** @return counts per verdict */
    Map<Verdict, Long> byVerdict() {
        return Collections.unmodifiableMap(byVerdict);
    }
}
