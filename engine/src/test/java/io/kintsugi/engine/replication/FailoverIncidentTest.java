package io.kintsugi.engine.replication;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.StaleTermException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failover races of the background incidents: a primary cut off while a new one is promoted keeps receiving
 * writes. None of them may be lost silently, no follower may apply them, and the old primary must report exactly
 * what diverged when it rejoins.
 */
class FailoverIncidentTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCutOffPrimaryIsFencedItsLateWritesFailAndItReportsDivergence() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        Map<String, FaultyTransport> transports = new HashMap<>();
        WriteConcern majority = WriteConcern.followers(1, Duration.ofMillis(300));
        try (ReplicaSet set = new ReplicaSet(dir, 3, name -> transports.computeIfAbsent(name,
                n -> new FaultyTransport(net.transport(n), 1)),
                r -> ReplicaSet.fastTimeouts(r).writeConcern(majority))) {
            Store a = set.store(0);
            Store b = set.store(1);
            Store c = set.store(2);
            a.promote(1);
            b.follow(set.endpoint(0), 1);
            c.follow(set.endpoint(0), 1);
            Namespace orders = a.namespace("orders");
            TreeMap<String, String> acknowledged = new TreeMap<>();
            long lastAcknowledged = 0;
            for (int i = 0; i < 100; i++) {
                lastAcknowledged = orders.put(b("k" + i), b("v" + i));
                acknowledged.put("k" + i, "v" + i);
            }
            a.awaitReplication(lastAcknowledged, WriteConcern.followers(2, Duration.ofSeconds(30)));

            // A is cut off; the coordinator promotes B at term 2 and points C at it.
            transports.get("r0").partition(true);
            b.promote(2);
            c.follow(set.endpoint(1), 2);
            Namespace ordersOnB = b.namespace("orders");
            long onB = ordersOnB.put(b("k-new"), b("from-b"));
            acknowledged.put("k-new", "from-b");
            set.awaitApplied(2, onB);

            // A still believes it is primary: every write fails (no follower can acknowledge it), none silently.
            List<String> lateKeys = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String key = "late" + i;
                WriteConcernException e = assertThrows(WriteConcernException.class,
                        () -> orders.put(b(key), b("lost?")));
                assertEquals(1, e.required());
                assertTrue(e.getMessage().contains("may be rolled back"), e.getMessage());
                lateKeys.add(key);
            }
            long aLast = a.lastSequence();
            assertTrue(aLast > lastAcknowledged);

            // Followers never apply A's late records.
            for (Store s : List.of(b, c)) {
                for (String key : lateKeys) {
                    assertNull(s.namespace("orders").get(b(key)), "a follower applied a late write of the old primary");
                }
            }

            // C, misrouted to A after the cutover, must not follow it; A learns of term 2 and fences itself.
            transports.get("r0").partition(false);
            c.follow(set.endpoint(0), 2);
            set.awaitState(2, FollowerState.NO_PRIMARY);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (a.role() == Role.PRIMARY && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(Role.FOLLOWER, a.role());
            assertEquals(2, a.term());
            NotPrimaryException fenced = assertThrows(NotPrimaryException.class,
                    () -> orders.put(b("after-fence"), b("x")));
            assertTrue(fenced.getMessage().contains("term 1") && fenced.getMessage().contains("term 2"),
                    fenced.getMessage());
            assertEquals(aLast, a.lastSequence(), "a fenced write changed the old primary's log");
            assertThrows(StaleTermException.class, () -> a.promote(2), "two primaries of term 2");
            c.follow(set.endpoint(1), 2);

            // A rejoins as a follower of B: it reports DIVERGED, exactly, and applies nothing of B's.
            a.follow(set.endpoint(1), 2);
            ReplicationStatus status = set.awaitState(0, FollowerState.DIVERGED);
            DivergenceReport d = status.divergence().orElseThrow();
            assertEquals(lastAcknowledged, d.lastAgreedSequence());
            assertEquals(lastAcknowledged + 1, d.firstDivergedSequence());
            assertEquals(aLast, d.lastDivergedSequence());
            assertTrue(d.complete());
            assertEquals(1, d.ranges().size());
            DivergenceReport.KeyRangeTouched range = d.ranges().get(0);
            assertEquals("orders", range.namespace());
            assertArrayEquals(b("late0"), range.minKey());
            assertArrayEquals(b("late4"), range.maxKey());
            assertEquals(5, range.writes());
            assertFalse(d.toString().contains("late"), "the report's text must not carry key bytes: " + d);
            assertNull(a.namespace("orders").get(b("k-new")), "a diverged follower applied the new primary's records");

            // The new primary and its follower agree, and hold every acknowledged write.
            long bLast = ordersOnB.put(b("k-final"), b("done"));
            acknowledged.put("k-final", "done");
            set.awaitApplied(2, bLast);
            List<String> expected = ReplicaSet.rows("orders", acknowledged);
            assertEquals(expected, ReplicaSet.fullScan(b, List.of("orders")));
            assertEquals(expected, ReplicaSet.fullScan(c, List.of("orders")));
        }
    }

    @Test
    void aFollowerAheadOfTheNewPrimaryReportsDivergenceToo() throws Exception {
        // C got record 11 from A, B did not; B is promoted: C's record 11 was never part of B's history.
        InProcessNetwork net = new InProcessNetwork();
        try (ReplicaSet set = new ReplicaSet(dir, 3, net::transport, ReplicaSet::fastTimeouts)) {
            Store a = set.store(0);
            a.promote(1);
            set.store(1).follow(set.endpoint(0), 1);
            set.store(2).follow(set.endpoint(0), 1);
            Namespace ns = a.namespace("n");
            long s = 0;
            for (int i = 0; i < 10; i++) {
                s = ns.put(b("a" + i), b("x"));
            }
            a.awaitReplication(s, WriteConcern.followers(2, Duration.ofSeconds(30)));
            set.store(1).stepDown(); // B stops following
            long extra = ns.put(b("only-on-a-and-c"), b("x"));
            set.awaitApplied(2, extra);
            set.close(0);
            set.store(1).promote(2);
            set.store(2).follow(set.endpoint(1), 2);
            DivergenceReport d = set.awaitState(2, FollowerState.DIVERGED).divergence().orElseThrow();
            assertEquals(s, d.lastAgreedSequence());
            assertEquals(extra, d.lastDivergedSequence());
            assertArrayEquals(b("only-on-a-and-c"), d.ranges().get(0).minKey());
        }
    }
}
