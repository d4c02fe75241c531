package io.kintsugi.cli.health;

import io.kintsugi.cli.UsageException;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the value of {@code --since}: either a point in time, or how far back from now.
 *
 * <ul>
 *   <li>an ISO-8601 instant, {@code 2026-03-01T12:00:00Z}, or with an offset, {@code 2026-03-01T13:00:00+01:00};</li>
 *   <li>a span back from now in whole units, one or more of {@code w d h m s}: {@code 90s}, {@code 15m},
 *       {@code 1h}, {@code 1h30m}, {@code 7d}, {@code 2w};</li>
 *   <li>an ISO-8601 duration, {@code PT1H}, {@code P2D}.</li>
 * </ul>
 */
final class SinceArgument {

    private static final Pattern SPAN = Pattern.compile("(?:\\d+[wdhms])+");
    private static final Pattern PART = Pattern.compile("(\\d+)([wdhms])");

    private SinceArgument() {
    }

    /**
     * @param text  the value given
     * @param clock what "now" is
     * @return the earliest entry time to show
     * @throws UsageException if the text is none of the accepted forms, or reaches further back than an instant can
     */
    static Instant parse(String text, Clock clock) {
        try {
            if (SPAN.matcher(text).matches()) {
                return clock.instant().minus(span(text));
            }
            if (text.startsWith("P") || text.startsWith("p")) {
                Duration d = Duration.parse(text);
                if (d.isNegative()) {
                    throw new UsageException("--since takes a span back from now, which cannot be negative, got '"
                            + text + "'");
                }
                return clock.instant().minus(d);
            }
            if (text.endsWith("Z") || text.endsWith("z")) {
                return Instant.parse(text.toUpperCase());
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
            throw new UsageException("--since expects an ISO-8601 instant such as 2026-03-01T12:00:00Z, or a span"
                    + " back from now such as 30m, 1h, 1h30m, 7d or PT1H, got '" + text + "'");
        }
    }

    private static Duration span(String text) {
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            Duration unit = switch (m.group(2)) {
                case "w" -> Duration.ofDays(7);
                case "d" -> Duration.ofDays(1);
                case "h" -> Duration.ofHours(1);
                case "m" -> Duration.ofMinutes(1);
                default -> Duration.ofSeconds(1);
            };
            total = total.plus(unit.multipliedBy(n));
        }
        return total;
    }
}
