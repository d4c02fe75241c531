package io.kintsugi.repair.lineage;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.validation.verify.Verifier;
import io.kintsugi.validation.verify.VerifyComponent;
import io.kintsugi.validation.verify.VerifyLevel;
import io.kintsugi.validation.verify.VerifyOptions;
import io.kintsugi.validation.verify.VerifyReport;
import io.kintsugi.validation.verify.VerifyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lineage log lives in the store directory beside the store's own files: the store reopens around it, and
 * verify counts it as one of the store's names rather than a foreign file.
 */
class LineageInStoreDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void theStoreReopensAndVerifiesCleanWithALineageLogBesideIt() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        try (Store store = Store.open(dir)) {
            store.namespace("orders").put(key, value);
            store.flush();
        }
        LineageRecord copy = new LineageRecord(Instant.parse("2026-05-01T10:00:00Z"), LineageKind.RANGE_COPY,
                "a", "b", "orders", null, null, 1, 1, 2, null, "");
        try (LineageLog lineage = LineageLog.open(dir)) {
            lineage.append(copy);
        }
        try (Store store = Store.open(dir)) {
            Namespace ns = store.namespace("orders");
            assertArrayEquals(value, ns.get(key));
        }
        for (VerifyLevel level : VerifyLevel.values()) {
            VerifyReport r = Verifier.verify(dir, VerifyOptions.builder().level(level).build());
            assertEquals(VerifyStatus.OK, r.status(), level + ": " + r.toText());
            assertTrue(r.files().stream().anyMatch(f -> f.component() == VerifyComponent.LINEAGE_LOG), r.toText());
        }
        try (LineageLog lineage = LineageLog.openReadOnly(dir)) {
            assertEquals(java.util.List.of(copy), lineage.query(LineageQuery.all()));
        }
    }

    @Test
    void verifyFindsADamagedLineageRecordAtChecksums() throws IOException {
        try (Store store = Store.open(dir)) {
            store.namespace("orders").put("k".getBytes(StandardCharsets.UTF_8), new byte[] {1});
        }
        try (LineageLog lineage = LineageLog.open(dir)) {
            for (int i = 0; i < 3; i++) {
                lineage.append(new LineageRecord(Instant.parse("2026-05-01T10:00:00Z").plusSeconds(i),
                        LineageKind.RANGE_COPY, "a", "b", "orders", null, null, 1 + i, 1, 2, null, "r" + i));
            }
        }
        Path segment;
        try (Stream<Path> files = Files.list(LineageLog.directory(dir))) {
            segment = files.filter(p -> p.getFileName().toString().endsWith(".oplog")).findFirst()
                    .orElseThrow(() -> new AssertionError("no lineage segment"));
        }
        // A bit in the middle of the segment, well before the last record, so it is not a torn tail.
        byte[] bytes = Files.readAllBytes(segment);
        int at = bytes.length / 3 + new Random(31).nextInt(bytes.length / 6);
        bytes[at] ^= 0x10;
        Files.write(segment, bytes);

        assertEquals(VerifyStatus.OK, Verifier.verify(dir, VerifyOptions.builder().level(VerifyLevel.QUICK)
                .build()).status(VerifyComponent.LINEAGE_LOG), "QUICK does not read the records");
        VerifyReport r = Verifier.verify(dir, VerifyOptions.builder().level(VerifyLevel.CHECKSUMS).build());
        assertEquals(VerifyStatus.CORRUPT, r.status(), r.toText());
        assertEquals(VerifyStatus.CORRUPT, r.status(VerifyComponent.LINEAGE_LOG), r.toText());
    }
}
