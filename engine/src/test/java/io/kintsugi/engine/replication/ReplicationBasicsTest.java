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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Roles, log shipping and write concern over both transports. */
class ReplicationBasicsTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void followersCopyThePrimaryOverInProcess() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        try (ReplicaSet set = new ReplicaSet(dir, 3, net::transport, ReplicaSet::fastTimeouts)) {
            copiesEverything(set);
        }
    }

    @Test
    void followersCopyThePrimaryOverTcp() throws Exception {
        try (ReplicaSet set = new ReplicaSet(dir, 3, name -> TcpTransport.bind("127.0.0.1", 0),
                b -> ReplicaSet.fastTimeouts(b).secret(ReplicaSet.SECRET))) {
            copiesEverything(set);
        }
    }

    private static void copiesEverything(ReplicaSet set) throws InterruptedException {
        Store a = set.store(0);
        a.promote(1);
        set.store(1).follow(set.endpoint(0), 1);
        set.store(2).follow(set.endpoint(0), 1);
        Namespace ns = a.namespace("orders");
        TreeMap<String, String> oracle = new TreeMap<>();
        WriteConcern both = WriteConcern.followers(2, Duration.ofSeconds(30));
        long last = 0;
        for (int i = 0; i < 500; i++) {
            String k = "k" + (i * 7919 % 500);
            String v = "v" + i;
            var batch = a.newBatch().put(ns, b(k), b(v));
            last = a.write(batch, i % 50 == 0 ? both : WriteConcern.LOCAL);
            oracle.put(k, v);
        }
        a.awaitReplication(last, both);
        for (int i = 1; i < 3; i++) {
            assertEquals(last, set.store(i).lastSequence());
            assertEquals(ReplicaSet.rows("orders", oracle), ReplicaSet.fullScan(set.store(i), List.of("orders")));
            assertEquals(Role.FOLLOWER, set.store(i).role());
            assertEquals(FollowerState.STREAMING, set.store(i).replicationStatus().followerState());
        }
        ReplicationStatus primary = a.replicationStatus();
        assertEquals(Role.PRIMARY, primary.role());
        assertEquals(2, primary.followers().size());
        for (FollowerStatus f : primary.followers()) {
            assertEquals(last, f.ackedSequence());
            assertTrue(f.connected());
        }
        NotPrimaryException e = assertThrows(NotPrimaryException.class,
                () -> set.store(1).namespace("orders").put(b("x"), b("y")));
        assertTrue(e.getMessage().contains(set.endpoint(0)), e.getMessage());
        assertEquals(1, e.term());
        assertArrayEquals(b(oracle.get("k0")), set.store(2).namespace("orders").get(b("k0")));
    }

    @Test
    void aStoreWithoutReplicationIsItsOwnPrimaryAndRefusesFollowerConcernsBeforeWriting() {
        try (Store s = Store.open(dir.resolve("alone"))) {
            assertEquals(Role.PRIMARY, s.role());
            Namespace ns = s.namespace("n");
            long before = s.lastSequence();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.write(s.newBatch().put(ns, b("k"), b("v")), WriteConcern.followers(1, Duration.ZERO)));
            assertTrue(e.getMessage().contains("replication options"), e.getMessage());
            assertEquals(before, s.lastSequence(), "a refused write was made anyway");
            assertThrows(IllegalStateException.class, () -> s.follow("elsewhere", 1));
            s.promote(3);
            assertEquals(3, s.term());
            ns.put(b("k"), b("v"));
            assertThrows(io.kintsugi.oplog.StaleTermException.class, () -> s.promote(2));
        }
        try (Store s = Store.open(dir.resolve("alone"))) {
            assertEquals(3, s.term(), "terms survive a restart");
            assertEquals(Role.PRIMARY, s.role());
            s.namespace("n").put(b("k2"), b("v")); // written at term 3
        }
    }
}
