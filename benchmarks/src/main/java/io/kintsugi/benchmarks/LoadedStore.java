package io.kintsugi.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A compared store holding keys {@code 0 .. keys-1} from {@link KeyValueGenerator}, loaded, made read-ready
 * ({@link ComparedStore#load}) and spot-checked, in a fresh directory under {@code -Dkintsugi.bench.dir}: what the
 * read benchmarks measure.
 */
final class LoadedStore implements AutoCloseable {

    private static final int SPOT_CHECKS = 1000;

    private final Path dir;
    private final ComparedStore store;

    private LoadedStore(Path dir, ComparedStore store) {
        this.dir = dir;
        this.store = store;
    }

    /**
     * Loads a fresh store and checks that it returns the values written.
     *
     * @param name one of {@link ComparedStore#NAMES}
     * @param keys the number of keys
     * @return the loaded store
     * @throws IllegalStateException if a spot-checked key has the wrong value
     * @throws Exception             if the store fails
     */
    static LoadedStore create(String name, int keys) throws Exception {
        Path dir = BenchmarkDirs.create("compare-read-" + name);
        // Reads do not depend on the write mode; DURABLE is the one all three stores have.
        ComparedStore store = ComparedStore.open(name, WriteMode.DURABLE, dir);
        LoadedStore loaded = new LoadedStore(dir, store);
        try {
            long start = System.nanoTime();
            store.load(keys);
            loaded.spotCheck(keys);
            System.out.printf("%n  [%s] loaded %,d keys and made them read-ready in %.1f s%n", name, keys,
                    (System.nanoTime() - start) / 1e9);
            return loaded;
        } catch (Exception | Error e) {
            loaded.close();
            throw e;
        }
    }

    /** @return the store */
    ComparedStore store() {
        return store;
    }

    private void spotCheck(int keys) throws Exception {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < SPOT_CHECKS; i++) {
            int n = rnd.nextInt(keys);
            byte[] v = store.get(KeyValueGenerator.key(n));
            if (!Arrays.equals(v, KeyValueGenerator.value(n))) {
                throw new IllegalStateException("key " + n + " reads back " + (v == null ? "as absent"
                        : "a different value") + " after loading " + keys + " keys");
            }
        }
    }

    /**
     * Closes the store and deletes its files.
     *
     * @throws IOException if deleting fails
     */
    @Override
    public void close() throws IOException {
        try {
            store.close();
        } finally {
            BenchmarkDirs.delete(dir);
        }
    }
}
