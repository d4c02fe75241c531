package io.kintsugi.engine.replication;

import io.kintsugi.engine.replication.TermHistory.Entry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TermHistory}: validation, lookups, the edits a store makes to its history, and {@code lastAgreement}, the
 * rule that decides whether a follower's log diverged. Every expected value below is worked out by hand from the
 * histories in the comments, not taken from a run of the code.
 */
class TermHistoryTest {

    private static final UUID A = UUID.fromString("00000000-0000-4000-8000-00000000000a");
    private static final UUID B = UUID.fromString("00000000-0000-4000-8000-00000000000b");
    private static final UUID C = UUID.fromString("00000000-0000-4000-8000-00000000000c");
    private static final UUID D = UUID.fromString("00000000-0000-4000-8000-00000000000d");

    private static Entry e(long term, long start, UUID primary) {
        return new Entry(term, start, primary);
    }

    private static TermHistory h(Entry... entries) {
        return TermHistory.of(List.of(entries));
    }

    /** term 0 from 1 by A, term 3 from 101 by B, term 7 from 4242 by A (4242 is above the Long cache's 127). */
    private static final TermHistory THREE = h(e(0, 1, A), e(3, 101, B), e(7, 4242, A));

    // ------------------------------------------------------------------ of() and Entry

    @Test
    void ofAcceptsStrictlyIncreasingEntriesAndTheEmptyList() {
        assertEquals(3, THREE.entries().size());
        assertEquals(e(7, 4242, A), THREE.last());
        assertEquals(7, THREE.lastTerm());
        assertEquals(TermHistory.empty(), TermHistory.of(List.of()));
        assertNull(TermHistory.empty().last());
        assertEquals(-1, TermHistory.empty().lastTerm());
        // Terms and starts may jump by any amount, up to the largest values.
        assertEquals(2, h(e(0, 1, A), e(Long.MAX_VALUE, Long.MAX_VALUE, B)).entries().size());
    }

    @Test
    void ofRejectsEntriesThatDoNotStrictlyIncrease() {
        // the same term again, later
        assertThrows(IllegalArgumentException.class, () -> h(e(3, 1, A), e(3, 10, B)));
        // a lower term, later
        assertThrows(IllegalArgumentException.class, () -> h(e(3, 1, A), e(2, 10, B)));
        // a higher term at the same start
        assertThrows(IllegalArgumentException.class, () -> h(e(1, 10, A), e(2, 10, B)));
        // a higher term at an earlier start
        assertThrows(IllegalArgumentException.class, () -> h(e(1, 10, A), e(2, 9, B)));
        // the violation is found anywhere, not only between the first two
        assertThrows(IllegalArgumentException.class, () -> h(e(0, 1, A), e(3, 101, B), e(4, 101, C)));
        // the exact same entry twice
        assertThrows(IllegalArgumentException.class, () -> h(e(0, 1, A), e(0, 1, A)));
    }

    @Test
    void ofRejectsMoreThanTheMaximumNumberOfEntries() {
        List<Entry> many = new ArrayList<>();
        for (int i = 0; i < TermHistory.MAX_ENTRIES; i++) {
            many.add(e(i, i + 1, A));
        }
        assertEquals(TermHistory.MAX_ENTRIES, TermHistory.of(many).entries().size());
        many.add(e(TermHistory.MAX_ENTRIES, TermHistory.MAX_ENTRIES + 1, A));
        assertThrows(IllegalArgumentException.class, () -> TermHistory.of(many));
    }

    @Test
    void entriesCheckTheirFields() {
        assertThrows(IllegalArgumentException.class, () -> e(-1, 1, A));
        assertThrows(IllegalArgumentException.class, () -> e(0, 0, A));
        assertThrows(IllegalArgumentException.class, () -> e(0, -5, A));
        assertThrows(NullPointerException.class, () -> e(0, 1, null));
        assertEquals(0, e(0, 1, A).term());
    }

    @Test
    void ofCopiesItsArgumentAndTheEntriesCannotBeChanged() {
        List<Entry> source = new ArrayList<>(List.of(e(0, 1, A)));
        TermHistory history = TermHistory.of(source);
        source.add(e(1, 5, B));
        assertEquals(List.of(e(0, 1, A)), history.entries());
        assertThrows(UnsupportedOperationException.class, () -> history.entries().add(e(1, 5, B)));
    }

    // ------------------------------------------------------------------ lookups

    @Test
    void entryAtReturnsTheLastEntryStartingAtOrBeforeTheSequence() {
        assertNull(THREE.entryAt(0));
        assertNull(THREE.entryAt(-1));
        assertEquals(e(0, 1, A), THREE.entryAt(1));
        assertEquals(e(0, 1, A), THREE.entryAt(100));
        assertEquals(e(3, 101, B), THREE.entryAt(101));
        assertEquals(e(3, 101, B), THREE.entryAt(4241));
        assertEquals(e(7, 4242, A), THREE.entryAt(4242));
        assertEquals(e(7, 4242, A), THREE.entryAt(Long.MAX_VALUE));
        TermHistory late = h(e(2, 50, C));
        assertNull(late.entryAt(49));
        assertEquals(e(2, 50, C), late.entryAt(50));
        assertNull(TermHistory.empty().entryAt(1));
    }

    @Test
    void entryOfTermFindsOnlyExactTerms() {
        assertEquals(e(3, 101, B), THREE.entryOfTerm(3));
        assertEquals(e(0, 1, A), THREE.entryOfTerm(0));
        assertNull(THREE.entryOfTerm(4));
        assertNull(TermHistory.empty().entryOfTerm(0));
    }

    // ------------------------------------------------------------------ with() and truncatedAfter()

    @Test
    void withAppendsANewTermAfterTheLastEntry() {
        assertEquals(h(e(0, 1, A)), TermHistory.empty().with(e(0, 1, A)));
        assertEquals(h(e(0, 1, A), e(3, 101, B), e(7, 4242, A), e(8, 5000, C)), THREE.with(e(8, 5000, C)));
        // THREE itself is unchanged
        assertEquals(3, THREE.entries().size());
    }

    @Test
    void withDropsEveryEntryThatStartsAtOrAfterTheNewStart() {
        // same start as the term-3 entry: that entry and the term-7 one go
        assertEquals(h(e(0, 1, A), e(9, 101, C)), THREE.with(e(9, 101, C)));
        // a start between the first two: both later entries go
        assertEquals(h(e(0, 1, A), e(9, 50, C)), THREE.with(e(9, 50, C)));
        // a start just after the term-7 start keeps everything
        assertEquals(h(e(0, 1, A), e(3, 101, B), e(7, 4242, A), e(9, 4243, C)), THREE.with(e(9, 4243, C)));
        // a fresh follower replaces its own term-0 entry by the primary's
        assertEquals(h(e(0, 1, B)), h(e(0, 1, A)).with(e(0, 1, B)));
        // only the kept entries bound the new term: term 2 from 50 is fine once term 3 (from 101) is dropped
        assertEquals(h(e(0, 1, A), e(2, 50, C)), THREE.with(e(2, 50, C)));
    }

    @Test
    void withRejectsATermThatIsNotAboveEveryKeptEntry() {
        // term 7 is kept (it starts at 4242 < 5000)
        assertThrows(IllegalArgumentException.class, () -> THREE.with(e(7, 5000, C)));
        assertThrows(IllegalArgumentException.class, () -> THREE.with(e(6, 5000, C)));
        // term 3 is kept (it starts at 101 < 200)
        assertThrows(IllegalArgumentException.class, () -> THREE.with(e(3, 200, C)));
        assertThrows(IllegalArgumentException.class, () -> THREE.with(e(1, 200, C)));
    }

    @Test
    void truncatedAfterKeepsTheEntriesStartingAtOrBeforeTheSequence() {
        assertSame(THREE, THREE.truncatedAfter(4242));
        assertSame(THREE, THREE.truncatedAfter(Long.MAX_VALUE));
        assertEquals(h(e(0, 1, A), e(3, 101, B)), THREE.truncatedAfter(4241));
        assertEquals(h(e(0, 1, A), e(3, 101, B)), THREE.truncatedAfter(101));
        assertEquals(h(e(0, 1, A)), THREE.truncatedAfter(100));
        assertEquals(h(e(0, 1, A)), THREE.truncatedAfter(1));
        assertEquals(TermHistory.empty(), THREE.truncatedAfter(0));
    }

    // ------------------------------------------------------------------ lastAgreement()

    /** Checks the agreement both ways round: it is a property of the two logs, not of who asks. */
    private static void assertAgreement(long expected, TermHistory a, long aLast, TermHistory b, long bLast) {
        assertEquals(expected, a.lastAgreement(aLast, b, bLast), "a vs b");
        assertEquals(expected, b.lastAgreement(bLast, a, aLast), "b vs a");
    }

    @Test
    void identicalHistoriesAgreeUpToTheShorterLog() {
        assertAgreement(5000, THREE, 5000, THREE, 5000);
        assertAgreement(4242, THREE, 4242, THREE, 4242);
        assertAgreement(4241, THREE, 4241, THREE, 9000);
        assertAgreement(1, THREE, 1, THREE, 1);
        // equal but separately built histories
        assertAgreement(5000, THREE, 5000, h(e(0, 1, A), e(3, 101, B), e(7, 4242, A)), 5000);
    }

    @Test
    void emptyLogsAgreeOnNothing() {
        assertAgreement(0, THREE, 0, THREE, 5000);
        assertAgreement(0, THREE, 0, THREE, 0);
    }

    @Test
    void aFollowerBehindAgreesUpToItsOwnEnd() {
        // Follower: A wrote 1..100 in term 0, B 101..150 in term 3. Primary (THREE) has the same and more.
        assertAgreement(150, h(e(0, 1, A), e(3, 101, B)), 150, THREE, 5000);
        // A follower that has not reached term 3 at all.
        assertAgreement(80, h(e(0, 1, A)), 80, THREE, 5000);
        // A follower that stops exactly at the last record of term 3.
        assertAgreement(4241, h(e(0, 1, A), e(3, 101, B)), 4241, THREE, 5000);
    }

    @Test
    void aFollowerAheadWithTheSameWriterAgreesUpToTheShorterLog() {
        // Both: A term 0 from 1, B term 3 from 101. The follower holds B's records up to 300, the other only to 250:
        // they agree on 1..250, and the follower's 251..300 are more than the other has.
        TermHistory same = h(e(0, 1, A), e(3, 101, B));
        assertAgreement(250, same, 300, same, 250);
        // The other was then promoted to term 4 from 251 (no write yet): its next record 251 will be term 4, so the
        // follower's term-3 records 251..300 diverge; the agreement is still 250.
        assertAgreement(250, same, 300, h(e(0, 1, A), e(3, 101, B), e(4, 251, C)), 250);
    }

    @Test
    void anOldPrimaryWithUnreplicatedRecordsAgreesOnlyUpToTheNewTermsStart() {
        // A was primary of term 1 and wrote 1..150; only 1..100 reached B. B was promoted to term 2 and started at
        // 101. A's 101..150 (term 1, A) and B's 101.. (term 2, B) are different records: the logs agree on 1..100.
        TermHistory oldPrimary = h(e(1, 1, A));
        TermHistory newPrimary = h(e(1, 1, A), e(2, 101, B));
        assertAgreement(100, oldPrimary, 150, newPrimary, 180);
        assertAgreement(100, oldPrimary, 150, newPrimary, 101);
        // B promoted but has not written yet: still 100, and A's 101..150 are what must be rolled back.
        assertAgreement(100, oldPrimary, 150, newPrimary, 100);
        // If A had written only up to 100 before B took over, A is simply behind: nothing to roll back.
        assertAgreement(100, oldPrimary, 100, newPrimary, 180);
    }

    @Test
    void twoStoresWithTermZeroDataFromDifferentPrimariesAgreeOnNothing() {
        // Each store was its own primary in term 0: sequence 1 is a different record in each.
        assertAgreement(0, h(e(0, 1, A)), 10, h(e(0, 1, B)), 20);
        assertAgreement(0, h(e(0, 1, A)), 1, h(e(0, 1, B)), 1);
        // Same term, same start, different primary: later agreeing entries do not help.
        assertAgreement(0, h(e(0, 1, A), e(5, 11, C)), 30, h(e(0, 1, B), e(5, 11, C)), 30);
    }

    @Test
    void anEntryWithNoRecordsAfterItDoesNotAffectAgreement() {
        // The follower was promoted to term 2 at 101 but wrote nothing, then lost the role. Its log ends at 100.
        TermHistory promotedIdle = h(e(1, 1, A), e(2, 101, D));
        // The new primary C started term 3 at 101: agreement 100, which is the follower's whole log.
        assertAgreement(100, promotedIdle, 100, h(e(1, 1, A), e(3, 101, C)), 130);
        // Against A's own history, which never saw term 2: still the whole log.
        assertAgreement(100, promotedIdle, 100, h(e(1, 1, A)), 100);
        assertAgreement(100, promotedIdle, 100, h(e(1, 1, A)), 500);
        // The same on the primary's side: a primary promoted at 101 that has not written yet.
        assertAgreement(100, h(e(1, 1, A)), 100, h(e(1, 1, A), e(2, 101, C)), 100);
    }

    @Test
    void agreementIsAPrefixAndStopsAtTheFirstDifference() {
        // 1..49 agree (A, term 0); at 50 one has B in term 2, the other D in term 3; from 80 both say C in term 4.
        // The later match does not count: the agreement is 49.
        assertAgreement(49, h(e(0, 1, A), e(2, 50, B), e(4, 80, C)), 100, h(e(0, 1, A), e(3, 50, D), e(4, 80, C)),
                100);
        // The same writer starting a term at different sequences: at 50 one still has A's term 0, the other B's term 2.
        assertAgreement(49, h(e(0, 1, A), e(2, 60, B)), 100, h(e(0, 1, A), e(2, 50, B)), 100);
    }

    @Test
    void sequencesBeforeTheFirstEntryNeverAgree() {
        // Histories that start at 5: sequences 1..4 are covered by neither, so nothing agrees.
        TermHistory late = h(e(1, 5, A));
        assertAgreement(0, late, 10, late, 10);
        assertAgreement(0, TermHistory.empty(), 10, TermHistory.empty(), 10);
        assertAgreement(0, TermHistory.empty(), 10, h(e(0, 1, A)), 10);
    }

    @Test
    void equalsAndHashCodeFollowTheEntries() {
        TermHistory copy = h(e(0, 1, A), e(3, 101, B), e(7, 4242, A));
        assertEquals(THREE, copy);
        assertEquals(THREE.hashCode(), copy.hashCode());
        assertTrue(THREE.toString().startsWith("TermHistory["));
    }
}
