package io.kintsugi.repair.net;

/**
 * Receives the pairs of a fetched range in ascending key order as they arrive, before the range's hash has been
 * checked: only a normal return of {@link RepairClient#fetchRange} means every pair was right, so a sink stages
 * what it receives (a temporary file, a list) and throws it away when the fetch fails.
 */
@FunctionalInterface
public interface RangeSink {

    /**
     * @param key   the key (the sink may keep the array)
     * @param value the value (the sink may keep the array)
     */
    void accept(byte[] key, byte[] value);
}
