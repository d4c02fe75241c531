package io.kintsugi.benchmarks;

import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One of the stores that the comparison benchmarks drive with the same operations: {@code kintsugi},
 * {@code rocksdb} or {@code lmdb}. Each operation does what an application would have to do to get the same
 * result from that store, no less: {@link #get} returns a value the caller owns, {@link #scan} hands over a copy
 * of every key and value.
 *
 * <p>Thread-safe: benchmarks call it from several threads at once.
 */
public interface ComparedStore extends AutoCloseable {

    /** The names accepted by {@link #open}, in the order results are shown. */
    String[] NAMES = {"kintsugi", "rocksdb", "lmdb"};

    /**
     * Opens a store in an empty directory.
     *
     * @param name one of {@link #NAMES}
     * @param mode when its writes may return
     * @param dir  an empty directory that the store owns until it is closed
     * @return the open store
     * @throws IllegalArgumentException if the name is unknown, or the store has no such write mode
     * @throws Exception                if the store cannot be opened
     */
    static ComparedStore open(String name, WriteMode mode, Path dir) throws Exception {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "kintsugi" -> new KintsugiStore(dir, mode);
            case "rocksdb" -> new RocksDbStore(dir, mode);
            case "lmdb" -> new LmdbStore(dir, mode);
            default -> throw unknown(name);
        };
    }

    /**
     * @param name one of {@link #NAMES}
     * @return how that store is configured for the comparison, in a sentence of Markdown
     * @throws IllegalArgumentException if the name is unknown
     */
    static String configuration(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "kintsugi" -> KintsugiStore.CONFIGURATION;
            case "rocksdb" -> RocksDbStore.CONFIGURATION;
            case "lmdb" -> LmdbStore.CONFIGURATION;
            default -> throw unknown(name);
        };
    }

    /**
     * Writes one key, returning as the store's {@link WriteMode} says.
     *
     * @param key   the key
     * @param value the value
     * @throws Exception if the store fails the write
     */
    void put(byte[] key, byte[] value) throws Exception;

    /**
     * @param key the key
     * @return a copy of its value, or null if absent
     * @throws Exception if the store fails the read
     */
    byte[] get(byte[] key) throws Exception;

    /**
     * Reads the keys in {@code [fromInclusive, toExclusive)} in order, copying each key and value out of the store.
     *
     * @param fromInclusive the first key
     * @param toExclusive   the key after the last
     * @param sink          consumes every key and value
     * @return the number of entries read
     * @throws Exception if the store fails the read
     */
    int scan(byte[] fromInclusive, byte[] toExclusive, Blackhole sink) throws Exception;

    /**
     * Writes keys {@code 0 .. count-1} ({@link KeyValueGenerator#key}, {@link KeyValueGenerator#value}) in batches
     * and leaves the store as a reader would find it after a quiet period: everything on disk in its final shape
     * (Kintsugi and RocksDB flushed and fully compacted; LMDB committed and synced).
     *
     * @param count the number of keys
     * @throws Exception if the store fails
     */
    void load(int count) throws Exception;

    /** Closes the store; its files stay for the caller to delete. */
    @Override
    void close();

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("unknown store '" + name + "'; expected one of "
                + String.join(", ", NAMES));
    }
}
