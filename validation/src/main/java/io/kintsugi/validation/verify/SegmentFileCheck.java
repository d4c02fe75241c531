package io.kintsugi.validation.verify;

import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.DecodedDataBlock;
import io.kintsugi.engine.format.FooterFormat;
import io.kintsugi.engine.format.IndexBlockFormat.IndexEntry;
import io.kintsugi.engine.format.SegmentFileHeaderFormat;
import io.kintsugi.engine.manifest.FileMetadata;
import io.kintsugi.engine.manifest.ManifestChecks;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.EntryKind;
import io.kintsugi.engine.table.InternalKeys;
import io.kintsugi.engine.table.SegmentFileInfo;
import io.kintsugi.engine.table.SegmentFileReader;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.UnsupportedFormatException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Verifies one segment file at a level, through the engine's own reader (opened with no block cache, so that every
 * block is read from disk), and against what the manifest records for it. Goes on past a damaged data block to the
 * next one; damage to the header, footer or the blocks loaded at open stops the file, since nothing else in it can
 * then be located.
 */
final class SegmentFileCheck {

    private static final VerifyComponent C = VerifyComponent.SEGMENT_FILES;

    private final Findings findings;
    private final ReadThrottle throttle;
    private final VerifyLevel level;

    SegmentFileCheck(Findings findings, ReadThrottle throttle, VerifyLevel level) {
        this.findings = findings;
        this.throttle = throttle;
        this.level = level;
    }

    /**
     * @param path    the file
     * @param number  its file number
     * @param size    the size it must have
     * @param listed  what the manifest records for it, or null if the manifest could not be read
     * @param storeId the store it must belong to
     */
    void check(Path path, long number, long size, FileMetadata listed, UUID storeId) {
        findings.examined(C, path);
        throttle.acquire(SegmentFileHeaderFormat.LENGTH + FooterFormat.LENGTH);
        try (SegmentFileReader reader = SegmentFileReader.open(path, number, storeId, size, BlockCache.disabled())) {
            // Open read the metadata, index and filter blocks: charge them now that their sizes are known.
            List<BlockHandle> data = reader.dataBlocks();
            long dataEnd = end(data.get(data.size() - 1));
            throttle.acquire(Math.max(0, size - FooterFormat.LENGTH - dataEnd));
            findings.blocks += 4;
            if (listed != null) {
                crossCheck(path, reader.info(), listed);
            }
            if (level != VerifyLevel.QUICK) {
                checkBlocks(path, reader);
            }
        } catch (CorruptionException e) {
            findings.problem(C, e.report());
        } catch (UnsupportedFormatException e) {
            findings.incomplete(C, path, e.getMessage());
        } catch (StorageException e) {
            findings.incomplete(C, path, "could not be read: " + e.getMessage());
        }
    }

    private static long end(BlockHandle h) {
        return h.offset() + h.length();
    }

    /** The footer and metadata against the manifest entry (recovery compares the same on open). */
    private void crossCheck(Path path, SegmentFileInfo info, FileMetadata listed) {
        try {
            ManifestChecks.checkWholeFileCrc(path, listed, info.wholeFileCrc());
        } catch (CorruptionException e) {
            findings.problem(C, e.report());
        }
        if (info.minSequence() != listed.minSequence() || info.maxSequence() != listed.maxSequence()
                || info.entryCount() != listed.entryCount()) {
            findings.problem(C, CorruptionReport.of(path, -1, -1, CorruptionKind.INVALID_CONTENT, "file "
                    + listed.fileNumber() + " holds sequences [" + info.minSequence() + ", " + info.maxSequence()
                    + "] in " + info.entryCount() + " entries, the manifest records [" + listed.minSequence() + ", "
                    + listed.maxSequence() + "] in " + listed.entryCount()));
        }
        if (!Arrays.equals(info.smallestKey(), listed.smallestKey())
                || !Arrays.equals(info.largestKey(), listed.largestKey())) {
            findings.problem(C, CorruptionReport.of(path, -1, -1, CorruptionKind.INVALID_CONTENT, "file "
                    + listed.fileNumber() + " holds another key range than the manifest records (smallest and "
                    + "largest key differ; lengths " + info.smallestKey().length + "/" + info.largestKey().length
                    + " in the file, " + listed.smallestKey().length + "/" + listed.largestKey().length
                    + " in the manifest)"));
        }
    }

    private void checkBlocks(Path path, SegmentFileReader reader) {
        try {
            throttle.acquire(SegmentFileHeaderFormat.LENGTH);
            reader.verifySizeAndHeader();
        } catch (CorruptionException e) {
            findings.problem(C, e.report());
            return;
        }
        List<IndexEntry> index = reader.indexEntries();
        EntryCheck entries = level == VerifyLevel.FULL ? new EntryCheck(path, reader) : null;
        for (int b = 0; b < index.size(); b++) {
            throttle.acquire(index.get(b).handle().length());
            findings.blocks++;
            try {
                if (entries == null) {
                    reader.verifyDataBlockChecksum(b);
                } else {
                    entries.block(index.get(b), reader.verifyDataBlock(b));
                }
            } catch (CorruptionException e) {
                findings.problem(C, e.report());
                if (entries != null) {
                    entries.skipped();
                }
            }
        }
        if (entries != null) {
            entries.finish();
        }
        try {
            throttle.acquire(Math.max(0, reader.info().size() - FooterFormat.LENGTH
                    - end(index.get(index.size() - 1).handle())) + FooterFormat.LENGTH);
            reader.verifyTrailingBlocks();
        } catch (CorruptionException e) {
            findings.problem(C, e.report());
        }
        try {
            reader.verifyWholeFileChecksum(throttle::acquire);
        } catch (CorruptionException e) {
            findings.problem(C, e.report());
        }
    }

    /**
     * The FULL checks on decoded entries: order across blocks (the decoder checks it within a block), sequences in
     * the file's range, the filter against every key, and counts against the metadata. Reports carry offsets and
     * counts, never keys.
     */
    private final class EntryCheck {
        private final Path path;
        private final SegmentFileReader reader;
        private final SegmentFileInfo info;
        private byte[] lastKey;
        private long lastSequence;
        private long lastBlockOffset = -1;
        private boolean complete = true;
        private long entries;
        private long puts;
        private long deletes;

        EntryCheck(Path path, SegmentFileReader reader) {
            this.path = path;
            this.reader = reader;
            this.info = reader.info();
        }

        void block(IndexEntry e, DecodedDataBlock block) {
            long offset = e.handle().offset();
            if (lastKey != null && InternalKeys.compare(lastKey, lastSequence, block.key(0), block.sequence(0)) >= 0) {
                findings.problem(C, CorruptionReport.of(path, offset, e.handle().length(),
                        CorruptionKind.INVALID_CONTENT, "the first entry of the data block does not sort after the last"
                                + " entry of the data block at offset " + lastBlockOffset + " (keys out of order "
                                + "across blocks; both blocks passed their checksums)"));
            }
            int filterMisses = 0;
            int outOfRange = 0;
            for (int i = 0; i < block.count(); i++) {
                byte[] key = block.key(i);
                long seq = block.sequence(i);
                if (!reader.filterMayContain(key)) {
                    filterMisses++;
                }
                if (seq < info.minSequence() || seq > info.maxSequence()) {
                    outOfRange++;
                }
                if (block.kindCode(i) == EntryKind.DELETE.code()) {
                    deletes++;
                } else {
                    puts++;
                }
            }
            if (filterMisses > 0) {
                findings.problem(C, CorruptionReport.of(path, offset, e.handle().length(),
                        CorruptionKind.INVALID_CONTENT, "the filter block says " + filterMisses + " of the "
                                + block.count() + " keys of this data block are absent (the filter disagrees with "
                                + "the data)"));
            }
            if (outOfRange > 0) {
                findings.problem(C, CorruptionReport.of(path, offset, e.handle().length(),
                        CorruptionKind.INVALID_CONTENT, outOfRange + " entries of this data block have sequences "
                                + "outside the file's range [" + info.minSequence() + ", " + info.maxSequence() + "]"));
            }
            entries += block.count();
            findings.entries += block.count();
            lastKey = block.key(block.count() - 1);
            lastSequence = block.sequence(block.count() - 1);
            lastBlockOffset = offset;
        }

        /** A block could not be decoded: order across it and the file's totals cannot be checked. */
        void skipped() {
            complete = false;
            lastKey = null;
        }

        void finish() {
            if (!complete) {
                return;
            }
            if (entries != info.entryCount() || puts != reader.putCount() || deletes != reader.deleteCount()) {
                findings.problem(C, CorruptionReport.of(path, -1, -1, CorruptionKind.INVALID_CONTENT, "the data "
                        + "blocks hold " + entries + " entries (" + puts + " puts, " + deletes + " deletes), the "
                        + "metadata block says " + info.entryCount() + " (" + reader.putCount() + " puts, "
                        + reader.deleteCount() + " deletes)"));
            }
        }
    }
}
