package io.kintsugi.cli.health;

import io.kintsugi.cli.UsageException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --since} takes an instant, a span back from now, or an ISO-8601 duration, and nothing else. */
class SinceArgumentTest {

    private static final Instant NOW = Instant.parse("2026-03-02T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void readsInstantsSpansAndDurations() {
        assertEquals(Instant.parse("2026-03-01T12:00:00Z"), SinceArgument.parse("2026-03-01T12:00:00Z", CLOCK));
        assertEquals(Instant.parse("2026-03-01T12:00:00Z"), SinceArgument.parse("2026-03-01T13:00:00+01:00", CLOCK));
        assertEquals(NOW.minusSeconds(90), SinceArgument.parse("90s", CLOCK));
        assertEquals(NOW.minus(Duration.ofMinutes(15)), SinceArgument.parse("15m", CLOCK));
        assertEquals(NOW.minus(Duration.ofMinutes(90)), SinceArgument.parse("1h30m", CLOCK));
        assertEquals(NOW.minus(Duration.ofDays(14)), SinceArgument.parse("2w", CLOCK));
        assertEquals(NOW.minus(Duration.ofDays(2)), SinceArgument.parse("P2D", CLOCK));
        assertEquals(NOW.minus(Duration.ofHours(1)), SinceArgument.parse("PT1H", CLOCK));
    }

    @Test
    void refusesAnythingElseSayingWhatItExpected() {
        for (String bad : new String[] {"yesterday", "1y", "h", "-1h", "2026-03-01", "2026-03-01T12:00:00",
                "99999999999999999999h", "99999999999w", "-PT1H"}) {
            String message = assertThrows(UsageException.class, () -> SinceArgument.parse(bad, CLOCK),
                    bad).getMessage();
            assertTrue(message.startsWith("--since "), message);
            assertTrue(message.endsWith("got '" + bad + "'"), message);
        }
    }
}
