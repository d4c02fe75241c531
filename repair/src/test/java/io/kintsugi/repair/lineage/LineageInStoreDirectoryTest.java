package io.kintsugi.repair.lineage;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.validation.verify.Verifier;
import io.kintsugi.validation.verify.VerifyLevel;
import io.kintsugi.validation.verify.VerifyOptions;
import io.kintsugi.validation.verify.VerifyReport;
import io.kintsugi.validation.verify.VerifyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        }
        try (LineageLog lineage = LineageLog.openReadOnly(dir)) {
            assertEquals(java.util.List.of(copy), lineage.query(LineageQuery.all()));
        }
    }
}
