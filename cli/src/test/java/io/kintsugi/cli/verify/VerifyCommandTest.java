package io.kintsugi.cli.verify;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kintsugi.cli.Commands;
import io.kintsugi.cli.ExitCode;
import io.kintsugi.cli.Kintsugi;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kintsugi verify} on real stores: a clean store exits 0 at every level; a seeded bit flip in a data block
 * exits 1 at {@code checksums} and names the file, while {@code quick}, which does not read data blocks, exits 0;
 * usage errors exit 2 and a directory that is not a store exits 3; no output holds key or value bytes.
 */
class VerifyCommandTest {

    private static final String KEY_MARKER = "SECRETKEY";
    private static final String VALUE_MARKER = "SECRETVALUE";
    private static final Kintsugi KINTSUGI = new Kintsugi(Commands.of(new VerifyCommand()));

    @TempDir
    Path work;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = KINTSUGI.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(r.out.contains(KEY_MARKER) || r.err.contains(KEY_MARKER), "key bytes printed");
        assertFalse(r.out.contains(VALUE_MARKER) || r.err.contains(VALUE_MARKER), "value bytes printed");
        return r;
    }

    private Path storeWithData() {
        Path dir = work.resolve("store");
        try (Store store = Store.open(dir)) {
            Namespace ns = store.namespace("orders");
            for (int i = 0; i < 4000; i++) {
                ns.put(String.format("%s-%06d", KEY_MARKER, i).getBytes(StandardCharsets.US_ASCII),
                        (VALUE_MARKER + "-" + i + "-" + "x".repeat(150)).getBytes(StandardCharsets.US_ASCII));
            }
            store.flush();
        }
        return dir;
    }

    private static Path largestSegmentFile(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg"))
                    .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length()))
                    .orElseThrow(() -> new AssertionError("no segment file in " + dir));
        }
    }

    @Test
    void cleanStoreExitsZeroAtEveryLevel() {
        Path dir = storeWithData();
        for (String level : new String[]{"quick", "checksums", "full", "FULL"}) {
            Run r = run("verify", dir.toString(), "--level", level);
            assertEquals(ExitCode.OK, r.exit, () -> level + ": " + r.out + r.err);
            assertTrue(r.out.contains("OK"), r.out);
        }
        Run json = run("verify", dir.toString(), "--json");
        assertEquals(ExitCode.OK, json.exit);
        JsonObject doc = JsonParser.parseString(json.out).getAsJsonObject();
        assertEquals(1, doc.get("version").getAsInt());
        assertEquals("OK", doc.get("status").getAsString());
    }

    @Test
    void bitFlipInADataBlockIsCorruptionAtChecksumsButNotSeenByQuick() throws IOException {
        Path dir = storeWithData();
        Path segment = largestSegmentFile(dir);
        Random random = new Random(61);
        long size = Files.size(segment);
        // The middle third of a file of this many blocks is data blocks; the index, filter and footer are at its end.
        long offset = size / 3 + random.nextInt((int) (size / 3));
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ (1 << random.nextInt(8))));
            ch.write(b.flip(), offset);
        }
        byte[] before = Files.readAllBytes(segment);

        Run quick = run("verify", dir.toString(), "--level", "quick");
        assertEquals(ExitCode.OK, quick.exit, quick.out);

        Run checksums = run("verify", dir.toString());
        assertEquals(ExitCode.CORRUPTION_FOUND, checksums.exit, checksums.out);
        assertTrue(checksums.out.contains(segment.getFileName().toString()), checksums.out);
        assertTrue(checksums.out.contains("CHECKSUM_MISMATCH"), checksums.out);

        Run json = run("verify", dir.toString(), "--level", "full", "--json");
        assertEquals(ExitCode.CORRUPTION_FOUND, json.exit);
        JsonObject doc = JsonParser.parseString(json.out).getAsJsonObject();
        assertEquals("CORRUPT", doc.get("status").getAsString());
        assertTrue(Arrays.equals(before, Files.readAllBytes(segment)), "verify changed the damaged file");
    }

    @Test
    void usageErrorsExitTwoAndNonStoresExitThree() throws IOException {
        Run badLevel = run("verify", work.toString(), "--level", "deep");
        assertEquals(ExitCode.USAGE_ERROR, badLevel.exit);
        assertTrue(badLevel.err.contains("--level must be quick, checksums or full, was 'deep'"), badLevel.err);

        Run badRate = run("verify", work.toString(), "--rate", "0");
        assertEquals(ExitCode.USAGE_ERROR, badRate.exit, badRate.err);

        Run noDir = run("verify");
        assertEquals(ExitCode.USAGE_ERROR, noDir.exit);

        Run missing = run("verify", work.resolve("nothing-here").toString());
        assertEquals(ExitCode.NOT_COMPLETED, missing.exit);
        assertTrue(missing.err.contains("does not exist"), missing.err);

        Path notAStore = Files.createDirectories(work.resolve("empty"));
        Run empty = run("verify", notAStore.toString());
        assertEquals(ExitCode.NOT_COMPLETED, empty.exit);
        assertTrue(empty.err.contains("not a Kintsugi store"), empty.err);
    }
}
