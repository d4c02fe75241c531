package io.kintsugi.oplog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes the golden oplog directory {@code oplog/src/test/resources/golden/oplog-v2/} through the public API, and
 * holds the definition of what that directory contains, which {@link GoldenFormatTest} checks the checked-in files
 * against.
 *
 * <p>The golden files pin the on-disk format (segment format version 2, metadata format version 1, see
 * {@code docs/FORMAT.md}). Regenerate them <em>only</em> when a format version changes, into a new directory named
 * after the new version, and keep the old directory so that the old version's files stay tested:
 *
 * <pre>
 * mvn -B -q -pl oplog test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=io.kintsugi.oplog.GoldenLogWriter \
 *     -Dexec.args=oplog/src/test/resources/golden/oplog-vN
 * </pre>
 *
 * <p>The target directory must not exist or must be empty. The output is deterministic: the log id, the terms, the
 * record types and the payloads are fixed, and the lock file {@value Oplog#LOCK_FILE_NAME}, which is not part of
 * the format, is removed. Running the writer twice yields byte-identical files.
 */
public final class GoldenLogWriter {

    /** The golden log's id; its two halves have distinct bytes so that the byte order of the id is visible. */
    public static final UUID LOG_ID = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");
    /** Segment size the golden log is written with: the smallest allowed, so that it rolls after a few records. */
    public static final long SEGMENT_SIZE = 4096;
    /** The term raised with {@link Oplog#advanceTerm} before the first record. */
    public static final long INITIAL_TERM = 1;
    /** The term raised with {@link Oplog#advanceTerm} after the last record; it is the term {@code oplog.meta} holds. */
    public static final long FINAL_TERM = 5;

    /** The records of the golden log, in sequence order, starting at sequence 1. */
    public static final List<LogRecord> RECORDS = List.of(
            new LogRecord(1, 1, 0, "hello, kintsugi".getBytes(StandardCharsets.US_ASCII)),
            new LogRecord(2, 1, 7, new byte[0]),
            new LogRecord(3, 2, 239, allByteValues()),
            new LogRecord(4, 2, 1, pattern(3000, 31, 7)),
            new LogRecord(5, 3, 2, pattern(1000, 13, 101)),
            new LogRecord(6, 3, 3, "last".getBytes(StandardCharsets.US_ASCII)));

    /** First sequence of each segment the records end up in: records 1-4 fill the first, record 5 rolls. */
    public static final List<Long> SEGMENT_FIRST_SEQUENCES = List.of(1L, 5L);

    private GoldenLogWriter() {
    }

    /**
     * Writes the golden log into {@code args[0]}.
     *
     * @param args the target directory
     * @throws IOException if the directory cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GoldenLogWriter <target directory>");
        }
        Path target = Paths.get(args[0]).toAbsolutePath();
        write(target);
        System.out.println("wrote the golden oplog to " + target);
    }

    /**
     * Writes the golden log into {@code dir} through the public API and removes the lock file.
     *
     * @param dir a directory that does not exist or is empty
     * @throws IOException              if the directory cannot be written
     * @throws IllegalArgumentException if {@code dir} is not empty
     */
    public static void write(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " is not empty; golden files are written into a new "
                            + "directory");
                }
            }
        }
        OplogOptions options = OplogOptions.builder()
                .logId(LOG_ID)
                .segmentSize(SEGMENT_SIZE)
                .durability(Durability.SYNC)
                .build();
        try (Oplog log = Oplog.open(dir, options)) {
            log.advanceTerm(INITIAL_TERM);
            for (LogRecord r : RECORDS) {
                long seq = log.append(r.term(), r.type(), r.payload());
                if (seq != r.sequence()) {
                    throw new IllegalStateException("record got sequence " + seq + ", expected " + r.sequence());
                }
            }
            log.advanceTerm(FINAL_TERM);
        }
        Files.delete(dir.resolve(Oplog.LOCK_FILE_NAME));
    }

    /** @return the 256 byte values 0x00..0xff in order */
    static byte[] allByteValues() {
        byte[] b = new byte[256];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /** @return {@code length} bytes where byte {@code i} is {@code (i * multiplier + offset) mod 256} */
    static byte[] pattern(int length, int multiplier, int offset) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * multiplier + offset);
        }
        return b;
    }
}
