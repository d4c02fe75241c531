package io.kintsugi.engine;

import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public API's contract: limits, closed-store behaviour, namespaces, batches, snapshots. */
class StoreApiTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void assertMessageContains(Exception e, String part) {
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention " + part);
    }

    @Test
    void sizeLimitsAreEnforcedWithTheLimitNamed() {
        try (Store store = Store.open(dir)) {
            Namespace ns = store.namespace("a");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> ns.put(new byte[Limits.MAX_KEY_LENGTH + 1], b("v"))), "MAX_KEY_LENGTH");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> ns.put(b("k"), new byte[Limits.MAX_VALUE_LENGTH + 1])), "MAX_VALUE_LENGTH");
            assertMessageContains(assertThrows(IllegalArgumentException.class, () -> ns.put(null, b("v"))), "key");
            assertMessageContains(assertThrows(IllegalArgumentException.class, () -> ns.put(b("k"), null)),
                    "value");
            assertMessageContains(assertThrows(IllegalArgumentException.class, () -> ns.get(null)), "key");
            assertMessageContains(assertThrows(IllegalArgumentException.class, () -> store.namespace("Bad Name")),
                    "[a-z0-9_.-]{1,64}");
            assertMessageContains(assertThrows(IllegalArgumentException.class, () -> store.namespace("")),
                    "1 to 64");
            assertThrows(IllegalArgumentException.class, () -> store.namespace("x".repeat(65)));
            assertMessageContains(assertThrows(IllegalArgumentException.class, () -> store.write(store.newBatch())),
                    "at least one");
            ns.put(new byte[Limits.MAX_KEY_LENGTH], new byte[1 << 20]);
            assertEquals(1 << 20, ns.get(new byte[Limits.MAX_KEY_LENGTH]).length);
        }
    }

    @Test
    void aClosedStoreThrowsStorageExceptionSayingSo() {
        Store store = Store.open(dir);
        Namespace ns = store.namespace("a");
        ns.put(b("k"), b("v"));
        store.close();
        store.close();
        StorageException e = assertThrows(StorageException.class, () -> ns.get(b("k")));
        assertEquals(StorageException.class, e.getClass());
        assertMessageContains(e, "store is closed");
        assertMessageContains(assertThrows(StorageException.class, () -> ns.put(b("k"), b("v"))), "store is closed");
        assertMessageContains(assertThrows(StorageException.class, () -> ns.scan(null, null)), "store is closed");
        assertMessageContains(assertThrows(StorageException.class, store::snapshot), "store is closed");
        assertMessageContains(assertThrows(StorageException.class, store::flush), "store is closed");
        assertMessageContains(assertThrows(StorageException.class, store::lastSequence), "store is closed");
    }

    @Test
    void readingAnUnknownNamespaceReturnsNothingAndWritesNothing() throws IOException {
        try (Store store = Store.open(dir)) {
            long before = store.lastSequence();
            Namespace ghost = store.namespace("ghost");
            assertNull(ghost.get(b("k")));
            try (Cursor c = ghost.scan(null, null)) {
                assertFalse(c.next());
            }
            assertEquals(before, store.lastSequence(), "reads of an unknown namespace write nothing");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".seg")));
        }
    }

    @Test
    void namespacesAreSeparateKeySpacesThatSurviveReopen() {
        try (Store store = Store.open(dir)) {
            store.namespace("a").put(b("k"), b("in a"));
            store.namespace("b").put(b("k"), b("in b"));
        }
        try (Store store = Store.open(dir)) {
            assertArrayEquals(b("in a"), store.namespace("a").get(b("k")));
            assertArrayEquals(b("in b"), store.namespace("b").get(b("k")));
            store.flush();
        }
        try (Store store = Store.open(dir)) {
            assertArrayEquals(b("in a"), store.namespace("a").get(b("k")));
            assertArrayEquals(b("in b"), store.namespace("b").get(b("k")));
        }
    }

    @Test
    void aBatchIsAtomicAndItsLaterOperationWins() {
        try (Store store = Store.open(dir)) {
            Namespace a = store.namespace("a");
            Namespace c = store.namespace("c");
            a.put(b("gone"), b("x"));
            WriteBatch batch = store.newBatch();
            batch.put(a, b("k"), b("first")).put(a, b("k"), b("second")).delete(a, b("gone")).put(c, b("z"), b("1"));
            long seq = store.write(batch);
            assertEquals(seq, store.lastSequence());
            assertArrayEquals(b("second"), a.get(b("k")));
            assertNull(a.get(b("gone")));
            assertArrayEquals(b("1"), c.get(b("z")));
            try (Store other = Store.open(dir.resolve("other"))) {
                assertThrows(IllegalArgumentException.class, () -> other.newBatch().put(a, b("k"), b("v")));
                assertThrows(IllegalArgumentException.class, () -> other.write(batch));
            }
        }
    }

    @Test
    void aSnapshotSeesExactlyItsSequenceThroughFlushAndCompaction() {
        StoreOptions options = StoreOptions.builder().durability(Durability.NONE).build();
        try (Store store = Store.open(dir, options)) {
            Namespace ns = store.namespace("a");
            ns.put(b("k1"), b("old"));
            ns.put(b("k2"), b("old"));
            try (Snapshot s = store.snapshot()) {
                ns.put(b("k1"), b("new"));
                ns.delete(b("k2"));
                ns.put(b("k3"), b("new"));
                store.flush();
                store.compact();
                assertArrayEquals(b("old"), s.get(ns, b("k1")));
                assertArrayEquals(b("old"), s.get(ns, b("k2")));
                assertNull(s.get(ns, b("k3")));
                try (Cursor c = s.scan(ns, null, null)) {
                    assertTrue(c.next());
                    assertArrayEquals(b("k1"), c.key());
                    assertTrue(c.next());
                    assertArrayEquals(b("k2"), c.key());
                    assertFalse(c.next());
                }
            }
            assertArrayEquals(b("new"), ns.get(b("k1")));
            assertNull(ns.get(b("k2")));
        }
    }

    @Test
    void cursorsRespectBoundsAndUnsignedOrder() {
        try (Store store = Store.open(dir)) {
            Namespace ns = store.namespace("a");
            byte[][] keys = {{0x01}, {0x7F}, {(byte) 0x80}, {(byte) 0xFF}, {(byte) 0xFF, 0x00}};
            for (byte[] k : keys) {
                ns.put(k, k);
            }
            try (Cursor c = ns.scan(new byte[] {0x7F}, new byte[] {(byte) 0xFF})) {
                assertTrue(c.next());
                assertArrayEquals(keys[1], c.key());
                assertTrue(c.next());
                assertArrayEquals(keys[2], c.key());
                assertFalse(c.next());
                assertThrows(IllegalStateException.class, c::key);
            }
            try (Cursor c = ns.scan(new byte[] {(byte) 0x90}, new byte[] {0x10})) {
                assertFalse(c.next(), "an empty range");
            }
            Cursor closed = ns.scan(null, null);
            closed.close();
            assertThrows(StorageException.class, closed::next);
        }
    }

    @Test
    void statsReportFilesCacheAndSequences() {
        try (Store store = Store.open(dir)) {
            Namespace ns = store.namespace("a");
            for (int i = 0; i < 100; i++) {
                ns.put(b("key" + i), new byte[100]);
            }
            store.flush();
            for (int i = 0; i < 100; i++) {
                ns.get(b("key" + i));
            }
            StoreStats s = store.stats();
            assertEquals(1, s.segmentFiles());
            assertTrue(s.segmentBytes() > 0);
            assertEquals(store.lastSequence(), s.lastSequence());
            assertEquals(s.lastSequence(), s.flushedSequence());
            assertTrue(s.cacheHits() + s.cacheMisses() > 0);
            assertEquals(0, s.corruptionCount());
            assertEquals(List.of(), store.damage());
        }
    }
}
