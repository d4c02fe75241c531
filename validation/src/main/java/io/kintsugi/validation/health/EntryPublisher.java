package io.kintsugi.validation.health;

import io.kintsugi.validation.events.HealthEntryEvent;
import io.kintsugi.validation.events.HealthEvent;
import io.kintsugi.validation.events.HealthListener;

import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Tells the world about an appended entry: commits the {@link HealthEntryEvent} JFR event and calls the listeners.
 * A listener that throws is logged and skipped, because monitoring must never make the health log lose an entry or
 * fail the code that reported it.
 */
final class EntryPublisher {

    private static final System.Logger LOG = System.getLogger(EntryPublisher.class.getName());

    private final List<HealthListener> listeners;

    EntryPublisher(List<HealthListener> listeners) {
        this.listeners = listeners;
    }

    void publish(HealthEntry entry) {
        HealthEvent event = HealthEvent.of(entry);
        HealthEntryEvent.commit(event);
        for (HealthListener l : listeners) {
            try {
                l.onEntry(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "health listener " + l.getClass().getName() + " failed on a "
                        + entry.severity() + " " + entry.kind() + " entry; the entry is logged, the failure ignored",
                        e);
            }
        }
    }
}
