package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Terms never decrease: not through appends, not through advanceTerm, not across a restart. */
class OplogTermTest {

    @TempDir
    Path dir;

    @Test
    void anAppendWithALowerTermIsRejectedAndNamesBothTerms() {
        try (Oplog log = Oplog.open(dir)) {
            log.append(5, 1, new byte[1]);
            StaleTermException e = assertThrows(StaleTermException.class, () -> log.append(4, 1, new byte[1]));
            assertEquals(5, e.currentTerm());
            assertEquals(4, e.rejectedTerm());
            assertTrue(e.getMessage().contains("term 4") && e.getMessage().contains("term 5"), e.getMessage());
            assertEquals(1, log.lastSequence(), "a rejected append writes nothing");
            assertEquals(2, log.append(5, 1, new byte[1]), "the log keeps working at the current term");
        }
    }

    @Test
    void aRaisedTermSurvivesARestartEvenWithoutRecords() {
        try (Oplog log = Oplog.open(dir)) {
            log.append(1, 1, new byte[1]);
            log.advanceTerm(7);
            assertEquals(7, log.currentTerm());
            assertThrows(StaleTermException.class, () -> log.advanceTerm(6));
            log.advanceTerm(7);
        }
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(7, log.currentTerm());
            assertThrows(StaleTermException.class, () -> log.append(1, 1, new byte[1]));
            assertEquals(2, log.append(7, 1, new byte[1]));
        }
    }

    @Test
    void aTermRaisedByARecordSurvivesARestart() {
        try (Oplog log = Oplog.open(dir)) {
            log.append(3, 1, new byte[1]);
            log.append(9, 1, new byte[1]);
        }
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(9, log.currentTerm());
            assertThrows(StaleTermException.class, () -> log.appendAt(3, 8, 1, new byte[1]));
        }
    }

    @Test
    void aFollowerAppendMustCarryExactlyTheNextSequence() {
        try (Oplog log = Oplog.open(dir)) {
            log.appendAt(1, 1, 1, new byte[1]);
            SequenceMismatchException gap = assertThrows(SequenceMismatchException.class,
                    () -> log.appendAt(3, 1, 1, new byte[1]));
            assertEquals(2, gap.expected());
            assertEquals(3, gap.actual());
            assertThrows(SequenceMismatchException.class, () -> log.appendAt(1, 1, 1, new byte[1]));
            log.appendAt(2, 2, 1, new byte[1]);
            assertThrows(StaleTermException.class, () -> log.appendAt(3, 1, 1, new byte[1]));
            assertEquals(2, log.lastSequence());
            assertEquals(3, log.stats().rejected(), "rejections are counted: " + log.stats());
        }
    }

    @Test
    void aFollowerCopiesRecordsOfTermsBelowTheHighestItHasSeen() {
        try (Oplog log = Oplog.open(dir)) {
            log.appendAt(1, 1, 1, new byte[1]);
            log.advanceTerm(5); // told of a new primary before it copied the old term's records
            log.appendAt(2, 1, 1, new byte[1]);
            log.appendAt(3, 5, 1, new byte[1]);
            assertEquals(5, log.currentTerm());
            StaleTermException below = assertThrows(StaleTermException.class, () -> log.appendAt(4, 4, 1,
                    new byte[1]));
            assertEquals(5, below.currentTerm());
            assertThrows(StaleTermException.class, () -> log.append(4, 1, new byte[1]));
        }
        try (Oplog log = Oplog.open(dir)) {
            assertThrows(StaleTermException.class, () -> log.appendAt(4, 4, 1, new byte[1]),
                    "the last record's term survives a restart");
        }
    }
}
