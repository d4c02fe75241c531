package io.kintsugi.engine.table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Seeded random entries for segment file tests, and the oracle that says what a read must return.
 */
final class TestEntries {

    static final UUID STORE_ID = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");

    final NavigableSet<Entry> entries = new TreeSet<>(InternalKeys.COMPARATOR);
    final List<byte[]> keys = new ArrayList<>();

    private TestEntries() {
    }

    /**
     * @param seed       seed
     * @param keyCount   number of distinct keys
     * @param maxVersions versions per key, 1..maxVersions
     * @param largeValueEvery one value in this many is larger than {@code largeValueSize} (0 = never)
     * @param largeValueSize size of the large values
     */
    static TestEntries random(long seed, int keyCount, int maxVersions, int largeValueEvery, int largeValueSize) {
        Random rnd = new Random(seed);
        TestEntries t = new TestEntries();
        Set<String> seen = new HashSet<>();
        byte[][] prefixes = new byte[4][];
        for (int i = 0; i < prefixes.length; i++) {
            prefixes[i] = new byte[]{0, 0, 0, (byte) i};
        }
        while (t.keys.size() < keyCount) {
            byte[] user = new byte[rnd.nextInt(24)];
            rnd.nextBytes(user);
            byte[] prefix = prefixes[rnd.nextInt(prefixes.length)];
            byte[] key = Arrays.copyOf(prefix, prefix.length + user.length);
            System.arraycopy(user, 0, key, prefix.length, user.length);
            if (seen.add(Arrays.toString(key))) {
                t.keys.add(key);
            }
        }
        long sequence = 1;
        for (byte[] key : t.keys) {
            int versions = 1 + rnd.nextInt(maxVersions);
            for (int v = 0; v < versions; v++) {
                sequence += 1 + rnd.nextInt(3);
                if (rnd.nextInt(5) == 0) {
                    t.entries.add(Entry.delete(key, sequence));
                } else {
                    int len = largeValueEvery > 0 && rnd.nextInt(largeValueEvery) == 0 ? largeValueSize
                            : rnd.nextInt(6) == 0 ? 0 : rnd.nextInt(300);
                    byte[] value = new byte[len];
                    rnd.nextBytes(value);
                    t.entries.add(Entry.put(key, sequence, value));
                }
            }
        }
        return t;
    }

    static TestEntries of(List<Entry> list) {
        TestEntries t = new TestEntries();
        t.entries.addAll(list);
        Set<String> seen = new HashSet<>();
        for (Entry e : list) {
            if (seen.add(Arrays.toString(e.key()))) {
                t.keys.add(e.key());
            }
        }
        return t;
    }

    long maxSequence() {
        long max = 0;
        for (Entry e : entries) {
            max = Math.max(max, e.sequence());
        }
        return max;
    }

    /** What {@link SegmentFileReader#get} must return. */
    Entry expectedGet(byte[] key, long maxSequence) {
        Entry e = entries.ceiling(new Entry(key, maxSequence, EntryKind.DELETE, new byte[0]));
        return e != null && Arrays.equals(e.key(), key) ? e : null;
    }

    /** What a cursor from {@code fromKey} must return, in order. */
    List<Entry> expectedFrom(byte[] fromKey) {
        if (fromKey == null) {
            return new ArrayList<>(entries);
        }
        return new ArrayList<>(entries.tailSet(new Entry(fromKey, Long.MAX_VALUE, EntryKind.DELETE, new byte[0]),
                true));
    }

    SegmentFileInfo write(Path file, long fileNumber, SegmentFileOptions options) {
        try (SegmentFileWriter w = SegmentFileWriter.create(file, fileNumber, STORE_ID, options)) {
            for (Entry e : entries) {
                w.add(e);
            }
            return w.finish();
        }
    }
}
