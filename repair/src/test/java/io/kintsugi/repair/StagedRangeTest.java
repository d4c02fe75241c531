package io.kintsugi.repair;

import io.kintsugi.engine.RangeEntry;
import io.kintsugi.engine.Store;
import io.kintsugi.validation.verify.Verifier;
import io.kintsugi.validation.verify.VerifyLevel;
import io.kintsugi.validation.verify.VerifyOptions;
import io.kintsugi.validation.verify.VerifyReport;
import io.kintsugi.validation.verify.VerifyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Staging a pulled range: spilling to a file past the memory limit, removing what a killed pull left, and the
 * staging directory's place among the store's own names.
 */
class StagedRangeTest {

    @TempDir
    Path dir;

    @Test
    void aSpilledRangeReadsBackInOrderAndItsFileIsNamedForItsStore() throws Exception {
        List<RangeEntry> pairs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pairs.add(new RangeEntry(new byte[] {(byte) i}, new byte[i]));
        }
        try (StagedRange staged = new StagedRange(64, dir, "store-a")) {
            pairs.forEach(e -> staged.accept(e.key(), e.value()));
            assertTrue(staged.onDisk());
            assertEquals(100, staged.count());
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> list = files.toList();
                assertEquals(1, list.size());
                assertTrue(list.get(0).getFileName().toString().startsWith("pull-store-a-"), list.toString());
            }
            var it = staged.pairs();
            for (RangeEntry want : pairs) {
                RangeEntry got = it.next();
                assertArrayEquals(want.key(), got.key());
                assertArrayEquals(want.value(), got.value());
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "the staged file is removed on close");
        }
    }

    @Test
    void onlyThisStoresLeftoverFilesAreRemoved() throws Exception {
        Files.write(dir.resolve("pull-store-a-1.staged"), new byte[10]);
        Files.write(dir.resolve("pull-store-a-2.staged"), new byte[10]);
        Files.write(dir.resolve("pull-store-b-1.staged"), new byte[10]);
        Files.write(dir.resolve("notes.txt"), new byte[1]);
        assertEquals(2, StagedRange.removeStale(dir, "store-a"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("notes.txt", "pull-store-b-1.staged"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(0, StagedRange.removeStale(dir.resolve("absent"), "store-a"));
    }

    @Test
    void aStagingDirectoryInTheStoreDirectoryIsOneOfTheStoresOwnNamesToVerify() throws Exception {
        Path storeDir = dir.resolve("store");
        try (Store store = Store.open(storeDir)) {
            store.namespace("orders").put(new byte[] {1}, new byte[] {2});
        }
        // What a pull killed while it spilled leaves behind: the directory and a staged file in it.
        Path staging = storeDir.resolve(RepairAgent.STAGING_DIRECTORY);
        StagedRange killed = new StagedRange(0, staging, "store-a");
        killed.accept(new byte[] {1}, new byte[] {3});
        assertTrue(killed.onDisk());
        for (VerifyLevel level : VerifyLevel.values()) {
            VerifyReport r = Verifier.verify(storeDir, VerifyOptions.builder().level(level).build());
            assertEquals(VerifyStatus.OK, r.status(), level + ": " + r.toText());
        }
        killed.close();
    }
}
