package io.kintsugi.cli.health;

import io.kintsugi.cli.ParsedArguments;
import io.kintsugi.cli.UsageException;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthQuery;
import io.kintsugi.validation.health.Severity;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@code kintsugi health} was asked for, with every option value checked.
 *
 * @param store       the store directory
 * @param minSeverity the lowest severity to show
 * @param kinds       the kinds to show; empty for all
 * @param namespace   the namespace to show, if one was named
 * @param since       the earliest entry time to show, if given
 * @param limit       the most entries to print (the newest ones), if given
 * @param json        whether to print JSON
 */
record HealthRequest(Path store, Severity minSeverity, Set<HealthKind> kinds, Optional<String> namespace,
                     Optional<Instant> since, OptionalInt limit, boolean json) {

    /** The namespace names a store accepts; a typo is caught here rather than matching nothing. */
    private static final String NAMESPACE_PATTERN = "[a-z0-9_.-]{1,64}";

    /**
     * @param args  the parsed arguments of {@code health}
     * @param clock what "now" is, for {@code --since 1h}
     * @return the request
     * @throws UsageException if an option value is malformed
     */
    static HealthRequest from(ParsedArguments args, Clock clock) {
        Path store = Path.of(args.positional(0));
        Severity severity = args.value("severity").map(HealthRequest::severity).orElse(Severity.INFO);
        Set<HealthKind> kinds = args.value("kind").map(HealthRequest::kinds).orElse(Set.of());
        Optional<String> namespace = args.value("namespace");
        namespace.ifPresent(ns -> {
            if (!ns.matches(NAMESPACE_PATTERN)) {
                throw new UsageException("--namespace expects a namespace name of 1 to 64 characters from"
                        + " a-z, 0-9, '_', '.' and '-', got '" + ns + "'");
            }
        });
        Optional<Instant> since = args.value("since").map(s -> SinceArgument.parse(s, clock));
        Optional<Integer> limit = args.intValue("limit", 1, Integer.MAX_VALUE);
        return new HealthRequest(store, severity, kinds, namespace, since,
                limit.map(OptionalInt::of).orElse(OptionalInt.empty()), args.has("json"));
    }

    /** @return the health-log query for every matching entry, oldest first, without the print limit */
    HealthQuery query() {
        HealthQuery.Builder b = HealthQuery.builder().minSeverity(minSeverity).order(HealthQuery.Order.OLDEST_FIRST);
        if (!kinds.isEmpty()) {
            b.kinds(kinds);
        }
        namespace.ifPresent(b::namespace);
        since.ifPresent(b::since);
        return b.build();
    }

    private static Severity severity(String text) {
        try {
            return Severity.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--severity expects one of " + names(Severity.values())
                    + " (the lowest severity to show), got '" + text + "'");
        }
    }

    private static Set<HealthKind> kinds(String text) {
        EnumSet<HealthKind> kinds = EnumSet.noneOf(HealthKind.class);
        for (String part : text.split(",", -1)) {
            try {
                kinds.add(HealthKind.valueOf(part.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--kind expects one or more of " + names(HealthKind.values())
                        + ", separated by commas, got '" + part + "' in '" + text + "'");
            }
        }
        return kinds;
    }

    private static String names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).collect(Collectors.joining(", "));
    }
}
