package io.kintsugi.validation.faults;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.manifest.Manifest;
import io.kintsugi.engine.manifest.ManifestState;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.KeyRange;
import io.kintsugi.engine.table.SegmentFileReader;
import io.kintsugi.oplog.StorageException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What {@link FaultInjector} needs to know about a closed store's segment files: which files the manifest lists,
 * the namespace ids, where each file's data blocks are and which block holds a key. Reads through the engine's own
 * verifying readers, so it only ever describes files that were intact before the fault.
 */
final class SegmentLayout {

    private final Path storeDir;
    private final ManifestState state;

    private SegmentLayout(Path storeDir, ManifestState state) {
        this.storeDir = storeDir;
        this.state = state;
    }

    /**
     * Reads the manifest of a closed store.
     *
     * @throws IllegalArgumentException if the directory holds no store
     * @throws IllegalStateException if the store is open (its manifest cannot be opened a second time)
     */
    static SegmentLayout of(Path storeDir) {
        if (!Manifest.exists(storeDir)) {
            throw new IllegalArgumentException(storeDir + " is not a store directory: it has no manifest");
        }
        ManifestState state;
        try (Manifest manifest = Manifest.open(storeDir)) {
            state = manifest.state();
        } catch (io.kintsugi.oplog.CorruptionException e) {
            throw e;
        } catch (StorageException e) {
            throw new IllegalStateException("cannot read the manifest of " + storeDir + " (" + e.getMessage() + "):"
                    + " faults that locate data through the index need a closed store", e);
        }
        return new SegmentLayout(storeDir, state);
    }

    /**
     * A data block of a segment file.
     *
     * @param file   the segment file
     * @param index  the block's position among the file's data blocks
     * @param handle where it is
     */
    record DataBlock(Path file, int index, BlockHandle handle) {
    }

    /**
     * Finds the data block that holds the newest version of a key that any segment file holds.
     *
     * @throws IllegalArgumentException if the namespace or the key is in no segment file
     */
    DataBlock blockHolding(String namespace, byte[] key) {
        OptionalInt id = state.namespaceId(namespace);
        if (id.isEmpty()) {
            throw new IllegalArgumentException("namespace " + namespace + " is in no segment file of " + storeDir
                    + ": its writes are only in the oplog (the memtable when open); flush the store before closing"
                    + " it");
        }
        byte[] internal = internalKey(id.getAsInt(), key);
        DataBlock best = null;
        long bestSequence = -1;
        for (Map.Entry<Long, FileMetadata> f : state.files().descendingMap().entrySet()) {
            Path file = segmentFile(f.getKey());
            try (SegmentFileReader reader = open(f.getValue())) {
                Entry e = reader.get(internal, Long.MAX_VALUE);
                if (e == null || e.sequence() <= bestSequence) {
                    continue;
                }
                List<BlockHandle> blocks = reader.dataBlocks();
                for (int b = 0; b < blocks.size(); b++) {
                    KeyRange range = reader.blockKeyRange(blocks.get(b).offset());
                    if (range.contains(internal)) {
                        best = new DataBlock(file, b, blocks.get(b));
                        bestSequence = e.sequence();
                        break;
                    }
                }
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("the key (" + key.length + " bytes) of namespace " + namespace
                    + " is in no segment file of " + storeDir + ": it is only in the oplog (the memtable when open);"
                    + " flush the store before closing it");
        }
        return best;
    }

    /** @return the segment files the manifest lists, in file-number order */
    List<Path> segmentFiles() {
        List<Path> files = new ArrayList<>();
        for (long n : state.files().keySet()) {
            files.add(segmentFile(n));
        }
        return files;
    }

    /**
     * @return the data blocks of a segment file the manifest lists, in file order
     * @throws IllegalArgumentException if the manifest does not list the file
     */
    List<BlockHandle> dataBlocks(Path file) {
        FileMetadata meta = listed(file);
        try (SegmentFileReader reader = open(meta)) {
            return reader.dataBlocks();
        }
    }

    private FileMetadata listed(Path file) {
        long number = StoreFiles.parseSegmentFileName(file.getFileName().toString());
        FileMetadata meta = number < 0 ? null : state.file(number).orElse(null);
        if (meta == null || !segmentFile(number).toAbsolutePath().normalize()
                .equals(file.toAbsolutePath().normalize())) {
            // Named like a segment file but not live: an obsolete file, or one in another directory.
            throw new IllegalArgumentException(file + " is not a segment file that the manifest of " + storeDir
                    + " lists");
        }
        return meta;
    }

    private SegmentFileReader open(FileMetadata meta) {
        return SegmentFileReader.open(segmentFile(meta.fileNumber()), meta.fileNumber(), state.storeId(), meta.size(),
                BlockCache.disabled());
    }

    private Path segmentFile(long number) {
        return storeDir.resolve(StoreFiles.segmentFileName(number));
    }

    /** The engine's internal key: the namespace id, big-endian (so namespaces sort apart), then the user key. */
    private static byte[] internalKey(int namespace, byte[] key) {
        byte[] k = new byte[4 + key.length];
        k[0] = (byte) (namespace >>> 24);
        k[1] = (byte) (namespace >>> 16);
        k[2] = (byte) (namespace >>> 8);
        k[3] = (byte) namespace;
        System.arraycopy(key, 0, k, 4, key.length);
        return k;
    }
}
