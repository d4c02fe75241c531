package io.kintsugi.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Parses one command's arguments: a fixed list of positional arguments and {@link Option}s. Anything else is a
 * {@link UsageException} that names what was wrong and what was expected: an unknown option, an option given twice,
 * a missing value, a value given to a switch, a missing or extra positional argument. {@code --} ends the options.
 *
 * <p>Values are checked by the typed getters of {@link ParsedArguments}, which know what each value must be.
 */
public final class ArgumentParser {

    private final String command;
    private final List<String> positionals;
    private final Map<String, Option> options = new LinkedHashMap<>();

    /**
     * @param command     the command's name, for messages
     * @param positionals the names of the positional arguments, all required, e.g. {@code DIR}
     * @param options     the options accepted
     * @throws IllegalArgumentException if two options share a name
     */
    public ArgumentParser(String command, List<String> positionals, List<Option> options) {
        this.command = Objects.requireNonNull(command, "command");
        this.positionals = List.copyOf(positionals);
        for (Option o : options) {
            if (this.options.putIfAbsent(o.name(), o) != null) {
                throw new IllegalArgumentException("option --" + o.name() + " is declared twice");
            }
        }
    }

    /**
     * @param args the arguments after the command name
     * @return the positional arguments and option values
     * @throws UsageException if the arguments do not fit the declared positionals and options
     */
    public ParsedArguments parse(List<String> args) {
        List<String> given = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                given.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new UsageException("unknown option " + arg + "; options are written --name, and " + command
                        + " accepts " + optionList());
            }
            int eq = arg.indexOf('=');
            String name = arg.substring(2, eq < 0 ? arg.length() : eq);
            Option option = options.get(name);
            if (option == null) {
                throw new UsageException("unknown option --" + name + "; " + command + " accepts " + optionList());
            }
            if (values.containsKey(name)) {
                throw new UsageException("option --" + name + " is given twice; give it once");
            }
            String value;
            if (!option.takesValue()) {
                if (eq >= 0) {
                    throw new UsageException("option --" + name + " is a switch and takes no value, got '"
                            + arg.substring(eq + 1) + "'");
                }
                value = "";
            } else if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                throw new UsageException("option --" + name + " needs a value: " + option.synopsis());
            }
            if (option.takesValue() && value.isEmpty()) {
                throw new UsageException("option --" + name + " needs a non-empty value: " + option.synopsis());
            }
            values.put(name, value);
        }
        if (given.size() < positionals.size()) {
            throw new UsageException("missing " + String.join(" ", positionals.subList(given.size(),
                    positionals.size())) + "; expected " + synopsis());
        }
        if (given.size() > positionals.size()) {
            throw new UsageException("unexpected argument '" + given.get(positionals.size()) + "'; expected "
                    + synopsis());
        }
        return new ParsedArguments(given, values);
    }

    /** @return e.g. {@code health DIR [--limit N] [--json]} */
    public String synopsis() {
        StringBuilder b = new StringBuilder(command);
        positionals.forEach(p -> b.append(' ').append(p));
        options.values().forEach(o -> b.append(" [").append(o.synopsis()).append(']'));
        return b.toString();
    }

    /** @return one line per option, its synopsis then its description, aligned */
    public String describeOptions() {
        int width = options.values().stream().mapToInt(o -> o.synopsis().length()).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (Option o : options.values()) {
            b.append("  ").append(String.format("%-" + width + "s", o.synopsis())).append("  ")
                    .append(o.description()).append('\n');
        }
        return b.toString();
    }

    private String optionList() {
        return options.isEmpty() ? "no options" : options.values().stream().map(o -> "--" + o.name())
                .collect(Collectors.joining(", "));
    }
}
