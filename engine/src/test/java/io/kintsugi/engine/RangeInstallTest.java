package io.kintsugi.engine;

import io.kintsugi.engine.format.IndexBlockFormat.IndexEntry;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.table.BlockCache;
import io.kintsugi.engine.table.SegmentFileReader;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Store#installRange}: a seeded model test (random writes in two namespaces, some flushed and compacted, a
 * store view corrupted inside the range, writes after the image's sequence before and after the install), damaged
 * blocks inside and across the range, and refused inputs. Every check compares every key of both namespaces, full
 * scans and scans of the range with an oracle, also after a reopen.
 */
class RangeInstallTest {

    private static final int KEYS = 800;
    private static final String A = "alpha";
    private static final String B = "beta";

    @TempDir
    Path dir;

    @TempDir
    Path otherDir;

    static StoreOptions options(int blockSize) {
        return options(blockSize, 3);
    }

    /** Small memtables and blocks, so that flushes happen often and files have many blocks. */
    static StoreOptions options(int blockSize, int compactionTrigger) {
        return StoreOptions.builder()
                .durability(Durability.NONE)
                .memtableBudget(64 << 10)
                .blockSize(blockSize)
                .compactionTrigger(compactionTrigger)
                .compactionMaxFiles(Math.max(4, compactionTrigger))
                .blockCacheSize(256 << 10)
                .build();
    }

    /** Random puts, deletes, overwrites and two-namespace batches, with flushes and compactions now and then. */
    private static void writeRandomly(Store store, RangeModel model, Random rnd, int ops, Set<String> touched) {
        writeRandomly(store, model, rnd, ops, touched, true);
    }

    private static void writeRandomly(Store store, RangeModel model, Random rnd, int ops, Set<String> touched,
                                      boolean compactions) {
        for (int step = 0; step < ops; step++) {
            String name = rnd.nextBoolean() ? A : B;
            Namespace ns = store.namespace(name);
            int i = rnd.nextInt(KEYS);
            int op = rnd.nextInt(100);
            if (op < 70) {
                byte[] v = value(rnd);
                ns.put(RangeModel.key(i), v);
                model.put(name, RangeModel.key(i), v);
            } else if (op < 90) {
                ns.delete(RangeModel.key(i));
                model.remove(name, RangeModel.key(i));
            } else {
                int j = rnd.nextInt(KEYS);
                byte[] v = value(rnd);
                store.write(store.newBatch().put(store.namespace(A), RangeModel.key(i), v)
                        .delete(store.namespace(B), RangeModel.key(j)));
                model.put(A, RangeModel.key(i), v);
                model.remove(B, RangeModel.key(j));
                touched.add(A + "/" + i);
                touched.add(B + "/" + j);
            }
            touched.add(name + "/" + i);
            int m = rnd.nextInt(1000);
            if (m < 8) {
                store.flush();
            } else if (m < 10 && compactions) {
                store.compact();
            }
        }
    }

    private static byte[] value(Random rnd) {
        byte[] v = new byte[1 + rnd.nextInt(200)];
        rnd.nextBytes(v);
        return v;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void theRangeReadsAsTheImageWithLaterWritesOnTopAlsoAfterReopen(int variant) {
        long seed = Long.getLong("kintsugi.install.seed", 20261203L) + variant;
        String ctx = "seed " + seed + ", variant " + variant;
        Random rnd = new Random(seed);
        RangeModel model = new RangeModel(A, B);
        Set<String> touched = new HashSet<>();
        // No automatic compactions: one that drops deletes made after S would make the install refuse S (see
        // deletesCompactedAwayAfterTheImageSequenceMakeTheInstallRefuseIt); explicit ones run before S and after.
        Store store = Store.open(dir, options(1024, 1000));
        try {
            writeRandomly(store, model, rnd, 3000, touched);
            int lo = rnd.nextInt(KEYS / 2);
            int hi = lo + 40 + rnd.nextInt(KEYS / 3);
            byte[] from = variant % 3 == 1 ? null : RangeModel.key(lo);
            byte[] to = variant % 3 == 2 ? null : RangeModel.key(hi);
            int first = from == null ? 0 : lo;
            int end = to == null ? KEYS : hi;

            // The store's view goes wrong inside the range: values that no write made, at sequences below S.
            List<Integer> injected = new ArrayList<>();
            for (int j = 0; j < 6; j++) {
                int b = rnd.nextInt(KEYS);
                byte[] v = value(rnd);
                store.namespace(B).put(RangeModel.key(b), v); // so the injected key's newest version is older
                model.put(B, RangeModel.key(b), v);
                int k = first + rnd.nextInt(end - first);
                FaultHooks.writeWithoutOplog(store.namespace(A), RangeModel.key(k), wrong(j));
                injected.add(k);
            }
            if (variant >= 3) {
                store.flush(); // the wrong values in segment files; otherwise the install's own flush writes them
            }
            long s = store.lastSequence();
            List<RangeEntry> image = model.image(A, from, to);
            Set<String> touchedAfterS = new HashSet<>();
            try (Snapshot before = store.snapshot()) {
                writeRandomly(store, model, rnd, 400, touchedAfterS, false);

                RangeInstallResult r = store.installRange(store.namespace(A), from, to, s, image.iterator());

                assertTrue(r.filesRewritten() >= 1, ctx + ": " + r);
                assertTrue(r.entriesInstalled() <= image.size(), ctx + ": " + r);
                assertTrue(r.bytesWritten() > 0, ctx + ": " + r);
                for (int j = 0; j < injected.size(); j++) {
                    int k = injected.get(j);
                    if (!touchedAfterS.contains(A + "/" + k) && injected.lastIndexOf(k) == j) {
                        // A snapshot from before the install keeps seeing the old, wrong data.
                        assertArrayEquals(wrong(j), before.get(store.namespace(A), RangeModel.key(k)),
                                ctx + ": the snapshot taken before the install, key #" + k);
                    }
                }
            }
            model.check(store, KEYS, from, to, ctx + ", after the install (wrong values at keys #" + injected + ")");
            writeRandomly(store, model, rnd, 300, new HashSet<>());
            model.check(store, KEYS, from, to, ctx + ", after more writes");
            assertEquals(List.of(), store.damage(), ctx);
            store.close();
            store = Store.open(dir, options(1024, 1000));
            model.check(store, KEYS, from, to, ctx + ", after a reopen");
            store.compact();
            model.check(store, KEYS, from, to, ctx + ", after a compaction");
        } finally {
            store.close();
        }
        try (Store reopened = Store.open(dir, options(1024))) {
            model.check(reopened, KEYS, null, null, ctx + ", after the last reopen");
        }
    }

    @Test
    void deletesCompactedAwayAfterTheImageSequenceMakeTheInstallRefuseIt() {
        RangeModel model = new RangeModel(A, B);
        try (Store store = Store.open(dir, options(1024))) {
            writeRandomly(store, model, new Random(5), 1000, new HashSet<>());
            long s = store.lastSequence();
            byte[] from = RangeModel.key(0);
            byte[] to = RangeModel.key(400);
            List<RangeEntry> image = model.image(A, from, to);
            store.namespace(A).delete(RangeModel.key(10));
            model.remove(A, RangeModel.key(10));
            store.compact(); // drops the tombstone, and with it the only trace of the delete after s
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> store.installRange(store.namespace(A), from, to, s, image.iterator()));
            assertTrue(e.getMessage().contains("take the image at sequence " + (s + 1)), e.getMessage());
            model.check(store, KEYS, from, to, "after the refused install");
            // Deletes of another namespace do not matter.
            store.namespace(B).delete(RangeModel.key(10));
            model.remove(B, RangeModel.key(10));
            List<RangeEntry> imageOfA = model.image(A, from, to);
            store.compact();
            store.installRange(store.namespace(A), from, to, s + 1, imageOfA.iterator());
            model.check(store, KEYS, from, to, "after the install at the sequence of the delete");
        }
    }

    @Test
    void writesGoOnDuringTheInstallAndTheModelHoldsAfterwards() throws Exception {
        RangeModel model = new RangeModel(A, B);
        byte[] from = RangeModel.key(200);
        byte[] to = RangeModel.key(500);
        try (Store store = Store.open(dir, options(1024))) {
            writeRandomly(store, model, new Random(9), 2000, new HashSet<>());
            long s = store.lastSequence();
            List<RangeEntry> image = model.image(A, from, to);
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            // The writer owns the model while it runs; it makes no deletes in A (a compaction dropping one after s
            // would make the install refuse s) but overwrites keys inside and outside the range.
            Thread writer = new Thread(() -> {
                Random rnd = new Random(10);
                while (!stop.get()) {
                    int i = rnd.nextInt(KEYS);
                    byte[] v = value(rnd);
                    if (rnd.nextBoolean()) {
                        store.namespace(A).put(RangeModel.key(i), v);
                        model.put(A, RangeModel.key(i), v);
                    } else if (rnd.nextInt(4) == 0) {
                        store.namespace(B).delete(RangeModel.key(i));
                        model.remove(B, RangeModel.key(i));
                    } else {
                        store.namespace(B).put(RangeModel.key(i), v);
                        model.put(B, RangeModel.key(i), v);
                    }
                    written.incrementAndGet();
                }
            }, "range-install-test-writer");
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            writer.setUncaughtExceptionHandler((t, e) -> failure.set(e));
            writer.start();
            awaitWrites(written, 300, writer);
            RangeInstallResult r;
            try {
                r = store.installRange(store.namespace(A), from, to, s, image.iterator());
                awaitWrites(written, written.get() + 300, writer);
            } finally {
                stop.set(true);
                writer.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("the writer failed", failure.get());
            }
            assertTrue(r.filesRewritten() >= 1, r.toString());
            model.check(store, KEYS, from, to, "after the install with a concurrent writer");
        }
        try (Store store = Store.open(dir, options(1024))) {
            model.check(store, KEYS, from, to, "after a reopen");
        }
    }

    /** Waits for the writer's progress, not for time: fails only if the writer died. */
    private static void awaitWrites(java.util.concurrent.atomic.AtomicLong written, long count, Thread writer) {
        while (written.get() < count) {
            assertTrue(writer.isAlive(), "the writer stopped after " + written.get() + " writes");
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    private static byte[] wrong(int j) {
        return ("not written by anyone #" + j).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void anEmptyImageEmptiesTheRangeAndInstallingTwiceIsTheSame() {
        RangeModel model = new RangeModel(A, B);
        try (Store store = Store.open(dir, options(1024))) {
            writeRandomly(store, model, new Random(7), 2000, new HashSet<>());
            byte[] from = RangeModel.key(100);
            byte[] to = RangeModel.key(300);
            long s = store.lastSequence();
            store.installRange(store.namespace(A), from, to, s, List.<RangeEntry>of().iterator());
            model.install(A, from, to, List.of());
            model.check(store, KEYS, from, to, "after installing an empty image");
            List<RangeEntry> image = new ArrayList<>();
            for (int i = 150; i < 250; i += 3) {
                image.add(new RangeEntry(RangeModel.key(i), ("installed " + i).getBytes(StandardCharsets.US_ASCII)));
            }
            for (int round = 0; round < 2; round++) {
                store.installRange(store.namespace(A), from, to, store.lastSequence(), image.iterator());
                model.install(A, from, to, image);
                model.check(store, KEYS, from, to, "after install #" + round);
            }
        }
        try (Store store = Store.open(dir, options(1024))) {
            model.check(store, KEYS, null, null, "after a reopen");
        }
    }

    // ---- damaged blocks ----

    /** A store whose namespaces both hold keys 0..599 of 100 bytes, compacted into one file of small blocks. */
    private RangeModel fillAndCompact(Store store, boolean overwriteB) {
        RangeModel model = new RangeModel(A, B);
        Random rnd = new Random(11);
        for (String name : new String[] {A, B}) {
            for (int i = 0; i < 600; i++) {
                byte[] v = new byte[100];
                rnd.nextBytes(v);
                store.namespace(name).put(RangeModel.key(i), v);
                model.put(name, RangeModel.key(i), v);
            }
        }
        if (overwriteB) {
            for (int i = 0; i < 600; i += 2) {
                byte[] v = ("overwritten " + i).getBytes(StandardCharsets.US_ASCII);
                store.namespace(B).put(RangeModel.key(i), v);
                model.put(B, RangeModel.key(i), v);
            }
        }
        store.compact();
        return model;
    }

    /** The data blocks of the store's only segment file. */
    private record OnlyFile(Path path, List<IndexEntry> blocks) {
        /** @return the index of a block wholly inside namespace A, a third of the way through it */
        int blockOfA() {
            int nsA = NamespaceTable.namespaceOf(blocks.get(0).firstKey()); // A was written first: the lowest id
            List<Integer> ofA = new ArrayList<>();
            for (int b = 0; b < blocks.size(); b++) {
                if (NamespaceTable.namespaceOf(blocks.get(b).firstKey()) == nsA
                        && NamespaceTable.namespaceOf(blocks.get(b).lastKey()) == nsA) {
                    ofA.add(b);
                }
            }
            assertTrue(ofA.size() > 10, "namespace A spans " + ofA.size() + " blocks");
            return ofA.get(ofA.size() / 3);
        }

        byte[] firstUserKey(int b) {
            return NamespaceTable.userKey(blocks.get(b).firstKey());
        }

        byte[] lastUserKey(int b) {
            return NamespaceTable.userKey(blocks.get(b).lastKey());
        }

        void damage(int b) {
            IndexEntry e = blocks.get(b);
            StoreFileDamage.flipBit(path, e.handle().offset() + e.handle().length() / 2, 3);
        }
    }

    private static OnlyFile onlyFile(Store store) {
        try (PinnedFiles pinned = store.pinFiles()) {
            assertEquals(1, pinned.files().size(), "live files after a full compaction");
            PinnedFiles.PinnedFile f = pinned.files().get(0);
            try (SegmentFileReader r = SegmentFileReader.open(f.path(), f.metadata().fileNumber(), store.id(),
                    f.metadata().size(), new BlockCache(0))) {
                return new OnlyFile(f.path(), r.indexEntries());
            }
        }
    }


    @Test
    void aDamagedBlockInsideTheRangeIsDroppedWithoutBeingRead() {
        RangeModel model;
        OnlyFile file;
        int damaged;
        byte[] from;
        byte[] to;
        try (Store store = Store.open(dir, options(1024))) {
            model = fillAndCompact(store, false);
            file = onlyFile(store);
            damaged = file.blockOfA();
            from = file.firstUserKey(damaged - 1);
            to = file.firstUserKey(damaged + 2);
        }
        file.damage(damaged);
        try (Store store = Store.open(dir, options(1024))) {
            byte[] inDamaged = file.firstUserKey(damaged);
            assertThrows(CorruptionException.class, () -> store.namespace(A).get(inDamaged));
            assertEquals(1, store.damage().size());

            RangeInstallResult r = store.installRange(store.namespace(A), from, to, store.lastSequence(),
                    model.image(A, from, to).iterator());

            assertEquals(3, r.blocksSkipped(), r.toString());
            assertEquals(1, r.filesRewritten(), r.toString());
            assertEquals(model.image(A, from, to).size(), r.entriesInstalled(), r.toString());
            assertEquals(List.of(), store.damage(), "the repaired range is no longer listed as damaged");
            model.check(store, 600, from, to, "after installing over the damaged block");
            store.compact(); // reads every block: none is damaged any more
            model.check(store, 600, from, to, "after a compaction");
        }
        try (Store store = Store.open(dir, options(1024))) {
            model.check(store, 600, from, to, "after a reopen");
        }
    }

    @Test
    void aDamagedBlockAcrossTheRangeBoundaryFailsTheInstallAndChangesNothing() {
        RangeModel model;
        OnlyFile file;
        int damaged;
        try (Store store = Store.open(dir, options(1024))) {
            model = fillAndCompact(store, false);
            file = onlyFile(store);
            damaged = file.blockOfA();
        }
        file.damage(damaged);
        // The range starts after the damaged block's first key: the block holds keys the image does not replace.
        byte[] from = Arrays.copyOf(file.firstUserKey(damaged), file.firstUserKey(damaged).length + 1);
        byte[] to = file.firstUserKey(damaged + 2);
        assertTrue(Arrays.compareUnsigned(from, file.lastUserKey(damaged)) < 0, "the range starts inside the block");
        try (Store store = Store.open(dir, options(1024))) {
            Set<String> filesBefore = segmentFiles(dir);
            long offset = file.blocks().get(damaged).handle().offset();
            long s = store.lastSequence();
            List<RangeEntry> image = model.image(A, from, to);
            CorruptionException e = assertThrows(CorruptionException.class,
                    () -> store.installRange(store.namespace(A), from, to, s, image.iterator()));
            assertEquals(offset, e.report().offset(), e.report().describe());
            assertEquals(file.path(), e.report().file(), e.report().describe());
            assertEquals(filesBefore, segmentFiles(dir), "a failed install leaves no file behind");
            assertEquals(1, store.damage().size());
            // Everything but the damaged block still reads as before.
            for (int i = 0; i < 600; i++) {
                byte[] k = RangeModel.key(i);
                boolean inBlock = Arrays.compareUnsigned(k, file.firstUserKey(damaged)) >= 0
                        && Arrays.compareUnsigned(k, file.lastUserKey(damaged)) <= 0;
                if (!inBlock) {
                    assertArrayEquals(model.of(A).get(k), store.namespace(A).get(k), "key #" + i);
                }
                assertArrayEquals(model.of(B).get(k), store.namespace(B).get(k), "key #" + i);
            }
            // Widened to hold the whole block, the install succeeds.
            byte[] wider = file.firstUserKey(damaged);
            store.installRange(store.namespace(A), wider, to, s, model.image(A, wider, to).iterator());
            model.check(store, 600, wider, to, "after the widened install");
            assertEquals(List.of(), store.damage());
        }
    }

    @Test
    void aDamagedBlockInAFileWithNewerWritesMustBeReadSoTheInstallFails() {
        // Damaged while the store is open (the block was never read, so it is not cached): a reopen would make
        // every sequence below the one flushed then unusable as an image's sequence.
        try (Store store = Store.open(dir, options(1024))) {
            RangeModel model = fillAndCompact(store, true);
            OnlyFile file = onlyFile(store);
            int damaged = file.blockOfA();
            long s = store.lastSequence() - 300; // before the overwrites of B: the file holds newer writes than s
            file.damage(damaged);
            byte[] from = file.firstUserKey(damaged - 1);
            byte[] to = file.firstUserKey(damaged + 2);
            List<RangeEntry> image = model.image(A, from, to); // A did not change after s
            CorruptionException e = assertThrows(CorruptionException.class,
                    () -> store.installRange(store.namespace(A), from, to, s, image.iterator()));
            assertEquals(file.blocks().get(damaged).handle().offset(), e.report().offset(), e.report().describe());
            // At a sequence the file holds nothing newer than, the block can be dropped unread.
            RangeInstallResult r = store.installRange(store.namespace(A), from, to, store.lastSequence(),
                    image.iterator());
            assertEquals(3, r.blocksSkipped(), r.toString());
            model.check(store, 600, from, to, "after the install at the last sequence");
            assertEquals(List.of(), store.damage());
        }
    }

    private static Set<String> segmentFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            Set<String> names = new TreeSet<>();
            s.map(p -> p.getFileName().toString()).filter(n -> {
                try {
                    StoreFiles.parseSegmentFileName(n);
                    return true;
                } catch (IllegalArgumentException e) {
                    return false;
                }
            }).forEach(names::add);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- refused inputs ----

    @Test
    void badInputsAreRefusedWithExactTypesAndTheStoreIsUnchanged() {
        byte[] secret = "SECRET-KEY-BYTES".getBytes(StandardCharsets.US_ASCII);
        RangeModel model = new RangeModel(A, B);
        try (Store store = Store.open(dir, options(1024)); Store other = Store.open(otherDir)) {
            writeRandomly(store, model, new Random(3), 1500, new HashSet<>());
            store.flush();
            Namespace a = store.namespace(A);
            long s = store.lastSequence();
            byte[] from = RangeModel.key(100);
            byte[] to = RangeModel.key(200);
            Set<String> filesBefore = segmentFiles(dir);
            Iterator<RangeEntry> none = List.<RangeEntry>of().iterator();

            other.namespace(A).put(secret, secret);
            assertThrows(IllegalArgumentException.class, () -> store.installRange(other.namespace(A), from, to, s, none));
            assertThrows(IllegalArgumentException.class, () -> store.installRange(null, from, to, s, none));
            assertThrows(IllegalArgumentException.class, () -> store.installRange(a, from, to, s, null));
            assertThrows(IllegalArgumentException.class, () -> store.installRange(a, to, from, s, none));
            assertThrows(IllegalArgumentException.class, () -> store.installRange(a, from, from, s, none));
            assertThrows(IllegalArgumentException.class,
                    () -> store.installRange(a, new byte[Limits.MAX_KEY_LENGTH + 1], null, s, none));
            assertThrows(IllegalArgumentException.class, () -> store.installRange(a, from, to, -1, none));
            IllegalArgumentException ahead = assertThrows(IllegalArgumentException.class,
                    () -> store.installRange(a, from, to, s + 1, none));
            assertTrue(ahead.getMessage().contains("only reached sequence " + s), ahead.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> store.installRange(store.namespace("never-written"), from, to, s, none));

            byte[] in1 = RangeModel.key(120);
            byte[] in2 = RangeModel.key(150);
            List<List<RangeEntry>> badImages = List.of(
                    List.of(pair(in2), pair(in1)),                                   // descending
                    List.of(pair(in1), pair(in1)),                                   // duplicate
                    List.of(pair(in1), pair(RangeModel.key(200))),                   // at the end bound
                    List.of(pair(RangeModel.key(99)), pair(in1)),                    // below the first key
                    Arrays.asList(pair(in1), null),                                  // null pair
                    List.of(pair(in1), new RangeEntry(in2, new byte[Limits.MAX_VALUE_LENGTH + 1])));
            for (List<RangeEntry> image : badImages) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> store.installRange(a, from, to, s, image.iterator()));
                assertTrue(e.getMessage().startsWith("range image pair #"), e.getMessage());
                assertFalse(e.getMessage().contains("key-0"), "no key bytes in: " + e.getMessage());
                assertFalse(e.getMessage().contains("SECRET"), "no value bytes in: " + e.getMessage());
            }
            assertEquals(filesBefore, segmentFiles(dir), "refused images leave no file behind");
            model.check(store, KEYS, from, to, "after the refused installs");
            assertEquals(List.of(), store.damage());
        }
        Store closed = Store.open(dir, options(1024));
        Namespace a = closed.namespace(A);
        closed.close();
        assertThrows(StorageException.class,
                () -> closed.installRange(a, null, null, 0, List.<RangeEntry>of().iterator()));
    }

    private static RangeEntry pair(byte[] key) {
        return new RangeEntry(key, "SECRET-VALUE".getBytes(StandardCharsets.US_ASCII));
    }
}
