package io.kintsugi.cli.demo;

import io.kintsugi.cli.ArgumentParser;
import io.kintsugi.cli.Command;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Option;
import io.kintsugi.cli.ParsedArguments;
import io.kintsugi.cli.UsageException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * {@code kintsugi demo}: three replicas over TCP on 127.0.0.1 in this process, under a live write load; a bit rots
 * in one follower's segment file and a value is corrupted in another's memory; a range-hash scan flags exactly those
 * ranges, the repair coordinator outvotes and repairs both from a healthy source and proves it, a second scan finds
 * every range consistent, and every acknowledged write reads back from all three replicas. Exits
 * {@link ExitCode#OK} only if every step was verified, {@link ExitCode#CORRUPTION_FOUND} otherwise.
 */
public final class DemoCommand implements Command {

    /** Keys loaded into the faulted namespace by default: enough for several segment blocks per scanned range. */
    public static final int DEFAULT_KEYS = 40_000;

    private static final int MIN_KEYS = 1_000;
    private static final int MAX_KEYS = 1_000_000;

    private static final ArgumentParser PARSER = new ArgumentParser("demo", List.of(), List.of(
            Option.withValue("dir", "D", "put the replicas in D (new or empty) instead of a temporary directory"),
            Option.withValue("seed", "N", "seed of every choice (keys, values, which bit), to replay a run"),
            Option.withValue("keys", "K", "keys to load into 'orders' (" + MIN_KEYS + " to " + MAX_KEYS
                    + ", default " + DEFAULT_KEYS + ")"),
            Option.flag("keep", "keep the replicas' directories afterwards (for kintsugi verify or health)")));

    /** Library loggers live under this name; the demo quiets their INFO lines so that the narrative stays readable. */
    private static final String LIBRARY_LOGGER = "io.kintsugi";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "three replicas, a rotten bit and a corrupted value: detected, repaired and proven, with timings";
    }

    @Override
    public String usage() {
        return "Usage: kintsugi " + PARSER.synopsis() + "\n\n"
                + "Runs three replicas over TCP on 127.0.0.1 in this process with two writer threads, then:\n"
                + "loads data, rots one bit in a data block on follower-1, corrupts one value in memory on\n"
                + "follower-2, scans on the primary (the followers flag exactly those ranges), repairs both with the\n"
                + "repair coordinator, scans again, and checks every acknowledged write on every replica, that the\n"
                + "replicas are equal, and verifies each one's checksums. Prints what happens with timings and a\n"
                + "summary; never key or value bytes. The directory is deleted at the end unless --keep.\n\n"
                + "Options:\n" + PARSER.describeOptions() + "\n"
                + "Exit codes:\n"
                + "  0  every step verified\n"
                + "  1  a step failed (the summary says which check)\n"
                + "  2  usage error\n"
                + "  3  could not complete: the directory could not be created or is not empty\n";
    }

    /**
     * @throws UsageException if an option is unknown or malformed
     */
    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        ParsedArguments parsed = PARSER.parse(args);
        long seed = parsed.value("seed").map(DemoCommand::parseSeed).orElseGet(System::nanoTime);
        int keys = parsed.intValue("keys", MIN_KEYS, MAX_KEYS).orElse(DEFAULT_KEYS);
        boolean keep = parsed.has("keep");
        Path root;
        boolean created;
        try {
            if (parsed.value("dir").isPresent()) {
                root = Path.of(parsed.value("dir").get());
                created = Files.notExists(root);
                Files.createDirectories(root);
                if (!isEmpty(root)) {
                    err.println("kintsugi demo: could not complete: --dir " + root + " is not empty; give a new or"
                            + " empty directory");
                    return ExitCode.NOT_COMPLETED;
                }
            } else {
                root = Files.createTempDirectory("kintsugi-demo-");
                created = true;
            }
        } catch (IOException e) {
            err.println("kintsugi demo: could not complete: cannot create the demo directory: " + e);
            return ExitCode.NOT_COMPLETED;
        }

        Logger library = Logger.getLogger(LIBRARY_LOGGER);
        Level previous = library.getLevel();
        library.setLevel(Level.WARNING);
        Narrator say = new Narrator(out, System::nanoTime);
        boolean verified;
        try {
            say.say("Kintsugi demo, seed " + seed + " (replay with --seed " + seed + "), " + keys + " keys, in "
                    + root);
            verified = new DemoScenario(root, seed, keys, say).run();
        } finally {
            library.setLevel(previous);
        }
        out.println();
        out.print(say.summary());
        if (keep) {
            out.println("Kept the replicas in " + root + " (kintsugi health " + root.resolve("replica-1") + ")");
        } else {
            try {
                delete(root, created);
            } catch (UncheckedIOException e) {
                err.println("kintsugi demo: could not delete " + root + ": " + e.getCause());
            }
        }
        if (verified) {
            out.println("Result: every step verified (exit 0)");
            return ExitCode.OK;
        }
        out.println("Result: FAILED, see the failed checks above (exit 1)");
        return ExitCode.CORRUPTION_FOUND;
    }

    private static long parseSeed(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--seed expects a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE
                    + ", got '" + text + "'");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    /** Deletes what the demo wrote: the replicas' directories, and {@code root} itself if the demo created it. */
    private static void delete(Path root, boolean created) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(root) || created) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
