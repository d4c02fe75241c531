package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a clear exception that names the limit; a closed log says so. */
class OplogArgumentsTest {

    @TempDir
    Path dir;

    private static void assertMessageContains(Exception e, String part) {
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention " + part);
    }

    @Test
    void appendArgumentsOutsideTheirLimitsAreRejectedWithTheLimitNamed() {
        try (Oplog log = Oplog.open(dir, OplogOptions.builder().maxPayloadSize(1000).build())) {
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> log.append(1, 1, new byte[1001])), "1000 bytes");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> log.append(1, 1, null)), "payload");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> log.append(1, 240, new byte[1])), "239");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> log.append(1, -1, new byte[1])), "239");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> log.append(-1, 1, new byte[1])), "term");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> log.appendAt(0, 1, 1, new byte[1])), "at least 1");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> log.appendAt(1, 1, 256, new byte[1])), "255");
            assertMessageContains(assertThrows(IllegalArgumentException.class,
                    () -> log.advanceTerm(-2)), "term");
            assertEquals(1, log.append(1, 1, new byte[1000]), "exactly the limit is fine");
        }
    }

    @Test
    void optionsOutsideTheirLimitsAreRejectedWithTheLimitNamed() {
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> OplogOptions.builder().segmentSize(100)), "4096");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> OplogOptions.builder().ringSize(1000)), "power of two");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> OplogOptions.builder().maxPayloadSize(-1)), "max payload");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> OplogOptions.builder().firstSequence(0)), "at least 1");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> Durability.batched(Duration.ZERO)), "1 ms");
    }

    @Test
    void aClosedLogThrowsStorageExceptionSayingSo() {
        Oplog log = Oplog.open(dir);
        log.append(1, 1, new byte[1]);
        log.close();
        log.close();
        StorageException e = assertThrows(StorageException.class, () -> log.append(1, 1, new byte[1]));
        assertEquals(StorageException.class, e.getClass());
        assertMessageContains(e, "closed");
        assertMessageContains(assertThrows(StorageException.class, () -> log.reader(1)), "closed");
        assertMessageContains(assertThrows(StorageException.class, log::sync), "closed");
        assertMessageContains(assertThrows(StorageException.class, () -> log.releaseThrough(1)), "closed");
    }

    @Test
    void aDirectoryCanBeOpenInOneOplogAtATime() {
        try (Oplog log = Oplog.open(dir)) {
            StorageException e = assertThrows(StorageException.class, () -> Oplog.open(dir));
            assertMessageContains(e, "already open");
            assertEquals(0, log.lastSequence());
        }
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(0, log.lastSequence(), "after close the directory can be opened again");
        }
    }

    @Test
    void aLogOpenedWithTheWrongIdIsRefused() {
        UUID id;
        try (Oplog log = Oplog.open(dir)) {
            id = log.logId();
        }
        UUID other = new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits() + 1);
        StorageException e = assertThrows(StorageException.class,
                () -> Oplog.open(dir, OplogOptions.builder().logId(other).build()));
        assertMessageContains(e, other.toString());
        try (Oplog log = Oplog.open(dir, OplogOptions.builder().logId(id).build())) {
            assertEquals(id, log.logId());
        }
    }
}
