package io.kintsugi.engine;

import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.engine.replication.FollowerState;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.TcpTransport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test fixture: two stores over TCP on 127.0.0.1. {@link #build} makes the old primary's log diverge: it takes
 * writes in keys {@value #DIVERGED_FROM}..{@value #DIVERGED_TO} of {@value #NS} that reach no follower, then the
 * other store becomes primary of term 2 and writes keys {@value #PRIMARY_FROM}..{@value #PRIMARY_TO}. Both are
 * closed afterwards; {@link #openOld}/{@link #openNew} open them again.
 */
final class DivergedPair {

    static final String NS = "data";
    static final String OTHER = "other";
    static final int KEYS = 2000;
    static final int DIVERGED_FROM = 800;
    static final int DIVERGED_TO = 899;
    static final int PRIMARY_FROM = 1200;
    static final int PRIMARY_TO = 1399;

    private DivergedPair() {
    }

    static StoreOptions options() {
        ReplicationOptions ro = ReplicationOptions.builder(TcpTransport.bind("127.0.0.1", 0))
                .heartbeatInterval(Duration.ofMillis(20)).peerTimeout(Duration.ofMillis(1500))
                .connectTimeout(Duration.ofSeconds(1))
                .reconnectBackoff(Duration.ofMillis(5), Duration.ofMillis(100)).build();
        return StoreOptions.builder().blockSize(4096).memtableBudget(128 << 10).replication(ro).build();
    }

    static byte[] key(int i) {
        return String.format("key-%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] value(String what, int i) {
        byte[] b = Arrays.copyOf((what + " " + i).getBytes(StandardCharsets.US_ASCII), 100);
        Arrays.fill(b, (what + " " + i).length(), b.length, (byte) '.');
        return b;
    }

    /** Builds the two directories. */
    static void build(Path oldDir, Path newDir) throws InterruptedException {
        build(oldDir, newDir, false);
    }

    /** Builds the two directories; with {@code createNamespace} a diverged write also creates namespace "fresh". */
    static void build(Path oldDir, Path newDir, boolean createNamespace) throws InterruptedException {
        try (Store old = Store.open(oldDir, options()); Store next = Store.open(newDir, options())) {
            old.promote(1);
            next.follow(old.replicationStatus().endpoint(), 1);
            for (int i = 0; i < KEYS; i++) {
                old.namespace(NS).put(key(i), value("base", i));
                if (i % 4 == 0) {
                    old.namespace(OTHER).put(key(i), value("other", i));
                }
            }
            until(() -> next.lastSequence() >= old.lastSequence());
            next.stepDown();
            for (int i = DIVERGED_FROM; i <= DIVERGED_TO; i++) {
                if (i % 7 == 0) {
                    old.namespace(NS).delete(key(i));
                } else {
                    old.namespace(NS).put(key(i), value("diverged", i));
                }
            }
            if (createNamespace) {
                old.namespace("fresh").put(key(1), value("fresh", 1));
            }
            next.promote(2);
            for (int i = PRIMARY_FROM; i <= PRIMARY_TO; i++) {
                next.namespace(NS).put(key(i), value("term2", i));
            }
            next.flush();
        }
    }

    /** Opens the new primary and promotes it to {@code term}. */
    static Store openNew(Path dir, long term) {
        Store s = Store.open(dir, options());
        s.promote(term);
        return s;
    }

    /** Opens the old primary and makes it follow {@code primary}; returns once it stopped DIVERGED. */
    static Store openOldDiverged(Path dir, Store primary) throws InterruptedException {
        Store s = Store.open(dir, options());
        s.follow(primary.replicationStatus().endpoint(), primary.term());
        until(() -> s.replicationStatus().followerState() == FollowerState.DIVERGED);
        return s;
    }

    /** The primary's images at its last sequence of the ranges both logs wrote after the fork, one per namespace. */
    static List<RangeImage> images(Store primary, DivergenceReport report) {
        List<DivergenceReport.KeyRangeTouched> all = new ArrayList<>(report.ranges());
        all.addAll(primary.writtenRanges(report.lastAgreedSequence(), primary.lastSequence()).ranges());
        byte[] min = null;
        byte[] max = null;
        for (DivergenceReport.KeyRangeTouched t : all) {
            if (!t.namespace().equals(NS)) {
                throw new AssertionError("a write after the fork outside namespace " + NS);
            }
            min = min == null || Arrays.compareUnsigned(t.minKey(), min) < 0 ? t.minKey() : min;
            max = max == null || Arrays.compareUnsigned(t.maxKey(), max) > 0 ? t.maxKey() : max;
        }
        byte[] end = Arrays.copyOf(max, max.length + 1);
        return List.of(new RangeImage(NS, min, end, scan(primary, NS, min, end).iterator()));
    }

    static List<RangeEntry> scan(Store store, String ns, byte[] from, byte[] to) {
        List<RangeEntry> out = new ArrayList<>();
        try (Cursor c = store.namespace(ns).scan(from, to)) {
            while (c.next()) {
                out.add(new RangeEntry(c.key(), c.value()));
            }
        }
        return out;
    }

    /** Equal when both hold the same pairs; compares without printing bytes. */
    static boolean sameContents(List<RangeEntry> a, List<RangeEntry> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i).key(), b.get(i).key()) || !Arrays.equals(a.get(i).value(), b.get(i).value())) {
                return false;
            }
        }
        return true;
    }

    static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(5);
        }
    }
}
