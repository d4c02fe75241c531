package io.kintsugi.engine.manifest;

import io.kintsugi.oplog.StorageException;

/**
 * The store directory has no manifest at all: it is not (yet) a store. Distinct from a damaged or partly missing
 * manifest, which is a {@link io.kintsugi.oplog.CorruptionException}, so that the engine can decide whether a
 * directory is a new store; before creating one it must check that the directory holds no data
 * ({@link ManifestChecks#checkNewStoreDirectory}), because data without a manifest means the manifest was lost.
 */
public class ManifestNotFoundException extends StorageException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message which directory has no manifest
     */
    public ManifestNotFoundException(String message) {
        super(message);
    }
}
