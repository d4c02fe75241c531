package io.kintsugi.repair.resync;

import io.kintsugi.engine.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Namespaces only the target holds are found, and emptied without touching the others. */
class TargetNamespacesTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void targetOnlyNamespacesAreFoundAndEmptiedLeavingTheRest() {
        try (Store target = Store.open(dir.resolve("t"))) {
            for (int i = 0; i < 500; i++) {
                target.namespace("orders").put(b("o" + i), b("v" + i));
                target.namespace("scratch").put(b("s" + i), b("w" + i));
            }
            target.flush();
            target.namespace("scratch").put(b("late"), b("x"));
            target.namespace("stale").put(b("a"), b("y"));

            List<String> only = TargetNamespaces.only(target, List.of("orders", "users"));
            assertEquals(List.of("scratch", "stale"), only);
            for (String name : only) {
                assertTrue(TargetNamespaces.clear(target, name).entriesInstalled() == 0);
            }
            for (int i = 0; i < 500; i++) {
                assertNull(target.namespace("scratch").get(b("s" + i)));
                assertArrayEquals(b("v" + i), target.namespace("orders").get(b("o" + i)));
            }
            assertNull(target.namespace("scratch").get(b("late")));
            assertNull(target.namespace("stale").get(b("a")));
            try (var c = target.namespace("scratch").scan(null, null)) {
                assertTrue(!c.next(), "the emptied namespace scans empty");
            }
            // Writes after the clear are kept.
            target.namespace("scratch").put(b("after"), b("z"));
            assertArrayEquals(b("z"), target.namespace("scratch").get(b("after")));
        }
    }
}
