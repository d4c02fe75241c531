package io.kintsugi.validation.health;

/** Where the scanner and the checker put their health entries: a replica's {@link HealthLog}, or a test's list. */
@FunctionalInterface
public interface HealthSink {

    /**
     * @param entry the entry to keep
     */
    void record(HealthEntry entry);
}
