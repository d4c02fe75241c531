package io.kintsugi.engine;

import io.kintsugi.engine.StoreCorruptionFixture.LogLayout;
import io.kintsugi.engine.StoreCorruptionFixture.SegmentLayout;
import io.kintsugi.engine.format.BlockHandle;
import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.table.Entry;
import io.kintsugi.engine.table.KeyRange;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.UnsupportedFormatException;
import io.kintsugi.oplog.format.FileHeader;
import io.kintsugi.oplog.format.LogMetadataFormat;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The engine's seeded corruption suite: one fixture store ({@link StoreCorruptionFixture}: five namespaces, a few
 * thousand puts, deletes and batches, many flushed and compacted segment files of 1 KiB blocks, a tail of writes
 * left only in the oplog, a clean close) is damaged in a fresh copy for every case, and the store must either refuse
 * to open with exactly {@link CorruptionException} or open and never return a wrong value.
 *
 * <p><b>Random cases.</b> Case {@code i} uses seed {@value #BASE_SEED} + {@code i}; their number is
 * {@code -Dkintsugi.corruption.cases} (200 by default, 3000 under {@code -Pstress}), and
 * {@code -Dkintsugi.corruption.seed=<seed>} runs one case again. Each damages one file chosen among every file the
 * store writes (segment files, data oplog segments and {@code oplog.meta}, manifest segments and
 * {@code oplog.meta}, lock files) or one of its two directories: a flipped bit, a zeroed or junk 4 KiB region, a
 * truncation (at a structure boundary or anywhere), junk appended, two equal-sized blocks or records swapped, the
 * file replaced by another file of its kind, an older copy of the file (or of the manifest or oplog directory) put
 * back, a deleted file or directory. Then:
 * <ul>
 *   <li>{@code Store.open} either throws exactly {@link CorruptionException}, whose report names a path in the
 *       store, and which changed no live segment file; or it opens. {@link UnsupportedFormatException} is accepted
 *       only when the damage changed a format version field (the header CRCs are checked before the version, so in
 *       practice it never happens). No other exception type may escape.</li>
 *   <li>Where the outcome follows from the damage it is asserted: damage that only touches data blocks of a
 *       segment file must not stop the store from opening (data blocks are verified when read) and must be found
 *       by the full scans; a deleted file, damage to a data oplog segment or to an {@code oplog.meta}, damage to a
 *       segment file outside its data blocks, and any replaced directory must stop it; damage to a lock file, or an
 *       old segment file put back under its own number, must not.</li>
 *   <li>Once open, every key ever written is read with {@code get}, every namespace is scanned in full and in
 *       random ranges, keys never written are read, and a quarter of the keys and every namespace again through a
 *       {@link Snapshot}: each read returns exactly the oracle's answer (absent and
 *       deleted keys null) or throws exactly {@link CorruptionException}; a scan returns exactly the oracle's keys
 *       and values in order until it ends or throws. Each damaged read emits exactly one event, whose report and
 *       every message and {@link DamagedRange} carry no key or value bytes; {@code store.damage()} names a range
 *       of the key's namespace covering a failed key, or intersecting a failed scan's range. A second pass then
 *       reads every key outside the damaged ranges without any exception. Where no segment file was damaged (or
 *       the damaged one was an unlisted leftover), no read may fail at all.</li>
 *   <li>A quarter of the opened cases also flush and compact (a compaction either succeeds, after which every read
 *       is exact, or throws {@link CorruptionException} and leaves every segment file as it was), close, reopen
 *       and read everything again.</li>
 * </ul>
 *
 * <p><b>Deterministic cases</b> cover specific damage with exact expectations: a data block flipped (before the
 * open or while the store is open), two equal-sized data blocks swapped, a segment file replaced by another, an
 * older manifest put back after more flushes, deleted segment files, oplog segments and manifest, a truncated last
 * oplog segment (acknowledged writes lost: the clean-close record turns it into {@code TRUNCATED}), and the
 * manifest cut at every record boundary.
 *
 * <p>Assertion messages start with the seed (or name the case) and carry metadata only: namespaces, key indexes and
 * lengths, file names and offsets, never key or value bytes.
 */
class StoreCorruptionTest {

    /** Seed of random case 0; case i uses BASE_SEED + i. */
    static final long BASE_SEED = 5_170_300_000L;
    static final int CASES = Integer.getInteger("kintsugi.corruption.cases", 200);
    /** When set, the random test runs only this seed. */
    static final String SEED_PROPERTY = "kintsugi.corruption.seed";
    static final int REGION = 4 << 10;
    static final String MANIFEST = StoreFiles.MANIFEST_DIR;
    static final String OPLOG = StoreFiles.OPLOG_DIR;

    private static final Map<String, AtomicInteger> OUTCOMES = new ConcurrentSkipListMap<>();
    private static StoreCorruptionFixture fixture;

    @TempDir
    static Path fixtureRoot;

    @TempDir
    Path tmp;

    private static Throwable fixtureFailure;

    static synchronized StoreCorruptionFixture fixture() {
        if (fixtureFailure != null) {
            throw new AssertionFailedError("the fixture could not be built", fixtureFailure);
        }
        if (fixture == null) {
            try {
                fixture = StoreCorruptionFixture.build(fixtureRoot);
            } catch (Throwable t) {
                fixtureFailure = t;
                throw t;
            }
        }
        return fixture;
    }

    /** The store logs every corruption it finds; thousands of cases would drown the build output. */
    private static final java.util.logging.Logger ENGINE_LOG = java.util.logging.Logger.getLogger("io.kintsugi");
    private static java.util.logging.Level savedLevel;

    @BeforeAll
    static void quietStoreLogs() {
        savedLevel = ENGINE_LOG.getLevel();
        ENGINE_LOG.setLevel(java.util.logging.Level.OFF);
    }

    @AfterAll
    static void printOutcomes() {
        ENGINE_LOG.setLevel(savedLevel);
        if (fixture != null) {
            System.out.println("StoreCorruptionTest fixture: " + fixture.summary());
        }
        if (!OUTCOMES.isEmpty()) {
            StringBuilder sb = new StringBuilder("StoreCorruptionTest outcomes of the random cases:\n");
            OUTCOMES.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%6d  %s%n", v.get(), k)));
            System.out.print(sb);
        }
    }

    private static void outcome(String what) {
        OUTCOMES.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Random cases
    // ------------------------------------------------------------------------------------------------------------

    static LongStream seeds() {
        String only = System.getProperty(SEED_PROPERTY);
        if (only != null && !only.isBlank()) {
            return LongStream.of(Long.decode(only.trim()));
        }
        return LongStream.range(0, CASES).map(i -> BASE_SEED + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void seededDamageIsRefusedOrNeverYieldsAWrongValue(long seed) {
        StoreCorruptionFixture f = fixture();
        SplittableRandom rnd = new SplittableRandom(seed);
        Path dir = tmp.resolve("store");
        f.materialize(dir);
        Damage d;
        try {
            d = damageRandomly(rnd, f, dir);
        } catch (RuntimeException e) {
            throw new AssertionFailedError("seed " + seed + " (rerun with -D" + SEED_PROPERTY + "=" + seed
                    + "): applying the damage failed: " + e, e);
        }
        String ctx = "seed " + seed + " (rerun with -D" + SEED_PROPERTY + "=" + seed + "): " + d.description;
        TreeMap<String, byte[]> afterDamage = StoreFileDamage.readTree(dir);
        Events events = new Events();
        Store store;
        try {
            store = Store.open(dir, caseOptions(events));
        } catch (Throwable t) {
            CorruptionException e = requireOpenFailure(t, d, ctx);
            if (e == null) {
                outcome("open refused: UnsupportedFormatException, the damage hit a version field");
                return;
            }
            assertNotEquals(Expect.MUST_OPEN, d.expect, ctx + ": this damage must not stop the store from opening, "
                    + "but it failed with " + describe(e));
            assertReportInStore(e, dir, afterDamage, ctx);
            assertLiveSegmentFilesUnchanged(f, dir, afterDamage, ctx + ", refused with " + describe(e));
            outcome("open refused: " + e.report().kind() + " (" + d.kind + ")");
            return;
        }
        boolean exact = d.exactIfOpened;
        Checker c = new Checker(f, store, events, dir, ctx);
        Throwable primary = null;
        try {
            c.readEverything(exact);
            assertNotEquals(Expect.MUST_FAIL, d.expect, ctx + ": the store opened around this damage");
            if (d.mustBeRemoved != null) {
                assertFalse(Files.exists(dir.resolve(d.mustBeRemoved)), ctx + ": the unlisted old segment file "
                        + d.mustBeRemoved + " must be removed at open");
            }
            if (d.damagedFileNumber > 0) {
                assertTrue(c.failedScans > 0, ctx + ": the full scans read every block, so they must find the "
                        + "damaged data block");
                assertTrue(store.damage().stream().anyMatch(r -> r.fileNumber() == d.damagedFileNumber),
                        ctx + ": store.damage() must name segment file " + d.damagedFileNumber);
            }
            c.readOutsideDamage();
            outcome("opened: " + (c.failedGets + c.failedScans == 0 ? "every read exact"
                    : "damaged reads threw CorruptionException, reads elsewhere exact") + " (" + d.kind + ")");
            if (rnd.nextInt(4) == 0) {
                boolean compacted = flushAndCompact(store, dir, events, ctx);
                outcome("  then flushed, compacted (" + (compacted ? "succeeded"
                        : "refused with CorruptionException, files untouched") + "), reopened, read again");
                closeCleanly(store, ctx);
                store = reopen(dir, events, ctx + ", reopened after compaction "
                        + (compacted ? "succeeded" : "failed"));
                c = new Checker(f, store, events, dir, ctx + ", after compaction and reopen");
                c.readEverything(exact || compacted);
                c.readOutsideDamage();
            }
        } catch (Throwable t) {
            primary = t;
            throw t;
        } finally {
            try {
                closeCleanly(store, ctx);
            } catch (Throwable closeFailure) {
                if (primary == null) {
                    throw closeFailure;
                }
                primary.addSuppressed(closeFailure);
            }
        }
    }

    /** @return the open failure as a CorruptionException, or null for an acceptable UnsupportedFormatException */
    private static CorruptionException requireOpenFailure(Throwable t, Damage d, String ctx) {
        if (t.getClass() == UnsupportedFormatException.class) {
            // Header and record CRCs are checked before versions, so only damage that leaves a valid CRC over a
            // changed version field can get here; anything else must be reported as corruption.
            assertTrue(d.touchesVersionField, ctx + ": UnsupportedFormatException is acceptable only when the "
                    + "damage changed a version field: " + safe(t));
            return null;
        }
        if (t.getClass() != CorruptionException.class) {
            throw failure(ctx + ": Store.open threw " + safe(t) + "; only CorruptionException may escape", t);
        }
        CorruptionException e = (CorruptionException) t;
        assertNoUserBytes(e.getMessage(), ctx + ": the open failure's message");
        return e;
    }

    private static StoreOptions caseOptions(Events events) {
        return StoreCorruptionFixture.options().listener(events).build();
    }

    private static Store reopen(Path dir, Events events, String ctx) {
        try {
            return Store.open(dir, caseOptions(events));
        } catch (Throwable t) {
            throw failure(ctx + ": a store that opened and closed cleanly must open again, but it threw "
                    + safe(t), t);
        }
    }

    private static void closeCleanly(Store store, String ctx) {
        try {
            store.close();
        } catch (Throwable t) {
            throw failure(ctx + ": close threw " + safe(t), t);
        }
    }

    /**
     * Flushes, then compacts everything: the compaction reads every block, so it either succeeds (and the store
     * then holds no damage) or throws exactly CorruptionException and leaves every segment file as it was.
     *
     * @return whether the compaction succeeded
     */
    private static boolean flushAndCompact(Store store, Path dir, Events events, String ctx) {
        try {
            store.flush();
        } catch (Throwable t) {
            throw failure(ctx + ": a flush of the replayed memtable threw " + safe(t), t);
        }
        TreeMap<String, byte[]> before = segmentFiles(dir);
        int eventsBefore = events.corruption.size();
        try {
            store.compact();
            return true;
        } catch (Throwable t) {
            if (t.getClass() != CorruptionException.class) {
                throw failure(ctx + ": compaction threw " + safe(t) + "; only CorruptionException may escape", t);
            }
            assertNoUserBytes(t.getMessage(), ctx + ": the compaction failure's message");
            assertTrue(events.corruption.size() > eventsBefore, ctx + ": a failed compaction emits an event");
            assertSameFiles(before, segmentFiles(dir), ctx + ": a failed compaction must leave the segment files "
                    + "untouched");
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Choosing and applying one random damage
    // ------------------------------------------------------------------------------------------------------------

    enum Expect { MUST_OPEN, MUST_FAIL, EITHER }

    enum Kind {
        SEGMENT_FILE, DATA_OPLOG_SEGMENT, DATA_OPLOG_META, MANIFEST_SEGMENT, MANIFEST_META, LOCK_FILE, DIRECTORY
    }

    /** What one random case did to the store and what must follow. Metadata only. */
    static final class Damage {
        final Kind kind;
        final String target;
        String description;
        Expect expect = Expect.EITHER;
        /** Every read must succeed exactly if the store opens: no segment file's data was changed. */
        boolean exactIfOpened;
        /** A segment file whose data blocks (only) changed: the full scans must find it. */
        long damagedFileNumber = -1;
        boolean touchesVersionField;
        /** A file that the open must delete (an unlisted old segment file put back). */
        String mustBeRemoved;

        Damage(Kind kind, String target) {
            this.kind = kind;
            this.target = target;
        }
    }

    /** A file to damage, with the structures a damage can aim at. */
    private record Target(Kind kind, String path, byte[] original, List<long[]> blocks, long[] boundaries,
                          long[] aim) {
    }

    private static Damage damageRandomly(SplittableRandom rnd, StoreCorruptionFixture f, Path dir) {
        int r = rnd.nextInt(100);
        if (r < 40) {
            List<String> names = new ArrayList<>(f.segments.keySet());
            return damageFile(rnd, f, dir, segmentTarget(f, names.get(rnd.nextInt(names.size()))));
        }
        if (r < 76) {
            String prefix = r < 62 ? OPLOG + "/" : MANIFEST + "/";
            List<String> paths = f.logSegments.keySet().stream().filter(p -> p.startsWith(prefix)).toList();
            String path = rnd.nextInt(3) == 0 ? paths.get(paths.size() - 1) : paths.get(rnd.nextInt(paths.size()));
            return damageFile(rnd, f, dir, logTarget(f, path));
        }
        if (r < 90) {
            String path = (r < 83 ? OPLOG : MANIFEST) + "/" + LogMetadataFormat.FILE_NAME;
            Kind kind = r < 83 ? Kind.DATA_OPLOG_META : Kind.MANIFEST_META;
            return damageFile(rnd, f, dir, new Target(kind, path, f.files.get(path), List.of(),
                    new long[] {0, FileHeader.LENGTH, LogMetadataFormat.TERM_OFFSET + 8,
                            LogMetadataFormat.CRC_OFFSET}, new long[] {0, LogMetadataFormat.LENGTH}));
        }
        if (r < 94) {
            return damageLockFile(rnd, f, dir);
        }
        return damageDirectory(rnd, f, dir);
    }

    private static Target segmentTarget(StoreCorruptionFixture f, String name) {
        SegmentLayout s = f.segments.get(name);
        List<long[]> blocks = new ArrayList<>();
        List<Long> bounds = new ArrayList<>(List.of(0L, (long) SegmentHeaderFormat.LENGTH, s.dataEnd(),
                s.footerOffset()));
        for (BlockHandle h : s.dataBlocks()) {
            blocks.add(new long[] {h.offset(), h.length()});
            bounds.add(h.offset());
        }
        return new Target(Kind.SEGMENT_FILE, name, f.files.get(name), blocks,
                bounds.stream().mapToLong(Long::longValue).sorted().distinct().toArray(),
                new long[] {s.dataBlocks().get(0).offset(), s.dataEnd()});
    }

    private static Target logTarget(StoreCorruptionFixture f, String path) {
        LogLayout l = f.logSegments.get(path);
        List<long[]> records = new ArrayList<>();
        long[] bounds = new long[l.recordStarts().length + 2];
        bounds[0] = 0;
        bounds[1] = SegmentHeaderFormat.LENGTH;
        for (int i = 0; i < l.recordStarts().length; i++) {
            records.add(new long[] {l.recordStarts()[i], l.recordEnd(i) - l.recordStarts()[i]});
            bounds[i + 2] = l.recordStarts()[i];
        }
        int last = l.recordStarts().length - 1;
        long[] aim = l.lastOfItsLog() && last >= 0 ? new long[] {l.recordStarts()[last], l.size()}
                : new long[] {0, l.size()};
        Kind kind = path.startsWith(OPLOG + "/") ? Kind.DATA_OPLOG_SEGMENT : Kind.MANIFEST_SEGMENT;
        return new Target(kind, path, f.files.get(path), records,
                Arrays.stream(bounds).sorted().distinct().toArray(), aim);
    }

    private static Damage damageFile(SplittableRandom rnd, StoreCorruptionFixture f, Path dir, Target t) {
        Damage d = new Damage(t.kind, t.path);
        Path file = dir.resolve(t.path);
        int size = t.original.length;
        int op = rnd.nextInt(100);
        String what;
        boolean newFileNextToIt = false;
        boolean foreignLog = false;
        if (op < 35) {
            long offset = rnd.nextBoolean() ? t.aim[0] + rnd.nextLong(t.aim[1] - t.aim[0]) : rnd.nextInt(size);
            int bit = rnd.nextInt(8);
            StoreFileDamage.flipBit(file, offset, bit);
            what = "flipped bit " + bit + " of byte " + offset + " (" + where(f, t, offset) + ")";
        } else if (op < 59) {
            boolean junk = op >= 47;
            long start = rnd.nextBoolean() ? (long) REGION * rnd.nextInt((size + REGION - 1) / REGION)
                    : rnd.nextInt(size);
            int length = (int) Math.min(REGION, size - start);
            byte[] bytes = new byte[length];
            if (junk) {
                rnd.nextBytes(bytes);
            }
            StoreFileDamage.overwrite(file, start, bytes);
            what = (junk ? "junk" : "zeroed") + " 4 KiB region [" + start + ", " + (start + length) + ")"
                    + (length < REGION ? " (clipped at the end of the file)" : "") + " starting in "
                    + where(f, t, start);
        } else if (op < 71) {
            long cut = rnd.nextBoolean() ? t.boundaries[rnd.nextInt(t.boundaries.length)] : rnd.nextInt(size);
            StoreFileDamage.truncate(file, cut);
            what = "truncated from " + size + " to " + cut + " bytes (" + where(f, t, cut) + ")";
        } else if (op < 75) {
            byte[] junk = new byte[1 + rnd.nextInt(64)];
            rnd.nextBytes(junk);
            StoreFileDamage.overwrite(file, size, junk);
            what = "appended " + junk.length + " junk bytes";
        } else if (op < 83) {
            what = swapEqualSized(rnd, f, t, file);
        } else if (op < 89) {
            List<String> others = sameKind(f, t);
            if (others.isEmpty()) {
                StoreFileDamage.flipBit(file, 0, 0);
                what = "flipped bit 0 of byte 0 (no other file of the kind to put in its place)";
            } else {
                String other = others.get(rnd.nextInt(others.size()));
                StoreFileDamage.write(file, f.files.get(other));
                foreignLog = t.kind == Kind.MANIFEST_SEGMENT && other.startsWith(OPLOG + "/");
                what = "replaced by a copy of " + other;
            }
        } else if (op < 94) {
            StaleResult s = putBackStale(rnd, f, t, dir, d);
            what = s.what;
            newFileNextToIt = s.isNewFile;
        } else {
            StoreFileDamage.deleteRecursively(file);
            what = "deleted";
        }
        d.description = what + " in " + describeTarget(f, t);
        decide(f, t, d, dir, newFileNextToIt, foreignLog);
        return d;
    }

    private record StaleResult(String what, boolean isNewFile) {
    }

    /** Puts back an older copy of the target (or, for some kinds, an older file next to it). */
    private static StaleResult putBackStale(SplittableRandom rnd, StoreCorruptionFixture f, Target t, Path dir,
                                           Damage d) {
        Path file = dir.resolve(t.path);
        switch (t.kind) {
            case SEGMENT_FILE: {
                List<String> retired = new ArrayList<>(f.retiredSegments.keySet());
                String old = retired.get(rnd.nextInt(retired.size()));
                if (rnd.nextBoolean()) {
                    StoreFileDamage.write(file, f.retiredSegments.get(old));
                    return new StaleResult("replaced by the retired segment file " + old, false);
                }
                StoreFileDamage.write(dir.resolve(old), f.retiredSegments.get(old));
                d.mustBeRemoved = old;
                return new StaleResult("put back the retired segment file " + old + " under its own name", true);
            }
            case DATA_OPLOG_SEGMENT:
            case MANIFEST_SEGMENT:
            case DATA_OPLOG_META:
            case MANIFEST_META: {
                boolean data = t.kind == Kind.DATA_OPLOG_SEGMENT || t.kind == Kind.DATA_OPLOG_META;
                TreeMap<String, byte[]> stale = data ? f.staleOplog
                        : rnd.nextBoolean() ? f.staleManifestClosed : f.staleManifestOpen;
                String staleName = data ? "the copy from an earlier clean close"
                        : stale == f.staleManifestClosed ? "the manifest copy from an earlier clean close"
                        : "the manifest copy taken while the store was open, before more flushes";
                String name = t.path.substring(t.path.indexOf('/') + 1);
                if (stale.containsKey(name)) {
                    StoreFileDamage.write(file, stale.get(name));
                    return new StaleResult("replaced by its older version from " + staleName, false);
                }
                List<String> segs = stale.keySet().stream()
                        .filter(n -> SegmentHeaderFormat.parseFileName(n) >= 0).toList();
                String old = segs.get(rnd.nextInt(segs.size()));
                Path oldPath = file.resolveSibling(old);
                boolean isNew = !Files.exists(oldPath);
                StoreFileDamage.write(oldPath, stale.get(old));
                return new StaleResult("put back the older segment " + old + " from " + staleName
                        + (isNew ? " next to it" : " over the current file of that name"), isNew);
            }
            default:
                throw new IllegalStateException("no stale copy for " + t.kind);
        }
    }

    /** Swaps two equal-sized blocks (data blocks, records) of the target, or two equal-sized ranges. */
    private static String swapEqualSized(SplittableRandom rnd, StoreCorruptionFixture f, Target t, Path file) {
        Map<Long, List<long[]>> bySize = new TreeMap<>();
        for (long[] b : t.blocks) {
            bySize.computeIfAbsent(b[1], k -> new ArrayList<>()).add(b);
        }
        List<List<long[]>> groups = bySize.values().stream().filter(g -> g.size() >= 2).toList();
        if (!groups.isEmpty()) {
            List<long[]> g = groups.get(rnd.nextInt(groups.size()));
            int i = rnd.nextInt(g.size());
            int j = (i + 1 + rnd.nextInt(g.size() - 1)) % g.size();
            long[] a = g.get(i);
            long[] b = g.get(j);
            StoreFileDamage.swap(file, a[0], b[0], (int) a[1]);
            return "swapped the equal-sized (" + a[1] + " bytes) " + (t.kind == Kind.SEGMENT_FILE ? "data blocks"
                    : "records") + " at " + a[0] + " (" + where(f, t, a[0]) + ") and " + b[0] + " ("
                    + where(f, t, b[0]) + ")";
        }
        int size = t.original.length;
        int length = Math.max(1, Math.min(1 + rnd.nextInt(REGION), size / 2));
        long a = rnd.nextInt(size - 2 * length + 1);
        long b = a + length + rnd.nextInt((int) (size - a - 2 * length) + 1);
        StoreFileDamage.swap(file, a, b, length);
        return "swapped the equal-sized ranges [" + a + ", " + (a + length) + ") and [" + b + ", " + (b + length)
                + ") (no two equal-sized blocks)";
    }

    private static List<String> sameKind(StoreCorruptionFixture f, Target t) {
        switch (t.kind) {
            case SEGMENT_FILE:
                return f.segments.keySet().stream().filter(n -> !n.equals(t.path)).toList();
            case DATA_OPLOG_SEGMENT:
            case MANIFEST_SEGMENT:
                return f.logSegments.keySet().stream().filter(n -> !n.equals(t.path)).toList();
            default:
                String other = (t.kind == Kind.DATA_OPLOG_META ? MANIFEST : OPLOG) + "/" + LogMetadataFormat.FILE_NAME;
                return List.of(other);
        }
    }

    /**
     * Decides what must follow from the bytes the damage actually changed.
     *
     * @param newFileNextToIt an older file was put next to the target, which itself is unchanged
     * @param foreignLog      a manifest segment was replaced by a data oplog segment
     */
    private static void decide(StoreCorruptionFixture f, Target t, Damage d, Path dir, boolean newFileNextToIt,
                               boolean foreignLog) {
        Path file = dir.resolve(t.path);
        byte[] after = Files.exists(file) ? StoreFileDamage.readAll(file) : null;
        d.exactIfOpened = t.kind != Kind.SEGMENT_FILE;
        if (after != null && Arrays.equals(after, t.original)) {
            d.exactIfOpened = true;
            if (d.mustBeRemoved != null) {
                d.expect = Expect.MUST_OPEN; // an unlisted old segment file: a leftover, removed at open
            } else if (newFileNextToIt) {
                d.expect = Expect.EITHER; // an older oplog or manifest segment next to the current ones
            } else {
                d.expect = Expect.MUST_OPEN;
                d.description += " (no byte changed)";
            }
            return;
        }
        List<long[]> diffs = after == null ? List.of() : StoreFileDamage.differences(t.original, after);
        d.touchesVersionField = diffs.stream().anyMatch(r -> touchesVersion(t, r));
        switch (t.kind) {
            case SEGMENT_FILE: {
                SegmentLayout s = f.segments.get(t.path);
                if (after == null) {
                    d.expect = Expect.MUST_FAIL;
                } else if (after.length == t.original.length
                        && diffs.stream().allMatch(r -> s.inDataBlocks(r[0], r[1]))) {
                    d.expect = Expect.MUST_OPEN;
                    d.damagedFileNumber = s.number();
                } else {
                    d.expect = Expect.MUST_FAIL;
                }
                break;
            }
            case DATA_OPLOG_SEGMENT: {
                LogLayout l = f.logSegments.get(t.path);
                boolean onlyAppended = after != null && after.length > t.original.length
                        && diffs.size() == 1 && diffs.get(0)[0] == t.original.length;
                // Junk after the last record of the last segment is a torn tail: cut away, nothing lost.
                d.expect = onlyAppended && l.lastOfItsLog() ? Expect.EITHER : Expect.MUST_FAIL;
                break;
            }
            case MANIFEST_SEGMENT:
                d.expect = after == null || foreignLog ? Expect.MUST_FAIL : Expect.EITHER;
                break;
            default:
                d.expect = Expect.MUST_FAIL;
        }
    }

    private static boolean touchesVersion(Target t, long[] r) {
        List<long[]> fields = new ArrayList<>();
        fields.add(new long[] {FileHeader.VERSION_OFFSET, FileHeader.VERSION_OFFSET + 2});
        if (t.kind == Kind.SEGMENT_FILE) {
            long footer = t.original.length - io.kintsugi.engine.format.FooterFormat.LENGTH;
            fields.add(new long[] {footer + FileHeader.VERSION_OFFSET, footer + FileHeader.VERSION_OFFSET + 2});
        } else if (t.kind == Kind.DATA_OPLOG_SEGMENT || t.kind == Kind.MANIFEST_SEGMENT) {
            for (long[] rec : t.blocks) {
                if (rec[1] > RecordFormat.HEADER_LENGTH) { // payloads start with their format version
                    fields.add(new long[] {rec[0] + RecordFormat.HEADER_LENGTH, rec[0] + RecordFormat.HEADER_LENGTH
                            + 1});
                }
            }
        }
        return fields.stream().anyMatch(v -> r[0] < v[1] && v[0] < r[1]);
    }

    private static Damage damageLockFile(SplittableRandom rnd, StoreCorruptionFixture f, Path dir) {
        List<String> locks = f.files.keySet().stream().filter(p -> p.endsWith("oplog.lock")).toList();
        if (locks.isEmpty()) {
            return damageDirectory(rnd, f, dir);
        }
        String lock = locks.get(rnd.nextInt(locks.size()));
        Damage d = new Damage(Kind.LOCK_FILE, lock);
        if (rnd.nextBoolean()) {
            StoreFileDamage.deleteRecursively(dir.resolve(lock));
            d.description = "deleted the lock file " + lock;
        } else {
            byte[] junk = new byte[1 + rnd.nextInt(100)];
            rnd.nextBytes(junk);
            StoreFileDamage.write(dir.resolve(lock), junk);
            d.description = "wrote " + junk.length + " junk bytes into the lock file " + lock;
        }
        d.expect = Expect.MUST_OPEN;
        d.exactIfOpened = true;
        return d;
    }

    private static Damage damageDirectory(SplittableRandom rnd, StoreCorruptionFixture f, Path dir) {
        int which = rnd.nextInt(5);
        String target = which == 0 || which == 2 || which == 3 ? MANIFEST : OPLOG;
        Damage d = new Damage(Kind.DIRECTORY, target);
        StoreFileDamage.deleteRecursively(dir.resolve(target));
        switch (which) {
            case 0, 1 -> d.description = "deleted the directory " + target + "/";
            case 2 -> {
                StoreFileDamage.writeTree(dir.resolve(MANIFEST), f.staleManifestClosed);
                d.description = "put back the manifest directory from an earlier clean close";
            }
            case 3 -> {
                StoreFileDamage.writeTree(dir.resolve(MANIFEST), f.staleManifestOpen);
                d.description = "put back the manifest directory copied while the store was open, before more "
                        + "flushes";
            }
            default -> {
                StoreFileDamage.writeTree(dir.resolve(OPLOG), f.staleOplog);
                d.description = "put back the data oplog directory from an earlier clean close";
            }
        }
        d.expect = Expect.MUST_FAIL;
        d.exactIfOpened = true;
        return d;
    }

    private static String describeTarget(StoreCorruptionFixture f, Target t) {
        switch (t.kind) {
            case SEGMENT_FILE: {
                SegmentLayout s = f.segments.get(t.path);
                return "segment file " + t.path + " (" + s.size() + " bytes, " + s.dataBlocks().size()
                        + " data blocks, sequences " + s.minSequence() + ".." + s.maxSequence() + ")";
            }
            case DATA_OPLOG_SEGMENT:
            case MANIFEST_SEGMENT: {
                LogLayout l = f.logSegments.get(t.path);
                return (t.kind == Kind.DATA_OPLOG_SEGMENT ? "data oplog segment " : "manifest segment ") + t.path
                        + " (" + (l.lastOfItsLog() ? "the last" : "sealed") + ", " + l.size() + " bytes, "
                        + l.recordStarts().length + " records)";
            }
            default:
                return t.path;
        }
    }

    /** Names the structure at {@code offset} of the target. */
    private static String where(StoreCorruptionFixture f, Target t, long offset) {
        int size = t.original.length;
        if (offset >= size) {
            return "the end of the file";
        }
        switch (t.kind) {
            case SEGMENT_FILE: {
                SegmentLayout s = f.segments.get(t.path);
                if (offset < SegmentHeaderFormat.LENGTH) {
                    return "the header";
                }
                for (int i = 0; i < s.dataBlocks().size(); i++) {
                    BlockHandle h = s.dataBlocks().get(i);
                    if (offset >= h.offset() && offset < h.end()) {
                        return "data block " + i + " [" + h.offset() + ", " + h.end() + ")"
                                + (offset >= h.end() - 10 ? ", its trailer" : "");
                    }
                }
                return offset >= s.footerOffset() ? "the footer" : "the filter, index or metadata block";
            }
            case DATA_OPLOG_SEGMENT:
            case MANIFEST_SEGMENT: {
                if (offset < SegmentHeaderFormat.LENGTH) {
                    return "the segment header";
                }
                LogLayout l = f.logSegments.get(t.path);
                for (int i = l.recordStarts().length - 1; i >= 0; i--) {
                    if (offset >= l.recordStarts()[i]) {
                        long in = offset - l.recordStarts()[i];
                        return "record " + (i + 1) + " of " + l.recordStarts().length + " at "
                                + l.recordStarts()[i] + (in < RecordFormat.HEADER_LENGTH ? ", its header"
                                : ", its payload") + (offset == l.recordStarts()[i] ? ", a record boundary" : "");
                    }
                }
                return "?";
            }
            default:
                return offset < FileHeader.LENGTH ? "the common header" : "the metadata fields";
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reading a damaged store
    // ------------------------------------------------------------------------------------------------------------

    /** Collects what a store tells its listeners. */
    static final class Events implements StoreListener {
        final List<CorruptionEvent> corruption = new CopyOnWriteArrayList<>();
        final List<StorageException> backgroundFailures = new CopyOnWriteArrayList<>();

        @Override
        public void onCorruption(CorruptionEvent event) {
            corruption.add(event);
        }

        @Override
        public void onBackgroundFailure(String operation, StorageException error) {
            backgroundFailures.add(error);
        }
    }

    /** Reads a store against the fixture's oracle. */
    static final class Checker {
        final StoreCorruptionFixture f;
        final Store store;
        final Events events;
        final Path dir;
        final String ctx;
        int failedGets;
        int failedScans;
        /** When set, reads go through this snapshot instead of the store. */
        private Snapshot snapshot;

        Checker(StoreCorruptionFixture f, Store store, Events events, Path dir, String ctx) {
            this.f = f;
            this.store = store;
            this.events = events;
            this.dir = dir;
            this.ctx = ctx;
        }

        /**
         * Reads every key ever written and some never written, scans every namespace in full and in two random
         * ranges.
         *
         * @param exact whether every read must succeed (no CorruptionException at all)
         */
        void readEverything(boolean exact) {
            SplittableRandom rnd = new SplittableRandom(ctx.hashCode());
            for (String ns : StoreCorruptionFixture.NAMESPACES) {
                Namespace n = store.namespace(ns);
                int i = 0;
                for (byte[] key : f.lastWrite.get(ns).keySet()) {
                    checkGet(n, key, "key #" + i++, exact, false);
                }
                for (int j = 0; j < 4; j++) {
                    byte[] absent = ("kz~absent-" + j).getBytes(StandardCharsets.US_ASCII);
                    if (j % 2 == 1) {
                        absent[absent.length - 1] = (byte) 0xff;
                    }
                    checkGet(n, absent, "never-written key #" + j, exact, false);
                }
                checkScan(n, null, null, exact);
                List<byte[]> keys = new ArrayList<>(f.lastWrite.get(ns).keySet());
                for (int j = 0; j < 2 && keys.size() >= 2; j++) {
                    byte[] a = keys.get(rnd.nextInt(keys.size()));
                    byte[] b = keys.get(rnd.nextInt(keys.size()));
                    int cmp = Arrays.compareUnsigned(a, b);
                    if (cmp != 0) {
                        checkScan(n, cmp < 0 ? a : b, cmp < 0 ? b : a, exact);
                    }
                }
            }
            // The same through a snapshot (a pinned version and sequence): every fourth key and a full scan.
            try (Snapshot s = store.snapshot()) {
                snapshot = s;
                for (String ns : StoreCorruptionFixture.NAMESPACES) {
                    Namespace n = store.namespace(ns);
                    int i = 0;
                    for (byte[] key : f.lastWrite.get(ns).keySet()) {
                        if (i % 4 == 0) {
                            checkGet(n, key, "key #" + i + " read through a snapshot", exact, false);
                        }
                        i++;
                    }
                    checkScan(n, null, null, exact);
                }
            } finally {
                snapshot = null;
            }
            for (StorageException e : events.backgroundFailures) {
                assertEquals(CorruptionException.class, e.getClass(), ctx + ": a background failure " + safe(e));
            }
            for (DamagedRange r : store.damage()) {
                assertNoUserBytes(r.toString(), ctx + ": a damaged range");
                assertReportInStore(r.report().file(), dir, null, ctx + ": a damaged range's report");
            }
        }

        /**
         * After the damaged reads: every key outside the damaged ranges reads exactly, with no exception, and every
         * namespace without damage scans exactly.
         */
        void readOutsideDamage() {
            List<DamagedRange> damage = store.damage();
            for (String ns : StoreCorruptionFixture.NAMESPACES) {
                Namespace n = store.namespace(ns);
                int i = 0;
                for (byte[] key : f.lastWrite.get(ns).keySet()) {
                    boolean inside = covered(damage, ns, key);
                    checkGet(n, key, "key #" + i++ + (inside ? " (inside a damaged range)"
                            : " (outside every damaged range, read again after the damaged reads)"), !inside, true);
                }
                if (damage.stream().noneMatch(r -> r.namespace().equals(ns))) {
                    checkScan(n, null, null, true);
                }
            }
        }

        private void checkGet(Namespace n, byte[] key, String which, boolean exact, boolean again) {
            String what = ctx + ": get of " + which + " (" + key.length + " bytes) in namespace " + n.name();
            byte[] expected = f.oracle.get(n.name()).get(key);
            int before = events.corruption.size();
            byte[] v;
            try {
                v = snapshot == null ? n.get(key) : snapshot.get(n, key);
            } catch (Throwable t) {
                CorruptionException e = requireCorruption(t, what);
                assertFalse(exact, what + " must succeed, but threw " + describe(e));
                assertEquals(before + 1, events.corruption.size(), what + ": one event per damaged read");
                CorruptionEvent ev = events.corruption.get(before);
                assertEvent(ev, e, "get", what);
                assertTrue(covered(store.damage(), n.name(), key), what + " threw " + describe(e)
                        + ", but store.damage() names no range of " + n.name() + " covering the key");
                if (!again) {
                    failedGets++;
                }
                return;
            }
            assertEquals(before, events.corruption.size(), what + ": a read that succeeded emitted an event");
            if (expected == null) {
                if (v != null) {
                    fail(what + " returned a value (" + v.length + " bytes) for a key that is "
                            + (f.lastWrite.get(n.name()).containsKey(key) ? "deleted" : "never written"));
                }
            } else {
                assertTrue(v != null, what + " returned null for a key that holds a value: a missing key without an "
                        + "exception");
                assertTrue(Arrays.equals(expected, v), what + " returned a wrong value (" + v.length
                        + " bytes, expected " + expected.length + ")");
            }
        }

        private void checkScan(Namespace n, byte[] from, byte[] to, boolean exact) {
            NavigableMap<byte[], byte[]> m = f.oracle.get(n.name());
            if (from != null) {
                m = m.tailMap(from, true);
            }
            if (to != null) {
                m = m.headMap(to, false);
            }
            List<Map.Entry<byte[], byte[]>> expected = new ArrayList<>(m.entrySet());
            String what = ctx + ": " + (snapshot == null ? "" : "snapshot ")
                    + (from == null && to == null ? "full scan" : "range scan ("
                    + (from == null ? "start" : from.length + "-byte key") + " to "
                    + (to == null ? "end" : to.length + "-byte key") + ")") + " of namespace " + n.name();
            int before = events.corruption.size();
            int seen = 0;
            try (Cursor c = snapshot == null ? n.scan(from, to) : snapshot.scan(n, from, to)) {
                while (c.next()) {
                    byte[] k = c.key();
                    byte[] v = c.value();
                    String at = what + ", entry " + seen + " of " + expected.size();
                    if (seen >= expected.size()) {
                        fail(at + ": the scan returned a key after the oracle's last ("
                                + (f.lastWrite.get(n.name()).containsKey(k) ? "a deleted key" : "a key never written")
                                + ")");
                    }
                    Map.Entry<byte[], byte[]> e = expected.get(seen);
                    int cmp = Arrays.compareUnsigned(k, e.getKey());
                    if (cmp != 0) {
                        fail(at + ": " + (cmp > 0 ? "a present key was silently skipped"
                                : f.lastWrite.get(n.name()).containsKey(k) ? "a deleted key was returned"
                                : "a key never written was returned"));
                    }
                    assertTrue(Arrays.equals(e.getValue(), v), at + ": wrong value (" + v.length
                            + " bytes, expected " + e.getValue().length + ")");
                    seen++;
                }
            } catch (AssertionFailedError a) {
                throw a;
            } catch (Throwable t) {
                String at = what + " after " + seen + " of " + expected.size() + " entries";
                CorruptionException ce = requireCorruption(t, at);
                assertFalse(exact, at + " must succeed, but threw " + describe(ce));
                assertEquals(before + 1, events.corruption.size(), at + ": one event per damaged read");
                assertEvent(events.corruption.get(before), ce, "scan", at);
                assertTrue(intersects(store.damage(), n.name(), from, to), at + " threw " + describe(ce)
                        + ", but store.damage() names no range of " + n.name() + " within the scanned range: a read "
                        + "outside the damaged ranges failed");
                failedScans++;
                return;
            }
            assertEquals(expected.size(), seen, what + " ended early: present keys were silently skipped");
            assertEquals(before, events.corruption.size(), what + ": a scan that succeeded emitted an event");
        }

        private void assertEvent(CorruptionEvent ev, CorruptionException e, String operation, String what) {
            assertEquals(operation, ev.operation(), what + ": the event's operation");
            assertTrue(ev.report() == e.report() || ev.report().equals(e.report()), what + ": the event reports "
                    + ev.report().describe() + ", the exception " + e.report().describe());
            assertNoUserBytes(ev.toString(), what + ": the event");
            assertNoUserBytes(ev.report().describe(), what + ": the event's report");
            assertReportInStore(ev.report().file(), dir, null, what + ": the event's report");
        }
    }

    static boolean covered(List<DamagedRange> damage, String ns, byte[] key) {
        for (DamagedRange r : damage) {
            if (r.namespace().equals(ns) && (r.fromKey() == null || Arrays.compareUnsigned(r.fromKey(), key) <= 0)
                    && (r.toKey() == null || Arrays.compareUnsigned(key, r.toKey()) <= 0)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a damaged range of {@code ns} intersects the scanned range {@code [from, to)}. */
    static boolean intersects(List<DamagedRange> damage, String ns, byte[] from, byte[] to) {
        for (DamagedRange r : damage) {
            if (r.namespace().equals(ns)
                    && (r.toKey() == null || from == null || Arrays.compareUnsigned(r.toKey(), from) >= 0)
                    && (r.fromKey() == null || to == null || Arrays.compareUnsigned(r.fromKey(), to) < 0)) {
                return true;
            }
        }
        return false;
    }

    private static CorruptionException requireCorruption(Throwable t, String what) {
        if (t.getClass() != CorruptionException.class) {
            throw failure(what + " threw " + safe(t) + "; only CorruptionException may escape a read", t);
        }
        CorruptionException e = (CorruptionException) t;
        assertNoUserBytes(e.getMessage(), what + ": the exception's message");
        return e;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Deterministic cases
    // ------------------------------------------------------------------------------------------------------------

    /** A data block chosen for damage, and which keys reading it concerns. */
    private record BlockPick(SegmentLayout file, int block, String namespace, KeyRange userRange,
                             Set<String> mustFail) {
    }

    /**
     * Picks a data block of {@code ns} in the segment file with the most blocks whose neighbours hold the same
     * namespace, and that holds the newest version of at least two keys.
     */
    private static BlockPick pickBlock(StoreCorruptionFixture f, String ns, int skip) {
        List<SegmentLayout> files = new ArrayList<>(f.segments.values());
        files.sort((a, b) -> Integer.compare(b.dataBlocks().size(), a.dataBlocks().size()));
        for (SegmentLayout s : files) {
            int found = 0;
            for (int b = 1; b + 1 < s.dataBlocks().size(); b++) {
                if (!namespaceOfBlock(f, s, b - 1).equals(ns) || !namespaceOfBlock(f, s, b).equals(ns)
                        || !namespaceOfBlock(f, s, b + 1).equals(ns)) {
                    continue;
                }
                BlockPick p = describeBlock(f, s, b);
                if (p.mustFail.size() >= 2 && found++ == skip) {
                    return p;
                }
            }
        }
        throw new AssertionError("fixture: no suitable data block in namespace " + ns);
    }

    private static String namespaceOfBlock(StoreCorruptionFixture f, SegmentLayout s, int b) {
        KeyRange r = s.blockRanges().get(b);
        String first = f.namespaceNames.get(NamespaceTable.namespaceOf(r.first()));
        String last = f.namespaceNames.get(NamespaceTable.namespaceOf(r.last()));
        return first.equals(last) ? first : "";
    }

    private static BlockPick describeBlock(StoreCorruptionFixture f, SegmentLayout s, int b) {
        KeyRange r = s.blockRanges().get(b);
        String ns = namespaceOfBlock(f, s, b);
        Set<String> mustFail = new HashSet<>();
        for (Entry e : s.blockEntries().get(b)) {
            byte[] user = NamespaceTable.userKey(e.key());
            Long last = f.lastWrite.get(ns).get(user);
            if (last != null && last == e.sequence()) {
                mustFail.add(hex(user)); // a set key; never printed
            }
        }
        KeyRange user = new KeyRange(NamespaceTable.userKey(r.first()), NamespaceTable.userKey(r.last()));
        return new BlockPick(s, b, ns, user, mustFail);
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private static boolean inRange(KeyRange r, byte[] key) {
        return Arrays.compareUnsigned(r.first(), key) <= 0 && Arrays.compareUnsigned(key, r.last()) <= 0;
    }

    /**
     * Reads every key of every namespace and checks that exactly the reads the damaged blocks concern fail: every
     * key whose newest version is in a damaged block throws, every failure lies in a damaged block's range (a bloom
     * false positive may make an absent key there fail too), everything else is exact.
     *
     * @return the number of failed reads
     */
    private static int assertOnlyTheseBlocksFail(StoreCorruptionFixture f, Store store, Events events,
                                                 List<BlockPick> picks, String ctx) {
        int failed = 0;
        for (String ns : StoreCorruptionFixture.NAMESPACES) {
            Namespace n = store.namespace(ns);
            int i = 0;
            for (byte[] key : f.lastWrite.get(ns).keySet()) {
                String what = ctx + ": get of key #" + i++ + " of namespace " + ns;
                boolean mustFail = picks.stream()
                        .anyMatch(p -> p.namespace.equals(ns) && p.mustFail.contains(hex(key)));
                boolean mayFail = picks.stream().anyMatch(p -> p.namespace.equals(ns) && inRange(p.userRange, key));
                int before = events.corruption.size();
                byte[] v;
                try {
                    v = n.get(key);
                } catch (Throwable t) {
                    CorruptionException e = requireCorruption(t, what);
                    assertTrue(mayFail, what + " is outside the damaged blocks but threw " + describe(e));
                    assertEquals(before + 1, events.corruption.size(), what + ": one event per damaged read");
                    CorruptionEvent ev = events.corruption.get(before);
                    assertEquals("get", ev.operation(), what);
                    assertEquals(ns, ev.namespace().orElse(null), what + ": the event's namespace");
                    assertEquals(e.report(), ev.report(), what + ": the event's report");
                    assertNoUserBytes(ev.toString(), what + ": the event");
                    assertTrue(covered(store.damage(), ns, key), what + ": store.damage() must cover the key");
                    failed++;
                    continue;
                }
                assertFalse(mustFail, what + ": its newest version is in a damaged block, but the read returned "
                        + (v == null ? "null" : "a value"));
                byte[] expected = f.oracle.get(ns).get(key);
                assertTrue(expected == null ? v == null : Arrays.equals(expected, v), what + ": wrong answer");
                assertEquals(before, events.corruption.size(), what + ": a read that succeeded emitted an event");
            }
        }
        return failed;
    }

    /** Scans every namespace in full: the damaged ones fail after exactly the entries before the damage. */
    private static void assertScans(StoreCorruptionFixture f, Store store, Events events, Set<String> damagedNs,
                                    String ctx) {
        Checker c = new Checker(f, store, events, store.directory(), ctx);
        for (String ns : StoreCorruptionFixture.NAMESPACES) {
            int before = c.failedScans;
            c.checkScan(store.namespace(ns), null, null, !damagedNs.contains(ns));
            if (damagedNs.contains(ns)) {
                assertEquals(before + 1, c.failedScans, ctx + ": the full scan of " + ns + " must reach the damage");
            }
        }
    }

    @ParameterizedTest(name = "flip while the store is open: {0}")
    @ValueSource(booleans = {false, true})
    void aFlippedBitInADataBlockFailsExactlyTheReadsOfThatBlock(boolean whileOpen) {
        StoreCorruptionFixture f = fixture();
        BlockPick p = pickBlock(f, "users", 0);
        BlockHandle h = p.file.dataBlocks().get(p.block);
        String ctx = "bit flipped in data block " + p.block + " [" + h.offset() + ", " + h.end() + ") of "
                + p.file.name() + (whileOpen ? " while the store is open" : " before the open");
        Path dir = tmp.resolve("store");
        f.materialize(dir);
        Path file = dir.resolve(p.file.name());
        long at = h.offset() + h.length() / 3;
        Events events = new Events();
        if (!whileOpen) {
            StoreFileDamage.flipBit(file, at, 5);
        }
        Store store = Store.open(dir, caseOptions(events)); // data blocks are verified when read, not at open
        try {
            if (whileOpen) {
                StoreFileDamage.flipBit(file, at, 5);
            }
            int failed = assertOnlyTheseBlocksFail(f, store, events, List.of(p), ctx);
            assertTrue(failed >= p.mustFail.size(), ctx + ": " + failed + " reads failed");
            assertEquals(failed, events.corruption.size(), ctx + ": one event per damaged read");
            for (CorruptionEvent ev : events.corruption) {
                assertEquals(p.file.number(), ev.fileNumber(), ctx);
                assertEquals(h.offset(), ev.report().offset(), ctx + ": the event names the block");
                assertEquals(CorruptionKind.CHECKSUM_MISMATCH, ev.report().kind(), ctx);
                assertEquals(file, ev.report().file(), ctx);
            }
            List<DamagedRange> damage = store.damage();
            assertEquals(1, damage.size(), ctx + ": store.damage() " + damage);
            DamagedRange r = damage.get(0);
            assertEquals(p.namespace, r.namespace(), ctx);
            assertEquals(p.file.number(), r.fileNumber(), ctx);
            assertEquals(h.offset(), r.report().offset(), ctx);
            assertTrue(Arrays.equals(p.userRange.first(), r.fromKey()) && Arrays.equals(p.userRange.last(), r.toKey()),
                    ctx + ": the damaged range is the block's key range");
            assertNoUserBytes(r.toString(), ctx);

            int eventsBefore = events.corruption.size();
            assertScans(f, store, events, Set.of(p.namespace), ctx);
            assertEquals(eventsBefore + 1, events.corruption.size(), ctx + ": one event for the failed scan");
            // Reads outside the damaged range keep working, again.
            int again = assertOnlyTheseBlocksFail(f, store, events, List.of(p), ctx + ", read again");
            assertEquals(failed, again, ctx + ": the same reads fail again");

            // Compaction reads every block: it must fail, and leave every file as it was.
            store.flush();
            TreeMap<String, byte[]> before = segmentFiles(dir);
            int beforeCompaction = events.corruption.size();
            CorruptionException e = expectCorruption(store::compact, ctx + ": compaction over the damaged block");
            assertEquals(file, e.report().file(), ctx);
            assertEquals(h.offset(), e.report().offset(), ctx);
            assertEquals(beforeCompaction + 1, events.corruption.size(), ctx + ": the compaction's event");
            assertEquals("compaction", events.corruption.get(beforeCompaction).operation(), ctx);
            assertSameFiles(before, segmentFiles(dir), ctx + ": a failed compaction must leave the files untouched");
            assertEquals(failed, assertOnlyTheseBlocksFail(f, store, events, List.of(p), ctx + ", after compaction"),
                    ctx + ": after the failed compaction");
        } finally {
            store.close();
        }
        // The damage survives a reopen: the store opens, and the same reads fail.
        Events reopened = new Events();
        try (Store again = Store.open(dir, caseOptions(reopened))) {
            assertOnlyTheseBlocksFail(f, again, reopened, List.of(p), ctx + ", after reopening");
            assertScans(f, again, reopened, Set.of(p.namespace), ctx + ", after reopening");
        }
    }

    @Test
    void twoEqualSizedDataBlocksSwappedFailTheirReadsOnly() {
        StoreCorruptionFixture f = fixture();
        BlockPick a = null;
        BlockPick b = null;
        outer:
        for (SegmentLayout s : f.segments.values()) {
            for (int i = 0; i < s.dataBlocks().size(); i++) {
                for (int j = i + 1; j < s.dataBlocks().size(); j++) {
                    if (s.dataBlocks().get(i).length() == s.dataBlocks().get(j).length()
                            && !namespaceOfBlock(f, s, i).isEmpty() && !namespaceOfBlock(f, s, j).isEmpty()) {
                        a = describeBlock(f, s, i);
                        b = describeBlock(f, s, j);
                        if (!a.mustFail.isEmpty() && !b.mustFail.isEmpty()) {
                            break outer;
                        }
                    }
                }
            }
        }
        assertTrue(a != null && !a.mustFail.isEmpty() && !b.mustFail.isEmpty(),
                "fixture: two equal-sized data blocks");
        BlockHandle ha = a.file.dataBlocks().get(a.block);
        BlockHandle hb = b.file.dataBlocks().get(b.block);
        String ctx = "data blocks " + a.block + " and " + b.block + " (" + ha.length() + " bytes each) of "
                + a.file.name() + " swapped";
        Path dir = tmp.resolve("store");
        f.materialize(dir);
        StoreFileDamage.swap(dir.resolve(a.file.name()), ha.offset(), hb.offset(), ha.length());
        Events events = new Events();
        try (Store store = Store.open(dir, caseOptions(events))) {
            int failed = assertOnlyTheseBlocksFail(f, store, events, List.of(a, b), ctx);
            assertTrue(failed >= a.mustFail.size() + b.mustFail.size(), ctx);
            Set<Long> offsets = new HashSet<>();
            store.damage().forEach(r -> offsets.add(r.report().offset()));
            assertEquals(Set.of(ha.offset(), hb.offset()), offsets, ctx + ": both blocks are named damaged");
            assertScans(f, store, events, new HashSet<>(List.of(a.namespace, b.namespace)), ctx);
        }
    }

    /**
     * A scan never reads a data block that starts at or after the end of its range, so damage there does not fail
     * it: only the damaged range stops working. Covers the end of a namespace (the next block belongs to the next
     * namespace) and the end of a range inside a namespace.
     */
    @Test
    void aScanEndingBeforeADamagedBlockDoesNotReadIt() {
        StoreCorruptionFixture f = fixture();
        // 1. The first block of a namespace, right after the last block of another one in the same file.
        SegmentLayout file = null;
        int boundary = -1;
        search:
        for (SegmentLayout s : f.segments.values()) {
            for (int b = 1; b < s.dataBlocks().size(); b++) {
                String before = f.namespaceNames.get(NamespaceTable.namespaceOf(s.blockRanges().get(b - 1).last()));
                String here = namespaceOfBlock(f, s, b);
                if (!here.isEmpty() && !here.equals(before)) {
                    file = s;
                    boundary = b;
                    break search;
                }
            }
        }
        assertTrue(file != null, "fixture: a data block that starts a namespace");
        String previousNs = f.namespaceNames.get(NamespaceTable.namespaceOf(file.blockRanges().get(boundary - 1)
                .last()));
        String ctx = "bit flipped in data block " + boundary + " of " + file.name() + ", the first block of namespace "
                + namespaceOfBlock(f, file, boundary) + " after " + previousNs;
        Path dir = tmp.resolve("boundary");
        f.materialize(dir);
        BlockHandle h = file.dataBlocks().get(boundary);
        StoreFileDamage.flipBit(dir.resolve(file.name()), h.offset() + h.length() / 2, 1);
        Events events = new Events();
        try (Store store = Store.open(dir, caseOptions(events))) {
            Checker c = new Checker(f, store, events, dir, ctx);
            c.checkScan(store.namespace(previousNs), null, null, true);
            assertEquals(0, events.corruption.size(), ctx + ": nothing damaged was read");
            c.checkScan(store.namespace(namespaceOfBlock(f, file, boundary)), null, null, false);
            assertEquals(1, c.failedScans, ctx + ": the damaged namespace's scan reaches the damage");
        }

        // 2. Inside a namespace: a range that ends at the damaged block's first key does not read it; one that
        // includes that key does.
        BlockPick p = pickBlock(f, "orders", 1);
        BlockHandle ph = p.file.dataBlocks().get(p.block);
        ctx = "bit flipped in data block " + p.block + " of " + p.file.name() + " (namespace orders)";
        dir = tmp.resolve("inside");
        f.materialize(dir);
        StoreFileDamage.flipBit(dir.resolve(p.file.name()), ph.offset() + ph.length() / 2, 6);
        events = new Events();
        try (Store store = Store.open(dir, caseOptions(events))) {
            Checker c = new Checker(f, store, events, dir, ctx);
            Namespace orders = store.namespace("orders");
            byte[] start = p.file.blockRanges().get(p.block - 1).first();
            byte[] end = p.userRange.first();
            c.checkScan(orders, NamespaceTable.userKey(start), end, true);
            c.checkScan(orders, null, end, true);
            assertEquals(0, events.corruption.size(), ctx + ": nothing damaged was read");
            byte[] justAfter = Arrays.copyOf(end, end.length + 1);
            c.checkScan(orders, NamespaceTable.userKey(start), justAfter, false);
            assertEquals(1, c.failedScans, ctx + ": a range that includes the block's first key reads the block");
        }
    }

    /** The data oplog's metadata replaced by the manifest's (a foreign log's) is corruption, not a usage error. */
    @Test
    void aForeignDataOplogMetadataIsCorruption() {
        StoreCorruptionFixture f = fixture();
        Path dir = tmp.resolve("store");
        f.materialize(dir);
        String meta = OPLOG + "/" + LogMetadataFormat.FILE_NAME;
        StoreFileDamage.write(dir.resolve(meta), f.files.get(MANIFEST + "/" + LogMetadataFormat.FILE_NAME));
        CorruptionException e = expectOpenRefused(f, dir, "the data oplog's metadata replaced by the manifest's");
        assertEquals(CorruptionKind.FOREIGN_FILE, e.report().kind(), describe(e));
        assertEquals(dir.resolve(meta), e.report().file());
    }

    @Test
    void aSegmentFileReplacedByAnotherIsRefusedAtOpen() {
        StoreCorruptionFixture f = fixture();
        List<String> names = new ArrayList<>(f.segments.keySet());
        int cases = 0;
        for (int i = 0; i < names.size(); i++) {
            for (int j = 0; j < names.size(); j++) {
                if (i == j || (i + j) % 2 == 1) {
                    continue;
                }
                for (boolean rename : new boolean[] {false, true}) {
                    String ctx = "segment file " + names.get(j) + " replaced by "
                            + (rename ? "renaming " : "a copy of ") + names.get(i);
                    Path dir = tmp.resolve("replace-" + cases++);
                    f.materialize(dir);
                    Path source = dir.resolve(names.get(i));
                    Path target = dir.resolve(names.get(j));
                    if (rename) {
                        StoreFileDamage.copy(source, target);
                        StoreFileDamage.deleteRecursively(source);
                    } else {
                        StoreFileDamage.copy(source, target);
                    }
                    CorruptionException e = expectOpenRefused(f, dir, ctx);
                    Set<Path> named = rename ? Set.of(source, target) : Set.of(target);
                    assertTrue(named.contains(e.report().file()), ctx + ": the report names "
                            + e.report().file().getFileName());
                }
            }
        }
        assertTrue(cases >= 4, "fixture: segment file pairs " + cases);
    }

    @Test
    void anOlderManifestPutBackAfterMoreFlushesIsRefused() {
        StoreCorruptionFixture f = fixture();
        int n = 0;
        for (TreeMap<String, byte[]> stale : List.of(f.staleManifestClosed, f.staleManifestOpen)) {
            String ctx = stale == f.staleManifestClosed ? "manifest from an earlier clean close put back"
                    : "manifest copied while the store was open, before more flushes, put back";
            Path dir = tmp.resolve("stale-" + n++);
            f.materialize(dir);
            StoreFileDamage.deleteRecursively(dir.resolve(MANIFEST));
            StoreFileDamage.writeTree(dir.resolve(MANIFEST), stale);
            CorruptionException e = expectOpenRefused(f, dir, ctx);
            assertEquals(CorruptionKind.STALE_FILE, e.report().kind(), ctx + ": " + describe(e));
            assertEquals(dir.resolve(MANIFEST), e.report().file(), ctx);
        }
        // Only the manifest's segment put back (its oplog.meta is current): the same.
        for (TreeMap<String, byte[]> stale : List.of(f.staleManifestClosed, f.staleManifestOpen)) {
            String ctx = "older copy of the manifest segment put back";
            Path dir = tmp.resolve("stale-" + n++);
            f.materialize(dir);
            stale.forEach((name, bytes) -> {
                if (SegmentHeaderFormat.parseFileName(name) >= 0 && f.files.containsKey(MANIFEST + "/" + name)) {
                    StoreFileDamage.write(dir.resolve(MANIFEST).resolve(name), bytes);
                }
            });
            expectOpenRefused(f, dir, ctx);
        }
    }

    @Test
    void aDeletedSegmentFileIsAMissingFile() {
        StoreCorruptionFixture f = fixture();
        int n = 0;
        for (String name : f.segments.keySet()) {
            Path dir = tmp.resolve("deleted-" + n++);
            f.materialize(dir);
            StoreFileDamage.deleteRecursively(dir.resolve(name));
            CorruptionException e = expectOpenRefused(f, dir, "segment file " + name + " deleted");
            assertEquals(CorruptionKind.MISSING_FILE, e.report().kind(), name);
            assertEquals(dir.resolve(name), e.report().file(), name);
        }
    }

    @Test
    void aDeletedOplogSegmentIsRefused() {
        StoreCorruptionFixture f = fixture();
        List<String> segs = f.logSegments.keySet().stream().filter(p -> p.startsWith(OPLOG + "/")).toList();
        for (int i = 0; i < segs.size(); i++) {
            String ctx = "data oplog segment " + segs.get(i) + " (" + (i + 1) + " of " + segs.size() + ") deleted";
            Path dir = tmp.resolve("oplog-" + i);
            f.materialize(dir);
            StoreFileDamage.deleteRecursively(dir.resolve(segs.get(i)));
            CorruptionException e = expectOpenRefused(f, dir, ctx);
            assertTrue(e.report().file().startsWith(dir.resolve(OPLOG)), ctx + ": " + describe(e));
            if (i == 0 || i == segs.size() - 1) {
                assertEquals(CorruptionKind.MISSING_FILE, e.report().kind(), ctx + ": " + describe(e));
            }
        }
    }

    @Test
    void aDeletedManifestWithDataPresentIsNotANewStore() {
        StoreCorruptionFixture f = fixture();
        Path dir = tmp.resolve("no-manifest");
        f.materialize(dir);
        StoreFileDamage.deleteRecursively(dir.resolve(MANIFEST));
        CorruptionException e = expectOpenRefused(f, dir, "manifest directory deleted");
        assertEquals(CorruptionKind.MISSING_FILE, e.report().kind(), describe(e));
        assertEquals(dir.resolve(MANIFEST), e.report().file());
        assertFalse(Files.exists(dir.resolve(MANIFEST)), "a refused open must not create a new manifest");

        for (String path : List.of(MANIFEST + "/" + LogMetadataFormat.FILE_NAME,
                OPLOG + "/" + LogMetadataFormat.FILE_NAME, OPLOG)) {
            Path d = tmp.resolve("no-" + path.replace('/', '-'));
            f.materialize(d);
            StoreFileDamage.deleteRecursively(d.resolve(path));
            CorruptionException e2 = expectOpenRefused(f, d, path + " deleted");
            assertEquals(CorruptionKind.MISSING_FILE, e2.report().kind(), path + ": " + describe(e2));
        }
        for (String path : f.logSegments.keySet().stream().filter(p -> p.startsWith(MANIFEST + "/")).toList()) {
            Path d = tmp.resolve("no-" + path.replace('/', '-'));
            f.materialize(d);
            StoreFileDamage.deleteRecursively(d.resolve(path));
            expectOpenRefused(f, d, path + " deleted");
        }
    }

    /**
     * The fixture was closed cleanly with SYNC writes, so every record in the data oplog was acknowledged: cutting
     * the last segment (at a record boundary, inside a record, or down to its header) loses acknowledged writes,
     * which the manifest's clean-close record turns into {@code TRUNCATED} instead of a silently shorter oplog.
     */
    @Test
    void aTruncatedLastOplogSegmentIsRefusedAsTruncated() {
        StoreCorruptionFixture f = fixture();
        List<String> segs = f.logSegments.keySet().stream().filter(p -> p.startsWith(OPLOG + "/")).toList();
        LogLayout last = f.logSegments.get(segs.get(segs.size() - 1));
        List<Long> cuts = new ArrayList<>();
        int records = last.recordStarts().length;
        for (int r = records - 1; r >= Math.max(0, records - 6); r--) {
            cuts.add((long) last.recordStarts()[r]); // at a record boundary: whole records lost
            cuts.add((long) last.recordStarts()[r] + RecordFormat.HEADER_LENGTH / 2); // inside a record header
            cuts.add((long) (last.recordStarts()[r] + last.recordEnd(r)) / 2); // inside a record
        }
        cuts.add((long) SegmentHeaderFormat.LENGTH);
        for (long cut : cuts) {
            String ctx = "last data oplog segment " + last.path() + " truncated from " + last.size() + " to " + cut;
            Path dir = tmp.resolve("cut-" + cut);
            f.materialize(dir);
            StoreFileDamage.truncate(dir.resolve(last.path()), cut);
            CorruptionException e = expectOpenRefused(f, dir, ctx);
            assertEquals(CorruptionKind.TRUNCATED, e.report().kind(), ctx + ": " + describe(e));
            assertEquals(dir.resolve(OPLOG), e.report().file(), ctx);
        }
    }

    /**
     * The manifest cut at every record boundary of its last segment (an older manifest, or a manifest whose tail was
     * lost): the store either refuses to open, changing no segment file, or opens with every write, exactly.
     */
    @Test
    void theManifestCutAtAnyRecordBoundaryIsRefusedOrLosesNothing() {
        StoreCorruptionFixture f = fixture();
        List<String> segs = f.logSegments.keySet().stream().filter(p -> p.startsWith(MANIFEST + "/")).toList();
        LogLayout last = f.logSegments.get(segs.get(segs.size() - 1));
        int opened = 0;
        int refused = 0;
        for (int r = last.recordStarts().length - 1; r >= 0; r--) {
            long cut = last.recordStarts()[r];
            String ctx = "manifest segment " + last.path() + " cut at record " + (r + 1) + " of "
                    + last.recordStarts().length + " (offset " + cut + ")";
            Path dir = tmp.resolve("manifest-cut-" + r);
            f.materialize(dir);
            StoreFileDamage.truncate(dir.resolve(last.path()), cut);
            TreeMap<String, byte[]> afterDamage = StoreFileDamage.readTree(dir);
            Events events = new Events();
            Store store;
            try {
                store = Store.open(dir, caseOptions(events));
            } catch (Throwable t) {
                Damage d = new Damage(Kind.MANIFEST_SEGMENT, last.path());
                CorruptionException e = requireOpenFailure(t, d, ctx);
                assertReportInStore(e, dir, afterDamage, ctx);
                assertLiveSegmentFilesUnchanged(f, dir, afterDamage, ctx + ", refused with " + describe(e));
                refused++;
                StoreFileDamage.deleteRecursively(dir);
                continue;
            }
            try {
                new Checker(f, store, events, dir, ctx).readEverything(true);
                opened++;
            } finally {
                store.close();
            }
            StoreFileDamage.deleteRecursively(dir);
        }
        assertTrue(opened >= 1 && refused >= 1, "opened " + opened + ", refused " + refused);
    }

    /** The manifest's last record is the clean close: damage there is a torn tail, and nothing is lost. */
    @Test
    void aDamagedCleanCloseRecordIsATornTailAndLosesNothing() {
        StoreCorruptionFixture f = fixture();
        List<String> segs = f.logSegments.keySet().stream().filter(p -> p.startsWith(MANIFEST + "/")).toList();
        LogLayout last = f.logSegments.get(segs.get(segs.size() - 1));
        int r = last.recordStarts().length - 1;
        Path dir = tmp.resolve("store");
        f.materialize(dir);
        StoreFileDamage.flipBit(dir.resolve(last.path()), last.recordStarts()[r] + RecordFormat.HEADER_LENGTH + 3, 2);
        Events events = new Events();
        try (Store store = Store.open(dir, caseOptions(events))) {
            Checker c = new Checker(f, store, events, dir, "bit flipped in the manifest's clean-close record");
            c.readEverything(true);
            assertEquals(0, events.corruption.size());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    private static CorruptionException expectOpenRefused(StoreCorruptionFixture f, Path dir, String ctx) {
        TreeMap<String, byte[]> afterDamage = StoreFileDamage.readTree(dir);
        Events events = new Events();
        try {
            Store store = Store.open(dir, caseOptions(events));
            store.close();
        } catch (Throwable t) {
            if (t.getClass() != CorruptionException.class) {
                throw failure(ctx + ": Store.open threw " + safe(t) + "; expected CorruptionException", t);
            }
            CorruptionException e = (CorruptionException) t;
            assertNoUserBytes(e.getMessage(), ctx);
            assertReportInStore(e, dir, afterDamage, ctx);
            assertLiveSegmentFilesUnchanged(f, dir, afterDamage, ctx + ", refused with " + describe(e));
            return e;
        }
        throw new AssertionFailedError(ctx + ": the store opened around the damage");
    }

    private static CorruptionException expectCorruption(Runnable r, String ctx) {
        try {
            r.run();
        } catch (Throwable t) {
            if (t.getClass() != CorruptionException.class) {
                throw failure(ctx + " threw " + safe(t) + "; expected CorruptionException", t);
            }
            return (CorruptionException) t;
        }
        throw new AssertionFailedError(ctx + " did not fail");
    }

    /** The report names the store directory or a path in it that existed in the fixture or after the damage. */
    private static void assertReportInStore(CorruptionException e, Path dir, Map<String, byte[]> afterDamage,
                                            String ctx) {
        assertReportInStore(e.report().file(), dir, afterDamage, ctx + ": " + describe(e));
    }

    private static void assertReportInStore(Path reported, Path dir, Map<String, byte[]> afterDamage, String ctx) {
        Path root = dir.toAbsolutePath().normalize();
        Path p = reported.toAbsolutePath().normalize();
        assertTrue(p.startsWith(root), ctx + ": the report names " + reported + ", which is not in the store");
        String rel = StoreFileDamage.relative(root, p);
        StoreCorruptionFixture f = fixture();
        boolean known = rel.isEmpty() || rel.equals(MANIFEST) || rel.equals(OPLOG) || f.files.containsKey(rel)
                || f.retiredSegments.containsKey(rel) || (afterDamage != null && afterDamage.containsKey(rel))
                || f.staleOplog.containsKey(rel.substring(rel.indexOf('/') + 1))
                || f.staleManifestClosed.containsKey(rel.substring(rel.indexOf('/') + 1));
        assertTrue(known, ctx + ": the report names " + rel + ", which is no file of the store");
    }

    /** A refused open must not change or delete any live segment file: it never destroys what repair needs. */
    private static void assertLiveSegmentFilesUnchanged(StoreCorruptionFixture f, Path dir,
                                                        Map<String, byte[]> afterDamage, String ctx) {
        for (String name : f.segments.keySet()) {
            byte[] before = afterDamage.get(name);
            if (before == null) {
                continue;
            }
            Path p = dir.resolve(name);
            assertTrue(Files.exists(p), ctx + ": the refused open deleted the live segment file " + name);
            assertTrue(Arrays.equals(before, StoreFileDamage.readAll(p)), ctx + ": the refused open changed the "
                    + "live segment file " + name);
        }
    }

    private static TreeMap<String, byte[]> segmentFiles(Path dir) {
        TreeMap<String, byte[]> segs = new TreeMap<>();
        StoreFileDamage.readTree(dir).forEach((name, bytes) -> {
            if (StoreFiles.parseSegmentFileName(name) >= 0) {
                segs.put(name, bytes);
            }
        });
        return segs;
    }

    private static void assertSameFiles(TreeMap<String, byte[]> expected, TreeMap<String, byte[]> actual, String ctx) {
        assertEquals(expected.keySet(), actual.keySet(), ctx);
        for (String name : expected.keySet()) {
            assertTrue(Arrays.equals(expected.get(name), actual.get(name)), ctx + ": " + name + " changed");
        }
    }

    private static final String[] LEAK_PATTERNS = {
            "kz~", "vq~", "6b7a7e", "76717e", "107, 122, 126", "118, 113, 126", "[107,122,126", "[118,113,126"};

    /** Fails if {@code s} holds a key or value marker, as text, hex or a byte list. */
    static void assertNoUserBytes(String s, String ctx) {
        if (s == null) {
            return;
        }
        String lower = s.toLowerCase(Locale.ROOT);
        for (String p : LEAK_PATTERNS) {
            if (lower.contains(p)) {
                fail(ctx + " carries key or value bytes (it contains a marker the fixture puts in every key and "
                        + "value); the message is withheld");
            }
        }
        assertFalse(StoreCorruptionFixture.containsMark(s.getBytes(StandardCharsets.ISO_8859_1)), ctx);
    }

    private static String describe(CorruptionException e) {
        String d = e.report().describe();
        return leaks(d) ? e.report().kind() + " in " + e.report().file() + " (detail withheld: it carries user bytes)"
                : d;
    }

    private static boolean leaks(String s) {
        if (s == null) {
            return false;
        }
        String lower = s.toLowerCase(Locale.ROOT);
        return Arrays.stream(LEAK_PATTERNS).anyMatch(lower::contains);
    }

    /** The class and message of {@code t} and its causes, unless a message carries user bytes. */
    private static String safe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c == t ? "" : ", caused by ").append(c.getClass().getName());
            sb.append(leaks(c.getMessage()) ? ": <message withheld: it carries key or value bytes>"
                    : ": " + c.getMessage());
        }
        return sb.toString();
    }

    /** An assertion failure with {@code t} as its cause, unless a message in its chain carries user bytes. */
    private static AssertionFailedError failure(String message, Throwable t) {
        boolean clean = true;
        for (Throwable c = t; c != null; c = c.getCause()) {
            clean &= !leaks(c.getMessage());
        }
        return clean ? new AssertionFailedError(message, t) : new AssertionFailedError(message);
    }
}
