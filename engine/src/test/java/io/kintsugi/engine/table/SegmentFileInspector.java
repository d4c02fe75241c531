package io.kintsugi.engine.table;

import io.kintsugi.engine.format.DecodedDataBlock;

import java.util.ArrayList;
import java.util.List;

/**
 * Test access to what a {@link SegmentFileReader} knows about its data blocks, for tests outside this package that
 * need to know exactly which entries a block holds (for example to predict which reads a damaged block fails).
 */
public final class SegmentFileInspector {

    private SegmentFileInspector() {
    }

    /**
     * @param reader an open reader of an intact file
     * @return the entries of each data block, in file order
     */
    public static List<List<Entry>> entriesByBlock(SegmentFileReader reader) {
        List<List<Entry>> blocks = new ArrayList<>();
        for (int b = 0; b < reader.index().blockCount(); b++) {
            DecodedDataBlock block = reader.dataBlock(b);
            List<Entry> entries = new ArrayList<>(block.count());
            for (int i = 0; i < block.count(); i++) {
                entries.add(SegmentFileReader.entryOf(block, i));
            }
            blocks.add(entries);
        }
        return blocks;
    }
}
