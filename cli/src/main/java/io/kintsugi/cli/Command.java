package io.kintsugi.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One {@code kintsugi} subcommand. {@link Kintsugi} picks it by {@link #name()}, answers {@code --help} with
 * {@link #usage()}, and maps the exceptions it lets escape to exit codes: {@link UsageException} to
 * {@link ExitCode#USAGE_ERROR}, a {@code CorruptionException} to {@link ExitCode#CORRUPTION_FOUND} and any other
 * {@code StorageException} to {@link ExitCode#NOT_COMPLETED}.
 *
 * <p>A command writes its results to {@code out} and its diagnostics to {@code err}, so that {@code out} can be
 * piped (JSON in particular). Nothing it prints may contain key or value bytes.
 */
public interface Command {

    /** @return the word that selects the command, e.g. {@code health} */
    String name();

    /** @return one line saying what the command does, for {@code kintsugi help} */
    String summary();

    /** @return the full usage text: synopsis, arguments, options and exit codes */
    String usage();

    /**
     * Runs the command.
     *
     * @param args the arguments after the command's name
     * @param out  where results go
     * @param err  where diagnostics go
     * @return an {@link ExitCode}
     * @throws UsageException if the arguments are wrong; nothing has been done yet
     */
    int run(List<String> args, PrintStream out, PrintStream err);
}
