package io.kintsugi.cli;

import java.util.Objects;

/**
 * One {@code --name} option a command accepts: a switch ({@link #valueName()} null) or an option that takes one
 * value, given as {@code --name VALUE} or {@code --name=VALUE}.
 *
 * @param name        the name without the leading dashes, e.g. {@code limit}
 * @param valueName   how the usage names its value, e.g. {@code N}; null for a switch
 * @param description one line for the usage
 */
public record Option(String name, String valueName, String description) {

    /** Checks the name is usable on a command line. */
    public Option {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("an option name is lowercase letters, digits and '-', got '" + name
                    + "'");
        }
    }

    /**
     * @param name        the name without dashes
     * @param description one line for the usage
     * @return a switch, present or absent
     */
    public static Option flag(String name, String description) {
        return new Option(name, null, description);
    }

    /**
     * @param name        the name without dashes
     * @param valueName   how the usage names the value
     * @param description one line for the usage
     * @return an option that takes one value
     */
    public static Option withValue(String name, String valueName, String description) {
        return new Option(name, Objects.requireNonNull(valueName, "valueName"), description);
    }

    /** @return whether the option takes a value */
    public boolean takesValue() {
        return valueName != null;
    }

    /** @return {@code --name} or {@code --name VALUE}, as the usage writes it */
    public String synopsis() {
        return "--" + name + (takesValue() ? " " + valueName : "");
    }
}
