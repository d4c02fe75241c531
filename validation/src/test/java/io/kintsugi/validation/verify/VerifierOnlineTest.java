package io.kintsugi.validation.verify;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.PinnedFiles;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.oplog.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Online verify of an open store under concurrent writes, flushes and compactions. */
class VerifierOnlineTest {

    private static final String KEY_TEXT = "narwhal-online-key-";

    @TempDir
    Path tmp;

    private static byte[] key(int i) {
        return (KEY_TEXT + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int i, int version) {
        return ("online-value-" + i + "-" + version + "-" + "x".repeat(100 + i % 50))
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static StoreOptions options() {
        return StoreOptions.builder().memtableBudget(64 << 10).blockSize(1024).compactionTrigger(3).build();
    }

    @Test
    void onlineVerifyUnderWritesAndCompactionFindsOk() throws Exception {
        try (Store store = Store.open(tmp.resolve("store"), options())) {
            Namespace ns = store.namespace("live");
            for (int i = 0; i < 2000; i++) {
                ns.put(key(i), value(i, 0));
            }
            store.flush();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger version = new AtomicInteger();
            Thread writer = new Thread(() -> {
                Random random = new Random(21);
                try {
                    while (!stop.get()) {
                        int i = random.nextInt(2000);
                        ns.put(key(i), value(i, version.incrementAndGet()));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "verify-test-writer");
            writer.start();
            try {
                for (VerifyLevel level : List.of(VerifyLevel.QUICK, VerifyLevel.CHECKSUMS, VerifyLevel.FULL,
                        VerifyLevel.FULL)) {
                    Thread compactor = new Thread(() -> {
                        try {
                            store.flush();
                            store.compact();
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        }
                    }, "verify-test-compactor");
                    compactor.start();
                    VerifyReport r = Verifier.verify(store, VerifyOptions.builder().level(level)
                            .bytesPerSecond(0).build());
                    compactor.join();
                    assertEquals(VerifyStatus.OK, r.status(), r.toText());
                    assertTrue(r.online());
                    assertTrue(r.counts().files() > 0, r.toText());
                    assertFalse(r.toText().contains(KEY_TEXT), r.toText());
                    assertFalse(r.toJson().contains(KEY_TEXT), r.toJson());
                    assertTrue(r.toJson().contains("\"mode\": \"online\""), r.toJson());
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertNull(failure.get(), () -> "writer or compactor failed: " + failure.get());
            assertTrue(version.get() > 0, "the writer wrote");
            // The default online rate applies when none is set; a small store verifies well within it.
            VerifyReport throttled = Verifier.verify(store, VerifyOptions.builder().level(VerifyLevel.QUICK).build());
            assertEquals(VerifyStatus.OK, throttled.status(), throttled.toText());
        }
    }

    @Test
    void pinnedFilesOutliveACompactionThatReplacesThem() throws Exception {
        try (Store store = Store.open(tmp.resolve("pinned"), options())) {
            Namespace ns = store.namespace("live");
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 300; i++) {
                    ns.put(key(i), value(i, round));
                }
                store.flush();
            }
            try (PinnedFiles pinned = store.pinFiles()) {
                assertEquals(2, pinned.files().size(), pinned.toString());
                assertEquals(store.id(), pinned.storeId());
                store.compact();
                try (PinnedFiles after = store.pinFiles()) {
                    assertEquals(1, after.files().size(), "compaction merged the two files");
                }
                for (PinnedFiles.PinnedFile f : pinned.files()) {
                    assertTrue(Files.exists(f.path()), "a pinned file was deleted: " + f.path());
                    assertEquals(f.metadata().size(), Files.size(f.path()));
                }
            }
            for (int i = 0; i < 300; i++) {
                assertArrayEquals(value(i, 1), ns.get(key(i)));
            }
        }
    }

    @Test
    void closedStoreIsRefused() {
        Store store = Store.open(tmp.resolve("closed"), options());
        store.close();
        StorageException e = assertThrows(StorageException.class,
                () -> Verifier.verify(store, VerifyOptions.defaults()));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
