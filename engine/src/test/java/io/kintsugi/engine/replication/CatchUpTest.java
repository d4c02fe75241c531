package io.kintsugi.engine.replication;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Followers that restart or fall behind resume exactly where they stopped, or say they cannot. */
class CatchUpTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRestartedFollowerResumesWhereItStopped() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        try (ReplicaSet set = new ReplicaSet(dir, 2, net::transport, ReplicaSet::fastTimeouts)) {
            Store p = set.store(0);
            p.promote(1);
            set.store(1).follow(set.endpoint(0), 1);
            Namespace ns = p.namespace("n");
            TreeMap<String, String> oracle = new TreeMap<>();
            for (int i = 0; i < 200; i++) {
                ns.put(b("k" + i), b("a" + i));
                oracle.put("k" + i, "a" + i);
            }
            set.awaitApplied(1, p.lastSequence());
            set.store(1).flush();
            set.close(1);
            for (int i = 100; i < 400; i++) {
                ns.put(b("k" + i), b("b" + i));
                oracle.put("k" + i, "b" + i);
            }
            Store f = set.open(1);
            assertEquals(Role.FOLLOWER, f.role());
            long before = f.lastSequence();
            f.follow(set.endpoint(0), 1);
            set.awaitApplied(1, p.lastSequence());
            assertEquals(ReplicaSet.rows("n", oracle), ReplicaSet.fullScan(f, List.of("n")));
            FollowerStatus fs = p.replicationStatus().followers().get(0);
            assertEquals(2, fs.sessions(), "the follower resumed on a second session");
            assertTrue(before > 0);
        }
    }

    @Test
    void aRestartedPrimaryComesBackAsAFollowerAndTakesNoWritesUntilPromoted() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        try (ReplicaSet set = new ReplicaSet(dir, 2, net::transport, ReplicaSet::fastTimeouts)) {
            set.store(0).promote(1);
            set.store(1).follow(set.endpoint(0), 1);
            set.store(0).namespace("n").put(b("k"), b("1"));
            set.close(0);
            Store p = set.open(0);
            assertEquals(Role.FOLLOWER, p.role());
            assertEquals(1, p.term());
            NotPrimaryException e = org.junit.jupiter.api.Assertions.assertThrows(NotPrimaryException.class,
                    () -> p.namespace("n").put(b("k"), b("2")));
            assertTrue(e.getMessage().contains("no coordinator has promoted it"), e.getMessage());
            p.promote(2);
            long s = p.namespace("n").put(b("k"), b("2"));
            set.awaitApplied(1, s); // the follower reconnected by itself and took term 2
            assertEquals(2, set.store(1).term());
            assertEquals("2", new String(set.store(1).namespace("n").get(b("k")), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aFollowerWhoseRecordsThePrimaryReleasedNeedsAResyncAndSkipsNothing() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        try (ReplicaSet set = new ReplicaSet(dir, 2, net::transport,
                r -> ReplicaSet.fastTimeouts(r).retainForDisconnectedFollower(Duration.ZERO),
                s -> s.oplogSegmentSize(64 << 10))) {
            Store p = set.store(0);
            p.promote(1);
            Namespace ns = p.namespace("n");
            for (int i = 0; i < 2000; i++) {
                ns.put(b("k" + i), new byte[100]);
            }
            p.flush(); // releases the sealed oplog segments: no follower is known
            Store f = set.store(1);
            f.follow(set.endpoint(0), 1);
            ReplicationStatus st = set.awaitState(1, FollowerState.NEEDS_RESYNC);
            assertTrue(st.lastError().contains("needs 1 next"), st.lastError());
            assertEquals(0, f.lastSequence());
            assertNull(f.namespace("n").get(b("k0")));
        }
    }

    @Test
    void aPrimaryKeepsWhatAConnectedFollowerStillNeeds() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        try (ReplicaSet set = new ReplicaSet(dir, 2, net::transport, ReplicaSet::fastTimeouts,
                s -> s.oplogSegmentSize(64 << 10))) {
            Store p = set.store(0);
            p.promote(1);
            set.store(1).follow(set.endpoint(0), 1);
            Namespace ns = p.namespace("n");
            ns.put(b("first"), b("x"));
            set.awaitApplied(1, p.lastSequence());
            set.close(1); // disconnected, but retained for the default 10 minutes
            for (int i = 0; i < 2000; i++) {
                ns.put(b("k" + i), new byte[100]);
            }
            p.flush();
            Store f = set.open(1);
            f.follow(set.endpoint(0), 1);
            set.awaitApplied(1, p.lastSequence());
            assertEquals(FollowerState.STREAMING, f.replicationStatus().followerState());
        }
    }
}
