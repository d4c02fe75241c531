package io.kintsugi.validation.verify;

import io.kintsugi.engine.Store;
import io.kintsugi.engine.format.TermHistoryFormat;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.health.TestEntries;
import io.kintsugi.validation.scan.ScanState;
import io.kintsugi.validation.scan.ScanStateFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Verify of the store's other parts: term history, scan state and health log. */
class VerifierComponentsTest {

    @TempDir
    Path tmp;

    private Path dir;
    private UUID storeId;

    /** A store with a health log of a few entries (whose keys hold a marker) and a scan state file. */
    private void build() throws IOException {
        dir = tmp.resolve("store");
        try (Store store = Store.open(dir)) {
            storeId = store.id();
            store.namespace("ns").put("k".getBytes(StandardCharsets.US_ASCII), new byte[10]);
        }
        try (HealthLog health = HealthLog.open(dir)) {
            for (int i = 0; i < 5; i++) {
                health.append(i % 2 == 0 ? TestEntries.consistent(i) : TestEntries.inconsistent(i));
            }
        }
        Files.deleteIfExists(HealthLog.directory(dir).resolve("oplog.lock"));
        byte[] marker = (TestEntries.KEY_MARKER + "-next").getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve(ScanStateFormat.FILE_NAME), ScanStateFormat.encode(storeId,
                new ScanState(7, null, new byte[0], null, "ns", marker, 3, 30, 300)));
    }

    private VerifyReport verify(VerifyLevel level) {
        return Verifier.verify(dir, VerifyOptions.builder().level(level).build());
    }

    private static void assertNoKeyBytes(VerifyReport r) {
        assertFalse(r.toText().contains(TestEntries.KEY_MARKER), r.toText());
        assertFalse(r.toJson().contains(TestEntries.KEY_MARKER), r.toJson());
    }

    @Test
    void everyComponentIsExaminedAndOk() throws IOException {
        build();
        for (VerifyLevel level : VerifyLevel.values()) {
            VerifyReport r = verify(level);
            assertEquals(VerifyStatus.OK, r.status(), r.toText());
            for (VerifyComponent c : VerifyComponent.values()) {
                // The lineage log is the repair module's; LineageInStoreDirectoryTest there checks it is examined.
                if (c != VerifyComponent.SEGMENT_FILES && c != VerifyComponent.LINEAGE_LOG) {
                    assertTrue(r.files().stream().anyMatch(f -> f.component() == c), c + " not examined:\n"
                            + r.toText());
                }
            }
            assertNoKeyBytes(r);
        }
    }

    @Test
    void damagedTermHistoryIsFoundByQuick() throws IOException {
        build();
        Path terms = dir.resolve(TermHistoryFormat.FILE_NAME);
        byte[] bytes = Files.readAllBytes(terms);
        Random random = new Random(41);
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        Files.write(terms, bytes);
        VerifyReport r = verify(VerifyLevel.QUICK);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        assertEquals(VerifyStatus.CORRUPT, r.status(VerifyComponent.TERM_HISTORY));
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, r.problems().get(0).kind());
        assertEquals(terms, r.problems().get(0).file());
        assertEquals(1, r.problems().size(), r.toText());
    }

    @Test
    void termHistoryOfANewerVersionMakesTheVerifyIncomplete() throws IOException {
        build();
        Path terms = dir.resolve(TermHistoryFormat.FILE_NAME);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(terms)).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(6, (short) (TermHistoryFormat.VERSION_CURRENT + 1));
        b.putInt(b.capacity() - 4, Crc32c.maskedOf(b, 0, b.capacity() - 4));
        Files.write(terms, b.array());
        VerifyReport r = verify(VerifyLevel.QUICK);
        assertEquals(VerifyStatus.INCOMPLETE, r.status(), r.toText());
        assertEquals(VerifyStatus.INCOMPLETE, r.status(VerifyComponent.TERM_HISTORY));
        assertTrue(r.problems().isEmpty(), r.toText());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("too new")), r.toText());
    }

    @Test
    void damagedScanStateIsFoundByQuick() throws IOException {
        build();
        Path state = dir.resolve(ScanStateFormat.FILE_NAME);
        byte[] bytes = Files.readAllBytes(state);
        Random random = new Random(42);
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        Files.write(state, bytes);
        VerifyReport r = verify(VerifyLevel.QUICK);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        assertEquals(VerifyStatus.CORRUPT, r.status(VerifyComponent.SCAN_STATE));
        assertEquals(state, r.problems().get(0).file());
        assertNoKeyBytes(r);
    }

    @Test
    void damagedHealthRecordIsFoundByChecksums() throws IOException {
        build();
        Path healthDir = HealthLog.directory(dir);
        Path segment = StoreFaults.lastLogSegment(healthDir);
        byte[] bytes = Files.readAllBytes(segment);
        int length = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(SegmentHeaderFormat.LENGTH);
        Random random = new Random(43);
        int at = SegmentHeaderFormat.LENGTH + RecordFormat.HEADER_LENGTH + random.nextInt(length);
        bytes[at] ^= (byte) (1 << random.nextInt(8));
        Files.write(segment, bytes);
        assertEquals(VerifyStatus.OK, verify(VerifyLevel.QUICK).status());
        VerifyReport r = verify(VerifyLevel.CHECKSUMS);
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        assertEquals(VerifyStatus.CORRUPT, r.status(VerifyComponent.HEALTH_LOG));
        assertEquals(VerifyStatus.OK, r.status(VerifyComponent.OPLOG));
        assertEquals(CorruptionKind.CORRUPT_BEFORE_VALID_DATA, r.problems().get(0).kind(), r.toText());
        assertEquals(segment, r.problems().get(0).file());
        assertNoKeyBytes(r);
    }
}
