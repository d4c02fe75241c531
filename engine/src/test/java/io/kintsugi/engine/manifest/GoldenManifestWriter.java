package io.kintsugi.engine.manifest;

import io.kintsugi.oplog.Oplog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes the golden manifest directory {@code engine/src/test/resources/golden/manifest-v1/} through the public
 * API; {@link GoldenManifestTest} checks the checked-in files against it.
 *
 * <p>The golden files pin the manifest format (record payload version 1, see section 7 of {@code docs/FORMAT.md}).
 * Regenerate them <em>only</em> when the format version changes, into a new directory named after the new version:
 *
 * <pre>
 * mvn -B -q -pl engine test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=io.kintsugi.engine.manifest.GoldenManifestWriter \
 *     -Dexec.args=engine/src/test/resources/golden/manifest-vN
 * </pre>
 *
 * <p>The output is deterministic: the store id, the edits and the options are fixed, and the lock file
 * {@value Oplog#LOCK_FILE_NAME}, which is not part of the format, is left out.
 */
public final class GoldenManifestWriter {

    /** The golden store's id. */
    public static final UUID STORE_ID = UUID.fromString("01234567-89ab-cdef-8000-00000000beef");
    /** Small segments and snapshots every 4 records, so that the golden log rolls and retention drops records. */
    public static final ManifestOptions OPTIONS = ManifestOptions.builder().segmentSize(4096).snapshotInterval(4)
            .build();

    private GoldenManifestWriter() {
    }

    /**
     * Writes the golden manifest's files into {@code args[0]}.
     *
     * @param args the target directory, which must not exist or hold only dot files (.gitattributes)
     * @throws IOException if it cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GoldenManifestWriter <target directory>");
        }
        Path target = Paths.get(args[0]).toAbsolutePath();
        Path store = Files.createTempDirectory("golden-manifest");
        write(store);
        exportManifest(store, target);
        ManifestFixtures.deleteDirectory(store);
        System.out.println("wrote the golden manifest to " + target);
    }

    /** Key of {@code length} bytes: the namespace prefix byte, then (31 i + 7) mod 256. */
    static byte[] key(int namespace, int length, int salt) {
        byte[] k = new byte[length];
        k[0] = (byte) namespace;
        for (int i = 1; i < length; i++) {
            k[i] = (byte) (31 * i + 7 + salt);
        }
        return k;
    }

    /**
     * Writes the golden store's manifest into {@code storeDir}.
     *
     * @param storeDir a directory without a manifest
     * @return the final state
     */
    public static ManifestState write(Path storeDir) {
        try (Manifest m = Manifest.create(storeDir, STORE_ID, OPTIONS)) {            // 1 SNAPSHOT
            m.recordOpened();                                                          // 2 OPENED
            m.apply(ManifestEdit.builder().addNamespace(0, "orders").addNamespace(1, "users").build()); // 3 EDIT
            long first = m.allocateFileNumbers(2);                                     // 4 EDIT (1, 2)
            m.apply(ManifestEdit.builder().flushedSequence(100)                        // 5 EDIT
                    .addFile(new FileMetadata(first, 4096, ascii("\0orders/a"), ascii("\0orders/m"), 1, 100, 80,
                            0x11223344)).build());
            m.apply(ManifestEdit.builder().flushedSequence(250)                        // 6 SNAPSHOT, 7 EDIT
                    .addFile(new FileMetadata(first + 1, 70_000, key(0, 20, 0), key(1, 2500, 1), 101, 250, 150,
                            0xcafef00d)).build());
            long c = m.allocateFileNumber();                                           // 8 EDIT (3)
            m.apply(ManifestEdit.builder().removeFile(first).removeFile(first + 1)     // 9 EDIT, rolls
                    .addFile(new FileMetadata(c, 73_000, ascii("\0orders/a"), key(1, 2500, 1), 1, 250, 200,
                            0x0badf00d)).build());
            m.allocateFileNumbers(2);                                                  // 10 EDIT (4, 5)
        }
        try (Manifest m = Manifest.open(storeDir, OPTIONS)) {                          // a crash: no clean close
            m.recordOpened();                                                          // 11 SNAPSHOT, rolls;
                                                                                       //    retention; 12 OPENED
            m.apply(ManifestEdit.builder().flushedSequence(300).abandonFileNumber(5)   // 13 EDIT
                    .addFile(new FileMetadata(4, 512, ascii("\1users/k"), ascii("\1users/k"), 251, 300, 1, -1))
                    .build());
            m.recordCleanClose(321);                                                   // 14 CLEAN_CLOSE
            return m.state();
        }
    }

    /** Copies the manifest's files, without the lock file, into {@code target}. */
    static void exportManifest(Path storeDir, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> s = Files.list(target)) {
            if (s.anyMatch(p -> !p.getFileName().toString().startsWith("."))) {
                throw new IllegalArgumentException(target + " holds files other than dot files");
            }
        }
        try (Stream<Path> s = Files.list(Manifest.directory(storeDir))) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                if (!p.getFileName().toString().equals(Oplog.LOCK_FILE_NAME)) {
                    Files.copy(p, target.resolve(p.getFileName().toString()));
                }
            }
        }
    }

    private static byte[] ascii(String s) {
        return Arrays.copyOf(s.getBytes(StandardCharsets.US_ASCII), s.length());
    }
}
