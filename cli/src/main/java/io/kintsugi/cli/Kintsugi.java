package io.kintsugi.cli;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.StorageException;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code kintsugi} command: picks a {@link Command} by its first argument, answers {@code help} and
 * {@code --help}, and turns what a command throws into a message on standard error and an {@link ExitCode}.
 *
 * <pre>
 * kintsugi help                 list the commands
 * kintsugi help COMMAND         a command's usage (also: kintsugi COMMAND --help)
 * kintsugi COMMAND [ARGS...]    run a command
 * </pre>
 */
public final class Kintsugi {

    /** The word that asks for help instead of naming a command. */
    public static final String HELP = "help";

    private final Commands commands;

    /**
     * @param commands the commands to dispatch to
     */
    public Kintsugi(Commands commands) {
        this.commands = Objects.requireNonNull(commands, "commands");
    }

    /**
     * Runs {@code kintsugi} with the standard commands and exits the JVM with the command's exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int code = new Kintsugi(Commands.standard()).run(Arrays.asList(args), System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Runs one command line.
     *
     * @param args the command line, without the program name
     * @param out  where results and requested help go
     * @param err  where errors, and the usage after a usage error, go
     * @return an {@link ExitCode}
     */
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println("kintsugi: no command given");
            err.print(overview());
            return ExitCode.USAGE_ERROR;
        }
        String first = args.get(0);
        if (first.equals(HELP) || isHelpFlag(first)) {
            return help(args.subList(1, args.size()), out, err);
        }
        if (first.startsWith("-")) {
            err.println("kintsugi: unknown option " + first + "; expected a command or --help");
            err.print(overview());
            return ExitCode.USAGE_ERROR;
        }
        Optional<Command> command = commands.find(first);
        if (command.isEmpty()) {
            err.println("kintsugi: unknown command '" + first + "'");
            err.print(overview());
            return ExitCode.USAGE_ERROR;
        }
        List<String> rest = args.subList(1, args.size());
        if (asksForHelp(rest)) {
            out.print(command.get().usage());
            return ExitCode.OK;
        }
        return runCommand(command.get(), rest, out, err);
    }

    private int runCommand(Command command, List<String> args, PrintStream out, PrintStream err) {
        String prefix = "kintsugi " + command.name() + ": ";
        try {
            return command.run(args, out, err);
        } catch (UsageException e) {
            err.println(prefix + e.getMessage());
            err.print(command.usage());
            return ExitCode.USAGE_ERROR;
        } catch (CorruptionException e) {
            // Reports carry file, offset and kind only, never user bytes, so they can be printed as they are.
            err.println(prefix + "corruption found: " + e.report().describe());
            return ExitCode.CORRUPTION_FOUND;
        } catch (StorageException | UncheckedIOException e) {
            err.println(prefix + "could not complete: " + e.getMessage());
            return ExitCode.NOT_COMPLETED;
        }
    }

    private int help(List<String> rest, PrintStream out, PrintStream err) {
        if (rest.isEmpty()) {
            out.print(overview());
            return ExitCode.OK;
        }
        if (rest.size() > 1) {
            err.println("kintsugi help: expected at most one command name, got " + rest.size() + " arguments");
            err.print(overview());
            return ExitCode.USAGE_ERROR;
        }
        Optional<Command> command = commands.find(rest.get(0));
        if (command.isEmpty()) {
            err.println("kintsugi help: unknown command '" + rest.get(0) + "'");
            err.print(overview());
            return ExitCode.USAGE_ERROR;
        }
        out.print(command.get().usage());
        return ExitCode.OK;
    }

    /** "--" ends the options: a "--help" after it is an argument, not a request for help. */
    private static boolean asksForHelp(List<String> args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (isHelpFlag(a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isHelpFlag(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }

    /** @return the program's usage: how to call it and one line per command */
    public String overview() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: kintsugi COMMAND [ARGS...]\n");
        b.append("       kintsugi help [COMMAND]      (or: kintsugi COMMAND --help)\n\n");
        b.append("Commands:\n");
        int width = commands.all().stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Command c : commands.all()) {
            b.append("  ").append(String.format("%-" + width + "s", c.name())).append("  ").append(c.summary())
                    .append('\n');
        }
        b.append('\n').append(ExitCode.describe());
        return b.toString();
    }
}
