package io.kintsugi.engine.format;

import io.kintsugi.engine.replication.TermHistory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.UUID;

/**
 * Writes the golden term history file {@code engine/src/test/resources/golden/terms-v1/terms} and holds the
 * definition of what it contains, which {@link GoldenTermHistoryTest} checks the checked-in file against.
 *
 * <p>The file pins the term history format, version 1 ({@code docs/FORMAT.md}, section 9). Regenerate it
 * <em>only</em> when the format version changes, into a new directory named after the new version, and keep the
 * old directory so that the old version stays tested:
 *
 * <pre>
 * mvn -B -q -pl engine -am test-compile
 * java -cp oplog/target/classes:engine/target/classes:engine/target/test-classes \
 *     io.kintsugi.engine.format.GoldenTermHistoryWriter engine/src/test/resources/golden/terms-vN
 * </pre>
 *
 * <p>The output is deterministic: the store id and the entries are fixed.
 */
public final class GoldenTermHistoryWriter {

    /** The golden file's name: the name the store gives the file. */
    public static final String FILE = "terms";
    /** The owning store; its two halves have distinct bytes so that the byte order is visible. */
    public static final UUID STORE_ID = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");
    /** Another store, primary of term 3. */
    public static final UUID OTHER_PRIMARY = UUID.fromString("fedcba98-7654-3210-8000-0000000000b2");
    /**
     * Term 0 from sequence 1 by the store itself (what a new store records), term 3 from 101 by another store
     * (copied as a follower), term 7 from 4242 by the store itself again (a promotion).
     */
    public static final TermHistory HISTORY = TermHistory.of(List.of(
            new TermHistory.Entry(0, 1, STORE_ID),
            new TermHistory.Entry(3, 101, OTHER_PRIMARY),
            new TermHistory.Entry(7, 4242, STORE_ID)));

    private GoldenTermHistoryWriter() {
    }

    /** @return the golden file's bytes as the current code encodes them */
    public static byte[] encode() {
        return TermHistoryFormat.encode(STORE_ID, HISTORY);
    }

    /**
     * Writes the golden file into {@code args[0]}.
     *
     * @param args the target directory; it must not hold the file already
     * @throws IOException if writing fails
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GoldenTermHistoryWriter <target directory>");
        }
        Path dir = Paths.get(args[0]).toAbsolutePath();
        Files.createDirectories(dir);
        Files.write(dir.resolve(FILE), encode(), java.nio.file.StandardOpenOption.CREATE_NEW);
        System.out.println("wrote the golden term history file to " + dir.resolve(FILE));
    }
}
