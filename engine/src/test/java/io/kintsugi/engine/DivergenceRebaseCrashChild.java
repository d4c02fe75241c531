package io.kintsugi.engine;

import io.kintsugi.engine.replication.DivergenceReport;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The child JVM of {@link DivergenceRebaseCrashTest}: opens the new primary of a {@link DivergedPair} (promoted to
 * term 3) and the diverged old primary, prints {@code diverged}, rebases the old one, prints {@code rebased}, opens
 * it again (which finishes the rebase), prints {@code reopened} and waits to be killed with SIGKILL.
 */
final class DivergenceRebaseCrashChild {

    private DivergenceRebaseCrashChild() {
    }

    /** @param args the old primary's directory, the new primary's directory */
    public static void main(String[] args) {
        watchParent();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.US_ASCII);
        try (Store primary = DivergedPair.openNew(Path.of(args[1]), 3)) {
            Store old = DivergedPair.openOldDiverged(Path.of(args[0]), primary);
            DivergenceReport report = old.replicationStatus().divergence().orElseThrow();
            List<RangeImage> images = DivergedPair.images(primary, report);
            out.println("diverged");
            old.rebaseDiverged(primary.lastSequence(), images);
            out.println("rebased");
            try (Store reopened = Store.open(Path.of(args[0]), DivergedPair.options())) {
                out.println("reopened");
                Thread.sleep(Long.MAX_VALUE);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
    }

    /** Halts when the parent goes away (stdin reaches end of file), so that no child outlives a test run. */
    private static void watchParent() {
        Thread t = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                    // nothing is sent; only the end matters
                }
            } catch (IOException ignored) {
                // the same as the end
            }
            Runtime.getRuntime().halt(3);
        }, "watch-parent");
        t.setDaemon(true);
        t.start();
    }
}
