package io.kintsugi.engine;

import io.kintsugi.engine.format.DecodedDataBlock;
import io.kintsugi.engine.format.IndexBlockFormat.IndexEntry;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.EntryKind;
import io.kintsugi.engine.table.InternalKeys;
import io.kintsugi.oplog.CorruptionException;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The entries of one segment file that a range install keeps: every entry outside the range, and the entries of the
 * range newer than the image's sequence, in the file's order.
 *
 * <p>When the file holds nothing newer than the image, a data block lying wholly inside the range is skipped
 * without being read (the index gives its keys and entry count): its entries would all be dropped, so damage there
 * is simply dropped with them, which is the point of installing a range over it. Every other block is read from
 * disk and verified; a damaged one fails the install with a {@link CorruptionException} naming the file and offset,
 * because entries the image does not replace would be lost with it (the caller must widen the range or choose a
 * later sequence).
 */
final class KeptFileEntries implements Iterator<Entry> {

    private final SegmentFileHandle file;
    private final byte[] fromKey;
    private final byte[] toKey;
    private final long sequence;
    private final DamageLog damage;
    private final RangeInstall.Tally tally;
    private final List<IndexEntry> blocks;
    private final boolean nothingNewer;
    private int nextBlock;
    private DecodedDataBlock block;
    private int nextInBlock;
    private Entry next;

    /**
     * @param fromKey  first internal key of the range
     * @param toKey    end (exclusive) internal key of the range
     * @param sequence the image's sequence: entries of the range at or below it are dropped
     */
    KeptFileEntries(SegmentFileHandle file, byte[] fromKey, byte[] toKey, long sequence, DamageLog damage,
                    RangeInstall.Tally tally) {
        this.file = file;
        this.fromKey = fromKey;
        this.toKey = toKey;
        this.sequence = sequence;
        this.damage = damage;
        this.tally = tally;
        this.blocks = file.reader().indexEntries();
        this.nothingNewer = file.metadata().maxSequence() <= sequence;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more entries of file " + file.number());
        }
        Entry e = next;
        next = null;
        return e;
    }

    private Entry advance() {
        while (true) {
            if (block == null || nextInBlock >= block.count()) {
                if (!loadNextBlock()) {
                    return null;
                }
            }
            int i = nextInBlock++;
            byte[] key = block.key(i);
            long seq = block.sequence(i);
            if (inRange(key) && seq <= sequence) {
                tally.entriesDropped++;
                continue;
            }
            return new Entry(key, seq, EntryKind.ofCode(block.kindCode(i)), block.value(i));
        }
    }

    /** Moves to the next block that must be read; false at the end of the file. */
    private boolean loadNextBlock() {
        while (nextBlock < blocks.size()) {
            int b = nextBlock++;
            IndexEntry e = blocks.get(b);
            if (nothingNewer && inRange(e.firstKey()) && inRange(e.lastKey())) {
                tally.entriesDropped += e.entryCount();
                tally.blocksSkipped++;
                continue;
            }
            try {
                // From disk, not the cache: what is copied into the new file is checked once more on its way.
                block = file.reader().verifyDataBlock(b);
            } catch (CorruptionException ce) {
                throw damage.recordFileDamage(file, ce, RangeInstall.OPERATION);
            }
            nextInBlock = 0;
            return true;
        }
        block = null;
        return false;
    }

    private boolean inRange(byte[] key) {
        return InternalKeys.compareKeys(key, fromKey) >= 0 && InternalKeys.compareKeys(key, toKey) < 0;
    }
}
