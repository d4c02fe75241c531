package io.kintsugi.engine;

import io.kintsugi.engine.table.Entry;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads racing flushes and compactions: a reader must never see a value older than one acknowledged before its
 * read began, nor miss a key that always exists, whatever the store installs meanwhile.
 */
class StoreConcurrencyTest {

    @TempDir
    Path dir;

    private static byte[] counter(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    @Test
    void readsNeverGoBackInTimeWhileFlushesAndCompactionsReplaceFiles() throws Exception {
        StoreOptions options = StoreOptions.builder().durability(Durability.NONE).compactionTrigger(2).build();
        try (Store store = Store.open(dir, options)) {
            Namespace ns = store.namespace("race");
            byte[] key = {1};
            ns.put(key, counter(0));
            AtomicLong acknowledged = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                Thread t = new Thread(() -> {
                    while (!done.get()) {
                        long floor = acknowledged.get();
                        byte[] v = ns.get(key);
                        if (v == null) {
                            violations.add("a key that always exists read as absent");
                        } else if (ByteBuffer.wrap(v).getLong() < floor) {
                            violations.add("read " + ByteBuffer.wrap(v).getLong() + " after " + floor
                                    + " was acknowledged");
                        }
                        try (Snapshot s = store.snapshot()) {
                            byte[] sv = s.get(ns, key);
                            if (sv == null || ByteBuffer.wrap(sv).getLong() < floor) {
                                violations.add("a snapshot went back in time");
                            }
                        }
                    }
                });
                t.start();
                readers.add(t);
            }
            for (long i = 1; i <= 1500; i++) {
                ns.put(key, counter(i));
                acknowledged.set(i);
                if (i % 3 == 0) {
                    store.flush();
                }
            }
            done.set(true);
            for (Thread t : readers) {
                t.join();
            }
            assertTrue(violations.isEmpty(), violations.size() + " violations, first: " + violations.peek());
            assertEquals(1500, ByteBuffer.wrap(ns.get(key)).getLong());
        }
    }

    @Test
    void aMergeThatFailedKeepsFailingInsteadOfSkippingTheDamagedSource() {
        CorruptionException damage = new CorruptionException(CorruptionReport.of(dir.resolve("x.seg"), 0, 1,
                CorruptionKind.CHECKSUM_MISMATCH, "test"));
        EntrySource failing = new EntrySource() {
            @Override
            public boolean next() {
                throw damage;
            }

            @Override
            public Entry entry() {
                return null;
            }

            @Override
            public void close() {
            }
        };
        Memtable m = new Memtable();
        m.add(Entry.put(new byte[] {0, 0, 0, 1, 5}, 1, new byte[] {1}));
        try (MergingIterator merge = new MergingIterator(List.of(new MemtableSource(m, null), failing))) {
            assertSame(damage, assertThrows(CorruptionException.class, merge::next));
            assertSame(damage, assertThrows(CorruptionException.class, merge::next),
                    "a second call must not carry on without the damaged source");
        }
    }
}
