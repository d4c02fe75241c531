package io.kintsugi.engine.manifest;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.Oplog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded bit flips in the manifest's files. After each, opening the manifest either throws
 * {@link CorruptionException} or yields exactly the state as of the last acknowledged record, or, when it reports a
 * torn tail, the state as of the record before. Never another state, never another exception.
 */
class ManifestBitFlipTest {

    private static final UUID STORE = UUID.fromString("61111111-2222-4333-8444-555555555555");
    private static final long SEED = 0x6b696e7473L;
    private static final int CASES = Integer.getInteger("kintsugi.corruption.cases", 200);
    private static final ManifestOptions OPTIONS = ManifestOptions.builder().segmentSize(4096).snapshotInterval(7)
            .build();

    @TempDir
    static Path templateRoot;
    /** The state after each acknowledged record, in order (index 0: after create). */
    private static final List<ManifestState> ORACLE = new ArrayList<>();
    private static Path template;

    @TempDir
    Path work;

    @BeforeAll
    static void writeTemplate() {
        template = templateRoot.resolve("store");
        Random random = new Random(SEED);
        try (Manifest m = Manifest.create(template, STORE, OPTIONS)) {
            ORACLE.add(m.state());
            m.recordOpened();
            ORACLE.add(m.state());
            long flushed = 0;
            for (int i = 0; i < 60; i++) {
                long n = m.allocateFileNumber();
                ORACLE.add(m.state());
                flushed += 1 + random.nextInt(20);
                byte[] small = new byte[random.nextInt(40)];
                byte[] large = new byte[small.length + 1 + random.nextInt(300)];
                random.nextBytes(small);
                java.util.Arrays.fill(large, (byte) 0xff);
                ManifestEdit.Builder b = ManifestEdit.builder().flushedSequence(flushed)
                        .addFile(new FileMetadata(n, 1 + random.nextInt(1 << 20), small, large, flushed - 1, flushed,
                                2, random.nextInt()));
                if (i % 5 == 4) {
                    b.removeFile(m.state().files().firstKey());
                }
                if (i % 9 == 0) {
                    b.addNamespace(i, "ns" + i);
                }
                ORACLE.add(m.apply(b.build()));
            }
            m.recordCleanClose(flushed + 3);
            ORACLE.add(m.state());
        }
    }

    private static List<Path> manifestFiles(Path storeDir) throws IOException {
        try (Stream<Path> s = Files.list(Manifest.directory(storeDir))) {
            return s.filter(p -> !p.getFileName().toString().equals(Oplog.LOCK_FILE_NAME)).sorted().toList();
        }
    }

    private static void flip(Path file, long offset, int bit) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ (1 << bit));
        }
    }

    /** Opens the damaged copy and checks the outcome; returns "corrupt", "torn" or "intact". */
    private static String openAndCheck(Path storeDir, String what) {
        ManifestState last = ORACLE.get(ORACLE.size() - 1);
        ManifestState beforeLast = ORACLE.get(ORACLE.size() - 2);
        try (Manifest m = Manifest.open(storeDir, OPTIONS)) {
            if (m.recoveryReport().tornTail().isPresent()) {
                if (!m.state().equals(last) && !m.state().equals(beforeLast)) {
                    fail(what + ": after a torn tail the state is neither the last nor the one before: " + m.state());
                }
                return "torn";
            }
            assertEquals(last, m.state(), what);
            return "intact";
        } catch (CorruptionException e) {
            return "corrupt";
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": expected CorruptionException, got " + e, e);
        }
    }

    @Test
    void theTemplateOpensToTheLastState() {
        ManifestFixtures.copyDirectory(template, work.resolve("s"));
        assertEquals("intact", openAndCheck(work.resolve("s"), "no damage"));
    }

    @Test
    void seededBitFlipsAreDetectedOrTornNeverWrong() throws IOException {
        List<Path> files = manifestFiles(template);
        assertTrue(files.size() >= 3, "the template should span at least two segments: " + files);
        int corrupt = 0;
        for (int c = 0; c < CASES; c++) {
            Random random = new Random(SEED + c);
            Path store = work.resolve("case" + c);
            ManifestFixtures.copyDirectory(template, store);
            List<Path> copies = manifestFiles(store);
            Path target = copies.get(random.nextInt(copies.size()));
            long offset = (long) (random.nextDouble() * Files.size(target));
            int bit = random.nextInt(8);
            flip(target, offset, bit);
            String what = "case " + c + ": bit " + bit + " at offset " + offset + " of " + target.getFileName();
            if (openAndCheck(store, what).equals("corrupt")) {
                corrupt++;
            }
            ManifestFixtures.deleteDirectory(store);
        }
        assertTrue(corrupt > CASES / 2, corrupt + " of " + CASES + " flips were reported as corruption");
    }

    @Test
    void aFlipInTheLastRecordIsATornTailThatLosesOnlyThatRecord() throws IOException {
        Path store = work.resolve("s");
        ManifestFixtures.copyDirectory(template, store);
        List<Path> files = manifestFiles(store);
        Path lastSegment = files.stream().filter(p -> p.toString().endsWith(".oplog")).reduce((a, b) -> b)
                .orElseThrow();
        flip(lastSegment, Files.size(lastSegment) - 3, 0); // inside the CLEAN_CLOSE payload
        try (Manifest m = Manifest.open(store, OPTIONS)) {
            assertTrue(m.recoveryReport().tornTail().isPresent());
            assertEquals(ORACLE.get(ORACLE.size() - 2), m.state());
            assertTrue(m.state().cleanCloseOplogEnd().isEmpty(), "a lost clean close means a crash: replay the oplog");
        }
    }
}
