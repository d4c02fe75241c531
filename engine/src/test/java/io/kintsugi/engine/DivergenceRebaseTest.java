package io.kintsugi.engine;

import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.engine.replication.FollowerState;
import io.kintsugi.oplog.LogRecord;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.OplogOptions;
import io.kintsugi.oplog.OplogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Store#rebaseDiverged}: the old primary of a failover is brought back onto the new primary's log. */
class DivergenceRebaseTest {

    @TempDir
    Path root;

    @Test
    void aDivergedStoreIsRebasedKeepsItsDivergedRecordsAndFollowsAgain() throws Exception {
        Path oldDir = root.resolve("old");
        Path newDir = root.resolve("new");
        DivergedPair.build(oldDir, newDir);
        try (Store primary = DivergedPair.openNew(newDir, 3)) {
            Store old = DivergedPair.openOldDiverged(oldDir, primary);
            DivergenceReport report;
            long s = primary.lastSequence();
            try {
                report = old.replicationStatus().divergence().orElseThrow();
                assertEquals(DivergedPair.DIVERGED_TO - DivergedPair.DIVERGED_FROM + 1,
                        report.lastDivergedSequence() - report.lastAgreedSequence());
                old.rebaseDiverged(s, DivergedPair.images(primary, report));
                assertThrows(io.kintsugi.oplog.StorageException.class, old::lastSequence, "closed after a rebase");
            } finally {
                old.close();
            }
            Path archive = oldDir.resolve("diverged").resolve("oplog-rebased-at-" + s);
            try (Store rebased = Store.open(oldDir, DivergedPair.options())) {
                assertEquals(s, rebased.lastSequence());
                rebased.follow(primary.replicationStatus().endpoint(), primary.term());
                for (int i = 0; i < 300; i++) {
                    primary.namespace(DivergedPair.NS).put(DivergedPair.key(i * 5), DivergedPair.value("after", i));
                }
                primary.namespace(DivergedPair.OTHER).delete(DivergedPair.key(8));
                DivergedPair.until(() -> rebased.lastSequence() >= primary.lastSequence());
                assertEquals(FollowerState.STREAMING, rebased.replicationStatus().followerState());
                for (String ns : new String[] {DivergedPair.NS, DivergedPair.OTHER}) {
                    assertTrue(DivergedPair.sameContents(DivergedPair.scan(primary, ns, null, null),
                            DivergedPair.scan(rebased, ns, null, null)), "namespace " + ns + " differs");
                }
            }
            // The diverged records' bytes are kept: the replaced oplog reads back, every one verified.
            assertTrue(Files.isDirectory(archive), "the replaced oplog is kept in " + archive);
            assertTrue(!Files.exists(oldDir.resolve(DivergenceRebase.INTENT_FILE)));
            try (Oplog kept = Oplog.open(archive, OplogOptions.builder().maxPayloadSize(Limits.MAX_BATCH_BYTES + 1024)
                    .build()); OplogReader r = kept.reader(report.firstDivergedSequence())) {
                long n = 0;
                for (LogRecord rec = r.next(); rec != null; rec = r.next()) {
                    assertEquals(1, rec.term(), "a diverged record of the old primary's term");
                    n++;
                }
                assertEquals(report.lastDivergedSequence() - report.firstDivergedSequence() + 1, n);
            }
        }
    }

    @Test
    void aRebaseThatDoesNotFitTheDivergenceIsRefusedAndChangesNothing() throws Exception {
        Path oldDir = root.resolve("old");
        Path newDir = root.resolve("new");
        DivergedPair.build(oldDir, newDir);
        try (Store primary = DivergedPair.openNew(newDir, 3)) {
            assertThrows(IllegalStateException.class, () -> primary.rebaseDiverged(primary.lastSequence(),
                    List.of()), "a primary is not diverged");
            try (Store old = DivergedPair.openOldDiverged(oldDir, primary)) {
                DivergenceReport report = old.replicationStatus().divergence().orElseThrow();
                long before = old.lastSequence();
                IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                        () -> old.rebaseDiverged(report.lastDivergedSequence() - 1,
                                DivergedPair.images(primary, report)));
                assertTrue(below.getMessage().contains("below this store's last diverged sequence"),
                        below.getMessage());
                byte[] from = DivergedPair.key(DivergedPair.DIVERGED_FROM + 1);
                IllegalArgumentException uncovered = assertThrows(IllegalArgumentException.class,
                        () -> old.rebaseDiverged(primary.lastSequence(), List.of(new RangeImage(DivergedPair.NS,
                                from, null, List.<RangeEntry>of().iterator()))));
                assertTrue(uncovered.getMessage().contains("no image covers"), uncovered.getMessage());
                IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                        () -> old.rebaseDiverged(primary.lastSequence(), List.of(new RangeImage("nowhere", null,
                                null, List.<RangeEntry>of().iterator()))));
                assertTrue(unknown.getMessage().contains("does not know"), unknown.getMessage());
                assertEquals(before, old.lastSequence());
                assertEquals(FollowerState.DIVERGED, old.replicationStatus().followerState());
                assertTrue(DivergedPair.sameContents(List.of(new RangeEntry(DivergedPair.key(801),
                        DivergedPair.value("diverged", 801))), DivergedPair.scan(old, DivergedPair.NS,
                        DivergedPair.key(801), DivergedPair.key(802))), "the diverged data is still there");
                assertTrue(!Files.exists(oldDir.resolve(DivergenceRebase.INTENT_FILE)));
            }
        }
    }

    @Test
    void aDivergenceThatCreatedANamespaceIsRefused() throws Exception {
        Path oldDir = root.resolve("old");
        Path newDir = root.resolve("new");
        DivergedPair.build(oldDir, newDir, true);
        try (Store primary = DivergedPair.openNew(newDir, 3);
             Store old = DivergedPair.openOldDiverged(oldDir, primary)) {
            DivergenceReport report = old.replicationStatus().divergence().orElseThrow();
            assertEquals(List.of("fresh"), report.createdNamespaces());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> old.rebaseDiverged(
                    primary.lastSequence(), List.of(new RangeImage(DivergedPair.NS, null, null,
                            List.<RangeEntry>of().iterator()))));
            assertTrue(e.getMessage().contains("whole-replica resync"), e.getMessage());
            assertEquals(FollowerState.DIVERGED, old.replicationStatus().followerState());
            assertEquals(report.lastDivergedSequence(), old.lastSequence());
        }
    }
}
