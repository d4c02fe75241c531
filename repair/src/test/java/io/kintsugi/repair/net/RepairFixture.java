package io.kintsugi.repair.net;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.RangeEntry;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.scan.RangeHasher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A store with a 20 000-pair range held at a snapshot, and servers and clients that close after each test. */
abstract class RepairFixture {

    static final byte[] SECRET = "repair-test-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
    static final int PAIRS = 20_000;

    @TempDir
    Path dir;
    Store store;
    Namespace ns;
    SnapshotRangeSource source;
    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void open() {
        store = Store.open(dir, StoreOptions.builder().durability(Durability.NONE).build());
        ns = store.namespace("orders");
        fill(ns, PAIRS, 42);
        store.flush();
        // Some pairs in the memtable too, and one outside the range.
        ns.put(key(PAIRS + 5), "late".getBytes(StandardCharsets.US_ASCII));
        ns.put("zz-outside".getBytes(StandardCharsets.US_ASCII), new byte[3]);
        source = new SnapshotRangeSource(store, ns, new byte[0], "zz".getBytes(StandardCharsets.US_ASCII));
        // A write after the snapshot must not show in the stream.
        ns.put(key(3), "after the snapshot".getBytes(StandardCharsets.US_ASCII));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        source.close();
        store.close();
    }

    /** Keys that no message may contain: the text "kq" followed by digits. */
    static byte[] key(int i) {
        return String.format("kq%07d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static void fill(Namespace ns, int n, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            byte[] v = new byte[20 + r.nextInt(120)];
            r.nextBytes(v);
            ns.put(key(i), v);
        }
    }

    RepairServer server(RangeSource s, RepairServerOptions.Builder o, RepairSession.FrameTap tap) {
        RepairServer server = RepairServer.start(s, o.build(), tap);
        closeables.add(server);
        return server;
    }

    RepairServer server() {
        return server(source, RepairServerOptions.builder().secret(SECRET), null);
    }

    static RepairClient client() {
        return new RepairClient(RepairClientOptions.builder().secret(SECRET).build());
    }

    List<RangeEntry> snapshotPairs() {
        List<RangeEntry> out = new ArrayList<>();
        try (Cursor c = source.scan()) {
            while (c.next()) {
                out.add(new RangeEntry(c.key(), c.value()));
            }
        }
        return out;
    }

    static void assertNoKeyBytes(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            assertFalse(m.contains("kq0"), "message holds key bytes: " + m);
        }
    }

}
