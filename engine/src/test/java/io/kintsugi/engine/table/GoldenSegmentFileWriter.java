package io.kintsugi.engine.table;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Writes the golden segment files {@code engine/src/test/resources/golden/segment-v1/} and holds the definition of
 * what they contain, which {@link GoldenSegmentFileTest} checks the checked-in files against.
 *
 * <p>The files pin the segment file format, version 1 ({@code docs/FORMAT.md}, section 6). Regenerate them
 * <em>only</em> when the format version changes, into a new directory named after the new version, and keep the
 * old directory so that the old version's files stay tested:
 *
 * <pre>
 * mvn -B -q -pl engine -am test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=io.kintsugi.engine.table.GoldenSegmentFileWriter \
 *     -Dexec.args=engine/src/test/resources/golden/segment-vN
 * </pre>
 *
 * <p>The output is deterministic: store id, file numbers, options and entries are fixed. The zstd-compressed file
 * is deterministic for a given zstd library version and level; see {@link GoldenSegmentFileTest}.
 */
public final class GoldenSegmentFileWriter {

    /** The golden files' store id; its two halves have distinct bytes so that the byte order is visible. */
    public static final UUID STORE_ID = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");
    /** File number of the uncompressed golden file. */
    public static final long PLAIN_FILE_NUMBER = 7;
    /** File number of the zstd-compressed golden file. */
    public static final long ZSTD_FILE_NUMBER = 8;
    /** Name of the uncompressed golden file. */
    public static final String PLAIN_FILE = "plain.seg";
    /** Name of the zstd-compressed golden file. */
    public static final String ZSTD_FILE = "zstd.seg";

    /** Options of the uncompressed file: the smallest blocks, so that the few entries fill several. */
    public static final SegmentFileOptions PLAIN_OPTIONS = SegmentFileOptions.builder().blockSize(1024)
            .compression(false).bloomBitsPerKey(10).build();
    /** Options of the compressed file. */
    public static final SegmentFileOptions ZSTD_OPTIONS = SegmentFileOptions.builder().blockSize(1024)
            .compression(true).zstdLevel(3).bloomBitsPerKey(10).build();

    /** The entries of both files, in internal key order. */
    public static final List<Entry> ENTRIES = entries();

    private GoldenSegmentFileWriter() {
    }

    /**
     * Writes both golden files into {@code args[0]}.
     *
     * @param args the target directory
     * @throws IOException if writing fails
     */
    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args[0]);
        Files.createDirectories(dir);
        write(dir.resolve(PLAIN_FILE), PLAIN_FILE_NUMBER, PLAIN_OPTIONS);
        write(dir.resolve(ZSTD_FILE), ZSTD_FILE_NUMBER, ZSTD_OPTIONS);
    }

    static SegmentFileInfo write(Path file, long fileNumber, SegmentFileOptions options) {
        try (SegmentFileWriter w = SegmentFileWriter.create(file, fileNumber, STORE_ID, options)) {
            for (Entry e : ENTRIES) {
                w.add(e);
            }
            return w.finish();
        }
    }

    private static List<Entry> entries() {
        List<Entry> list = new ArrayList<>();
        byte[] ns1 = {0, 0, 0, 1};
        list.add(Entry.put(key(ns1, ""), 40, new byte[0]));
        list.add(Entry.put(key(ns1, "apple"), 30, ascii("red")));
        list.add(Entry.delete(key(ns1, "apple"), 20));
        list.add(Entry.put(key(ns1, "apple"), 10, ascii("green")));
        list.add(Entry.put(key(ns1, "banana"), 11, pattern(3000, 31, 7)));
        for (int i = 0; i < 40; i++) {
            list.add(Entry.put(key(ns1, String.format("k%03d", i)), 100 + i, pattern(20 + i * 3, 13, i)));
        }
        list.add(Entry.delete(key(ns1, "zebra"), 41));
        byte[] ns2 = {0, 0, 0, 2};
        byte[] high = key(ns2, "");
        high = java.util.Arrays.copyOf(high, high.length + 2);
        high[high.length - 2] = (byte) 0x80;
        high[high.length - 1] = (byte) 0xff;
        list.add(Entry.put(high, Long.MAX_VALUE, ascii("unsigned order")));
        list.add(Entry.put(high, 0, ascii("sequence zero")));
        list.sort(InternalKeys.COMPARATOR);
        return Collections.unmodifiableList(list);
    }

    private static byte[] key(byte[] prefix, String user) {
        byte[] u = ascii(user);
        byte[] k = java.util.Arrays.copyOf(prefix, prefix.length + u.length);
        System.arraycopy(u, 0, k, prefix.length, u.length);
        return k;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Byte i = (mul * i + add) mod 256. */
    static byte[] pattern(int length, int mul, int add) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (mul * i + add);
        }
        return b;
    }
}
