package io.kintsugi.engine;

import io.kintsugi.oplog.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Store.open} in a JVM started without the required flags fails at once, naming every flag, and creates
 * nothing. Runs a child JVM without the flags, since this test's own JVM has them.
 */
class JvmFlagsTest {

    @TempDir
    Path dir;

    /** Child main: tries to open a store and prints the outcome. */
    public static void main(String[] args) {
        try (Store s = Store.open(Path.of(args[0]))) {
            System.out.println("OPENED");
        } catch (StorageException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Test
    void thisTestJvmHasTheFlags() {
        assertEquals(List.of(), JvmFlags.missing());
    }

    @Test
    void openingWithoutTheFlagsFailsAtOnceNamingEachFlag() throws IOException, InterruptedException {
        Path store = dir.resolve("store");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JvmFlagsTest.class.getName(), store.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertTrue(out.contains("StorageException: the JVM lacks flags"), out);
        for (String flag : JvmFlags.REQUIRED) {
            assertTrue(out.contains(flag), "the message names " + flag + ": " + out);
        }
        assertFalse(Files.exists(store), "nothing is created when the flags are missing");
    }
}
