package io.kintsugi.cli;

import io.kintsugi.cli.demo.DemoCommand;
import io.kintsugi.cli.health.HealthCommand;
import io.kintsugi.cli.repair.RepairCommand;
import io.kintsugi.cli.verify.VerifyCommand;

import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The commands {@code kintsugi} knows, by name, in the order {@code kintsugi help} lists them. A new command is one
 * line in {@link #standard()}.
 */
public final class Commands {

    private final Map<String, Command> byName = new LinkedHashMap<>();

    private Commands() {
    }

    /** @return the commands of this build */
    public static Commands standard() {
        return of(new DemoCommand(), new VerifyCommand(), new HealthCommand(Clock.systemUTC()),
                new RepairCommand());
    }

    /**
     * @param commands the commands, in the order help lists them
     * @return a registry of them
     * @throws IllegalArgumentException if two commands share a name, or a name is a help word or starts with '-'
     */
    public static Commands of(Command... commands) {
        Commands c = new Commands();
        for (Command command : commands) {
            String name = Objects.requireNonNull(command.name(), "command name");
            if (name.isEmpty() || name.startsWith("-") || name.equals(Kintsugi.HELP)) {
                throw new IllegalArgumentException("a command cannot be named '" + name + "'");
            }
            if (c.byName.putIfAbsent(name, command) != null) {
                throw new IllegalArgumentException("two commands are named '" + name + "'");
            }
        }
        return c;
    }

    /**
     * @param name a command name
     * @return the command of that name, if there is one
     */
    public Optional<Command> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** @return every command, in registration order */
    public Collection<Command> all() {
        return Collections.unmodifiableCollection(byName.values());
    }
}
