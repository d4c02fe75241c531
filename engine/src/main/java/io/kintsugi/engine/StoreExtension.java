package io.kintsugi.engine;

/**
 * Code of a higher module that follows a store's oplog markers: the validation module's range-hash checker is one.
 * Registered with {@link StoreOptions.Builder#extension(StoreExtension)}, it is told when the store opens, of every
 * log marker the store applies (its own and those it copies from a primary, in sequence order, including those
 * replayed on open), and when the store closes.
 */
public interface StoreExtension {

    /**
     * Called once the store is open, before the first call to {@link #onMarker} (markers replayed during the open are
     * delivered right after this).
     *
     * @param store the open store
     */
    default void onOpen(Store store) {
    }

    /**
     * Called on the thread that applies the store's oplog, in sequence order, for every log marker. It must not
     * block: hand the marker to another thread. The extension owns the marker and must {@link LogMarker#close()} it
     * (which releases its snapshot) when done; until then the snapshot keeps memtables and files alive.
     *
     * @param marker the marker and a snapshot of the store at exactly its place in the log
     */
    void onMarker(LogMarker marker);

    /** Called when the store starts closing, before its files close: stop using it and close every marker held. */
    default void onClose() {
    }
}
