package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.InternalKeys;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Merges the entries a range install keeps from one file with the image's entries, in internal key order, for the
 * file whose sequence range holds the image's sequence (so that files' sequence ranges stay disjoint). An image
 * entry whose key the kept entries also hold is left out: a kept entry of the range is always newer than the
 * image, and every reader of the new file reads at or above it, so the image entry could never be seen.
 */
final class ImageMerge implements Iterator<Entry> {

    private final Iterator<Entry> kept;
    private final Iterator<Entry> image;
    private final RangeInstall.Tally tally;
    private Entry keptHead;
    private Entry imageHead;
    private byte[] lastKey;
    private Entry next;

    ImageMerge(Iterator<Entry> kept, Iterator<Entry> image, RangeInstall.Tally tally) {
        this.kept = kept;
        this.image = image;
        this.tally = tally;
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
            throw new NoSuchElementException("no more entries to merge");
        }
        Entry e = next;
        next = null;
        return e;
    }

    private Entry advance() {
        while (true) {
            if (keptHead == null && kept.hasNext()) {
                keptHead = kept.next();
            }
            if (imageHead == null && image.hasNext()) {
                imageHead = image.next();
            }
            if (keptHead == null && imageHead == null) {
                return null;
            }
            Entry e;
            if (imageHead == null || (keptHead != null && InternalKeys.COMPARATOR.compare(keptHead, imageHead) < 0)) {
                e = keptHead;
                keptHead = null;
            } else {
                e = imageHead;
                imageHead = null;
                if (lastKey != null && Arrays.equals(lastKey, e.key())) {
                    continue; // shadowed by a newer kept version of the same key
                }
                tally.entriesInstalled++;
            }
            lastKey = e.key();
            return e;
        }
    }
}
