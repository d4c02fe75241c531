package io.kintsugi.engine;

import io.kintsugi.oplog.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log markers and range watches: a marker lands only where the watched range still holds what its snapshot held,
 * and every extension gets a snapshot at exactly the marker's place, also for markers replayed on open.
 */
class RangeWatchTest {

    @TempDir
    Path dir;

    /** Collects markers; the test closes them. */
    static final class Collector implements StoreExtension {
        final BlockingQueue<LogMarker> markers = new LinkedBlockingQueue<>();
        volatile Store opened;

        @Override
        public void onOpen(Store store) {
            opened = store;
        }

        @Override
        public void onMarker(LogMarker marker) {
            markers.add(marker);
        }
    }

    private static byte[] key(int i) {
        return String.format("k%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private StoreOptions options(Collector c) {
        return StoreOptions.builder().durability(Durability.NONE).extension(c).build();
    }

    @Test
    void aMarkerCarriesASnapshotAtExactlyItsPlace() throws Exception {
        Collector c = new Collector();
        try (Store store = Store.open(dir, options(c))) {
            assertEquals(store, c.opened);
            Namespace ns = store.namespace("orders");
            for (int i = 0; i < 100; i++) {
                ns.put(key(i), new byte[]{(byte) i});
            }
            long markerSeq;
            try (RangeWatch w = store.watchRange(ns, key(10)); Snapshot s = w.snapshot()) {
                assertEquals(store.lastSequence(), s.sequence());
                ns.put(key(5), new byte[]{9}); // before the range: does not matter
                ns.put(key(60), new byte[]{9}); // after the range's last key: does not matter
                OptionalLong seq = w.appendMarker(key(51), "payload".getBytes(StandardCharsets.US_ASCII));
                assertTrue(seq.isPresent());
                markerSeq = seq.getAsLong();
            }
            ns.put(key(20), new byte[]{42}); // after the marker
            try (LogMarker m = c.markers.poll(10, TimeUnit.SECONDS)) {
                assertNotNull(m);
                assertEquals(markerSeq, m.sequence());
                assertEquals(markerSeq, m.snapshot().sequence());
                assertFalse(m.replayed());
                assertArrayEquals("payload".getBytes(StandardCharsets.US_ASCII), m.payload());
                assertArrayEquals(new byte[]{20}, m.snapshot().get(ns, key(20)), "the write after the marker is unseen");
                assertArrayEquals(new byte[]{9}, m.snapshot().get(ns, key(60)), "writes before the marker are seen");
            }
            assertArrayEquals(new byte[]{42}, ns.get(key(20)));
        }
    }

    @Test
    void aWriteIntoTheRangeAfterTheSnapshotPreventsTheMarker() throws Exception {
        Collector c = new Collector();
        try (Store store = Store.open(dir, options(c))) {
            Namespace ns = store.namespace("orders");
            for (int i = 0; i < 100; i++) {
                ns.put(key(i), new byte[]{(byte) i});
            }
            long before = store.lastSequence();
            try (RangeWatch w = store.watchRange(ns, key(10)); Snapshot s = w.snapshot()) {
                assertTrue(w.firstChangedKey().isEmpty());
                ns.put(key(5), new byte[1]); // before the watched keys: not a change
                ns.delete(key(60));
                ns.delete(key(50)); // the range's last key itself
                assertEquals(OptionalLong.empty(), w.appendMarker(key(51), new byte[1]));
                assertArrayEquals(key(50), w.firstChangedKey().orElseThrow(), "the smallest key written");
                assertTrue(w.appendMarker(key(50), new byte[1]).isPresent(), "a shorter range is still intact");
                assertEquals(OptionalLong.empty(), w.appendMarker(null, new byte[1]), "to the end: changed");
            }
            assertEquals(before + 4, store.lastSequence(), "a put, two deletes and one marker");
            try (RangeWatch w = store.watchRange(ns, key(10)); Snapshot s = w.snapshot()) {
                store.namespace("other").put(key(20), new byte[1]); // another namespace does not matter
                assertTrue(w.appendMarker(null, new byte[1]).isPresent());
            }
            assertThrows(IllegalArgumentException.class, () -> store.watchRange(store.namespace("none"), key(1)));
            try (RangeWatch w = store.watchRange(ns, key(10))) {
                assertThrows(IllegalStateException.class, () -> w.appendMarker(null, new byte[1]));
                try (Snapshot s = w.snapshot()) {
                    assertThrows(IllegalStateException.class, w::snapshot);
                    assertThrows(IllegalArgumentException.class, () -> w.appendMarker(key(10), new byte[1]));
                }
            }
            for (LogMarker m; (m = c.markers.poll()) != null; ) {
                m.close();
            }
        }
    }

    /**
     * Writers hammer the namespace while ranges are watched and marked. Whenever a marker lands, the range at the
     * marker's snapshot must equal the range at the watch's snapshot, byte for byte: the primary can never mark a
     * range that changed.
     */
    @Test
    void underConcurrentWritesAMarkedRangeNeverDiffersFromWhatWasHashed() throws Exception {
        Collector c = new Collector();
        long seed = 0x5eed_0001L;
        try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE)
                .memtableBudget(256 << 10).extension(c).build())) {
            Namespace ns = store.namespace("hot");
            for (int i = 0; i < 2000; i++) {
                ns.put(key(i), new byte[]{1});
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long s = seed + t;
                Thread th = new Thread(() -> {
                    Random r = new Random(s);
                    while (!stop.get()) {
                        int k = r.nextInt(2000);
                        if (r.nextInt(10) == 0) {
                            ns.delete(key(k));
                        } else {
                            ns.put(key(k), new byte[]{(byte) r.nextInt(), (byte) r.nextInt()});
                        }
                        writes.incrementAndGet();
                    }
                });
                th.start();
                writers.add(th);
            }
            Random r = new Random(seed);
            int landed = 0;
            int refused = 0;
            try {
                for (int round = 0; round < 300; round++) {
                    int from = r.nextInt(2000);
                    int to = Math.min(1999, from + 1 + r.nextInt(round % 2 == 0 ? 5 : 200));
                    List<byte[]> hashed;
                    OptionalLong seq;
                    try (RangeWatch w = store.watchRange(ns, key(from)); Snapshot s = w.snapshot()) {
                        hashed = contents(s, ns, from, to);
                        seq = w.appendMarker(key(to + 1), new byte[]{(byte) round});
                    }
                    if (seq.isEmpty()) {
                        refused++;
                        continue;
                    }
                    landed++;
                    try (LogMarker m = c.markers.poll(10, TimeUnit.SECONDS)) {
                        assertNotNull(m);
                        assertEquals(seq.getAsLong(), m.sequence());
                        List<byte[]> atMarker = contents(m.snapshot(), ns, from, to);
                        assertEquals(hashed.size(), atMarker.size(), "round " + round);
                        for (int i = 0; i < hashed.size(); i++) {
                            assertArrayEquals(hashed.get(i), atMarker.get(i), "round " + round + " entry " + i);
                        }
                    }
                }
            } finally {
                stop.set(true);
                for (Thread th : writers) {
                    th.join();
                }
            }
            assertTrue(landed > 0, "some markers landed (" + refused + " refused)");
            assertTrue(writes.get() > 0);
        }
    }

    private static List<byte[]> contents(Snapshot s, Namespace ns, int from, int toInclusive) {
        List<byte[]> out = new ArrayList<>();
        try (Cursor cur = s.scan(ns, key(from), key(toInclusive + 1))) {
            while (cur.next()) {
                out.add(cur.key());
                out.add(cur.value());
            }
        }
        return out;
    }

    @Test
    void markersReplayedOnOpenAreDeliveredWithTheirOwnSnapshots() throws Exception {
        Collector first = new Collector();
        long markerSeq;
        try (Store store = Store.open(dir, options(first))) {
            Namespace ns = store.namespace("orders");
            ns.put(key(1), new byte[]{1});
            try (RangeWatch w = store.watchRange(ns, new byte[0]); Snapshot s = w.snapshot()) {
                markerSeq = w.appendMarker(null, new byte[]{7}).getAsLong();
            }
            ns.put(key(1), new byte[]{2});
            first.markers.take().close();
        }
        Collector second = new Collector();
        try (Store store = Store.open(dir, options(second))) {
            try (LogMarker m = second.markers.poll(10, TimeUnit.SECONDS)) {
                assertNotNull(m);
                assertTrue(m.replayed());
                assertEquals(markerSeq, m.sequence());
                assertArrayEquals(new byte[]{1}, m.snapshot().get(store.namespace("orders"), key(1)));
            }
            assertArrayEquals(new byte[]{2}, store.namespace("orders").get(key(1)));
        }
        // Without an extension the marker is simply skipped.
        try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build())) {
            assertArrayEquals(new byte[]{2}, store.namespace("orders").get(key(1)));
        }
    }

    @Test
    void aValueWrittenWithoutTheOplogIsReadHereAndSurvivesAFlushButNotAReplay() {
        try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build())) {
            Namespace ns = store.namespace("orders");
            for (int i = 0; i < 10; i++) {
                ns.put(key(i), new byte[]{(byte) i});
            }
            long seq = store.lastSequence();
            FaultHooks.writeWithoutOplog(ns, key(3), new byte[]{99});
            assertEquals(seq, store.lastSequence(), "no oplog record");
            assertArrayEquals(new byte[]{99}, ns.get(key(3)));
            assertArrayEquals(new byte[]{4}, ns.get(key(4)));
            assertThrows(IllegalArgumentException.class,
                    () -> FaultHooks.writeWithoutOplog(store.namespace("none"), key(3), new byte[1]));
        }
        try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build())) {
            Namespace ns = store.namespace("orders");
            assertArrayEquals(new byte[]{3}, ns.get(key(3)), "replaying the oplog undoes an unflushed fault");
            FaultHooks.writeWithoutOplog(ns, key(5), new byte[]{77});
            store.flush();
        }
        try (Store store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build())) {
            Namespace ns = store.namespace("orders");
            assertArrayEquals(new byte[]{77}, ns.get(key(5)), "a flushed fault persists with valid checksums");
            assertNull(ns.get(key(11)));
            assertTrue(Arrays.equals(new byte[]{9}, ns.get(key(9))));
        }
    }
}
