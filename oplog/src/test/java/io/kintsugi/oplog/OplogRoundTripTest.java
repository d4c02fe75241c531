package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OplogRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void appendedRecordsReadBackInOrderAcrossReopen() {
        List<byte[]> payloads = new ArrayList<>();
        try (Oplog log = Oplog.open(dir)) {
            assertTrue(log.recoveryReport().created());
            for (int i = 0; i < 100; i++) {
                byte[] p = ("record-" + i).getBytes(StandardCharsets.UTF_8);
                payloads.add(p);
                assertEquals(i + 1, log.append(1, 3, p));
            }
            assertEquals(100, log.lastSequence());
        }
        try (Oplog log = Oplog.open(dir); OplogReader r = log.reader(1)) {
            assertEquals(100, log.lastSequence());
            assertEquals(1, log.currentTerm());
            for (int i = 0; i < 100; i++) {
                LogRecord rec = r.next();
                assertEquals(i + 1, rec.sequence());
                assertEquals(1, rec.term());
                assertEquals(3, rec.type());
                assertArrayEquals(payloads.get(i), rec.payload());
            }
            assertNull(r.next());
        }
    }
}
