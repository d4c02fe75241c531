package io.kintsugi.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The arguments {@link ArgumentParser} accepted: positionals in order and the options given. The typed getters
 * check a value and throw a {@link UsageException} that says what was expected.
 */
public final class ParsedArguments {

    private final List<String> positionals;
    private final Map<String, String> values;

    ParsedArguments(List<String> positionals, Map<String, String> values) {
        this.positionals = List.copyOf(positionals);
        this.values = Map.copyOf(values);
    }

    /**
     * @param index which positional argument, from 0
     * @return its value
     * @throws IndexOutOfBoundsException if the parser did not declare that many
     */
    public String positional(int index) {
        return positionals.get(index);
    }

    /**
     * @param name an option's name, without dashes
     * @return whether it was given
     */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * @param name an option that takes a value
     * @return its value, if given
     */
    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * @param name an option that takes a whole number
     * @param min  the smallest value allowed
     * @param max  the largest value allowed
     * @return its value, if given
     * @throws UsageException if the value is not a whole number in [min, max]
     */
    public Optional<Integer> intValue(String name, int min, int max) {
        Optional<String> text = value(name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String expected = "--" + name + " expects a whole number from " + min + " to " + max;
        long parsed;
        try {
            parsed = Long.parseLong(text.get());
        } catch (NumberFormatException e) {
            throw new UsageException(expected + ", got '" + text.get() + "'");
        }
        if (parsed < min || parsed > max) {
            throw new UsageException(expected + ", got " + text.get());
        }
        return Optional.of((int) parsed);
    }
}
