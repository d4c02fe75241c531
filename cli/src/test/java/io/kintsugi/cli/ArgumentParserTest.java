package io.kintsugi.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The option parser accepts exactly the declared arguments and says what it expected when it refuses. */
class ArgumentParserTest {

    private static final ArgumentParser PARSER = new ArgumentParser("demo", List.of("DIR"), List.of(
            Option.withValue("limit", "N", "how many"),
            Option.withValue("name", "NAME", "which"),
            Option.flag("json", "as JSON")));

    private static String refused(String... args) {
        return assertThrows(UsageException.class, () -> PARSER.parse(List.of(args))).getMessage();
    }

    @Test
    void acceptsPositionalsOptionsAndBothValueForms() {
        ParsedArguments a = PARSER.parse(List.of("--limit", "5", "store", "--name=x=y", "--json"));
        assertEquals("store", a.positional(0));
        assertEquals(Optional.of(5), a.intValue("limit", 1, 10));
        assertEquals(Optional.of("x=y"), a.value("name"), "only the first '=' separates the value");
        assertTrue(a.has("json"));

        ParsedArguments none = PARSER.parse(List.of("store"));
        assertFalse(none.has("json"));
        assertEquals(Optional.empty(), none.intValue("limit", 1, 10));
    }

    @Test
    void doubleDashEndsTheOptions() {
        ParsedArguments a = PARSER.parse(List.of("--json", "--", "--odd-dir"));
        assertEquals("--odd-dir", a.positional(0));
    }

    @Test
    void refusesUnknownOptionsAndListsTheKnownOnes() {
        assertEquals("unknown option --limt; demo accepts --limit, --name, --json", refused("d", "--limt", "3"));
        assertEquals("unknown option -l; options are written --name, and demo accepts --limit, --name, --json",
                refused("d", "-l"));
    }

    @Test
    void refusesMissingEmptyAndUnexpectedValues() {
        assertEquals("option --limit needs a value: --limit N", refused("d", "--limit"));
        assertEquals("option --limit needs a value: --limit N", refused("d", "--limit", "--json"));
        assertEquals("option --name needs a non-empty value: --name NAME", refused("d", "--name="));
        assertEquals("option --json is a switch and takes no value, got 'yes'", refused("d", "--json=yes"));
        assertEquals("option --limit is given twice; give it once", refused("d", "--limit", "1", "--limit", "2"));
    }

    @Test
    void refusesMissingAndExtraPositionals() {
        assertEquals("missing DIR; expected demo DIR [--limit N] [--name NAME] [--json]", refused("--json"));
        assertEquals("unexpected argument 'other'; expected demo DIR [--limit N] [--name NAME] [--json]",
                refused("d", "other"));
    }

    @Test
    void refusesBadNumbersNamingTheRange() {
        ParsedArguments text = PARSER.parse(List.of("d", "--limit", "ten"));
        assertEquals("--limit expects a whole number from 1 to 10, got 'ten'",
                assertThrows(UsageException.class, () -> text.intValue("limit", 1, 10)).getMessage());
        ParsedArguments low = PARSER.parse(List.of("d", "--limit", "0"));
        assertEquals("--limit expects a whole number from 1 to 10, got 0",
                assertThrows(UsageException.class, () -> low.intValue("limit", 1, 10)).getMessage());
        ParsedArguments huge = PARSER.parse(List.of("d", "--limit", "99999999999999999999"));
        assertEquals("--limit expects a whole number from 1 to 10, got '99999999999999999999'",
                assertThrows(UsageException.class, () -> huge.intValue("limit", 1, 10)).getMessage());
    }

    @Test
    void describesItsOptionsForTheUsage() {
        assertEquals("""
                  --limit N    how many
                  --name NAME  which
                  --json       as JSON
                """, PARSER.describeOptions());
    }
}
