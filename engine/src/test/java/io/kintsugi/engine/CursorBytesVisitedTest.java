package io.kintsugi.engine;

import io.kintsugi.oplog.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@link Cursor#bytesVisited()}: a cursor counts every stored version it steps over (older versions, tombstones,
 * versions newer than its read point), not only the pairs it returns; what a paced reader is charged.
 */
class CursorBytesVisitedTest {

    private static final int KEYS = 200;
    private static final int KEY_LENGTH = 9;
    private static final int VALUE_LENGTH = 50;

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return String.format("key-%05d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static long visitAll(Cursor c) {
        try (c) {
            while (c.next()) {
                c.key();
            }
            return c.bytesVisited();
        }
    }

    @Test
    void countsOlderVersionsTombstonesAndNewerVersionsUntilACompactionDropsThem() {
        try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build())) {
            Namespace ns = store.namespace("a");
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < KEYS; i++) {
                    ns.put(key(i), new byte[VALUE_LENGTH]);
                }
            }
            for (int i = 0; i < KEYS / 4; i++) {
                ns.delete(key(i));
            }
            long pair = KEY_LENGTH + VALUE_LENGTH;
            long stored = 3L * KEYS * pair + (KEYS / 4) * KEY_LENGTH;
            assertEquals(stored, visitAll(ns.scan(new byte[0], null)), "three versions of each key, and tombstones");

            try (Snapshot before = store.snapshot()) {
                for (int i = 0; i < KEYS; i++) {
                    ns.put(key(i), new byte[VALUE_LENGTH]);
                }
                assertEquals(stored + KEYS * pair, visitAll(before.scan(ns, new byte[0], null)),
                        "versions newer than the snapshot are stepped over too");
            }

            store.compact();
            assertEquals(KEYS * pair, visitAll(ns.scan(new byte[0], null)),
                    "after a compaction with no snapshot open, one version per key is left");
            assertEquals(10 * pair, visitAll(ns.scan(key(20), key(30))), "only the range's versions");
            try (Cursor c = ns.scan(key(5), key(5))) {
                assertFalse(c.next());
                assertEquals(0, c.bytesVisited(), "an empty range steps over nothing");
            }
        }
    }
}
