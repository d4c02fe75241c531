package io.kintsugi.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The child JVM of {@link RangeInstallCrashTest}: opens the store and installs two range images into namespace
 * {@value #NS} in turn, forever, printing {@code installed <round>} after each install returns, until the parent
 * kills it with SIGKILL. Nothing else writes, so after any crash the range must hold one image or the other, and
 * everything else must be as the parent created it.
 */
final class RangeInstallCrashChild {

    static final String NS = "installed";
    static final String OTHER = "untouched";
    static final int KEYS = 2000;
    static final int FROM = 500;
    static final int TO = 1500;

    private RangeInstallCrashChild() {
    }

    /** @param args the store directory */
    public static void main(String[] args) {
        watchParent();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.US_ASCII);
        try (Store store = Store.open(Path.of(args[0]), options())) {
            out.println("opened");
            for (long round = 0; ; round++) {
                List<RangeEntry> image = image((int) (round % 2));
                store.installRange(store.namespace(NS), RangeModel.key(FROM), RangeModel.key(TO),
                        store.lastSequence(), image.iterator());
                out.println("installed " + round);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
    }

    static StoreOptions options() {
        return StoreOptions.builder().blockSize(4096).memtableBudget(1 << 20).build();
    }

    /** The base value of key {@code i} of a namespace, as the parent writes it. */
    static byte[] base(String ns, int i) {
        return pad(ns + " base " + i, 120);
    }

    /**
     * Image 0 holds every even key of the range, image 1 every third key, with values that say which image and
     * key they belong to; about 150 to 250 KiB each, so that an install takes long enough to be killed inside.
     */
    static List<RangeEntry> image(int which) {
        List<RangeEntry> out = new ArrayList<>();
        for (int i = FROM; i < TO; i++) {
            if (which == 0 ? i % 2 == 0 : i % 3 == 0) {
                out.add(new RangeEntry(RangeModel.key(i), pad("image " + which + " key " + i, 300)));
            }
        }
        return out;
    }

    private static byte[] pad(String s, int length) {
        byte[] b = Arrays.copyOf(s.getBytes(StandardCharsets.US_ASCII), length);
        Arrays.fill(b, s.length(), length, (byte) '.');
        return b;
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
