package io.kintsugi.validation.events;

/**
 * Told about every entry a {@link io.kintsugi.validation.health.HealthLog} appends, after it is appended (and, for
 * an ERROR entry, after it is durable). Register one with
 * {@link io.kintsugi.validation.health.HealthLogOptions.Builder#listener(HealthListener)}.
 *
 * <p>Called on the appending thread, in log order, while the log holds its append lock: keep it quick, hand slow
 * work (a network call to a monitoring system) to another thread, and never append to the same health log from it.
 * An exception it throws is logged and otherwise ignored: it never fails the append or stops other listeners.
 */
@FunctionalInterface
public interface HealthListener {

    /**
     * @param event the entry, metadata only: the key range appears as a fingerprint, never as key bytes
     */
    void onEntry(HealthEvent event);
}
