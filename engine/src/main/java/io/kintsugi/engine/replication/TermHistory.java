package io.kintsugi.engine.replication;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Which primary started each term, and at which sequence: the facts that let two replicas find, exactly, the last
 * sequence at which their logs agree.
 *
 * <p>A record is identified by its sequence, its term and the primary that wrote it in that term. Only one store is
 * primary in a term (the host promotes each store with a fresh term, and a store that has seen a term refuses lower
 * ones), and followers only copy, so two logs that hold the same (term, primary) at a sequence hold the same records
 * up to it. The history is that step function: entry i says that sequences from {@code entries[i].startSequence} up
 * to the next entry's start were written in {@code entries[i].term} by {@code entries[i].primary}.
 *
 * <p>Immutable. Terms and start sequences strictly increase from entry to entry.
 */
public final class TermHistory {

    /** Most entries a history may hold: one per promotion, so this is only reached by a runaway host. */
    public static final int MAX_ENTRIES = 100_000;

    /**
     * The start of a term in a log.
     *
     * @param term          the term
     * @param startSequence the first sequence written in it
     * @param primary       the store that was primary in it
     */
    public record Entry(long term, long startSequence, UUID primary) {
        /** Checks the fields. */
        public Entry {
            if (term < 0) {
                throw new IllegalArgumentException("term must not be negative, was " + term);
            }
            if (startSequence < 1) {
                throw new IllegalArgumentException("a term's start sequence must be at least 1, was " + startSequence);
            }
            Objects.requireNonNull(primary, "primary");
        }

        /** @return whether {@code other} names the same term and the same primary */
        boolean sameWriter(Entry other) {
            return other != null && term == other.term && primary.equals(other.primary);
        }
    }

    private final List<Entry> entries;

    private TermHistory(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * @param entries the entries in order
     * @return the history
     * @throws IllegalArgumentException if terms or start sequences do not strictly increase, or there are more than
     *                                  {@value #MAX_ENTRIES}
     */
    public static TermHistory of(List<Entry> entries) {
        List<Entry> copy = List.copyOf(entries);
        if (copy.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("a term history holds at most " + MAX_ENTRIES + " entries, this one "
                    + copy.size());
        }
        for (int i = 1; i < copy.size(); i++) {
            Entry a = copy.get(i - 1);
            Entry b = copy.get(i);
            if (b.term() <= a.term() || b.startSequence() <= a.startSequence()) {
                throw new IllegalArgumentException("term history entries must strictly increase in term and start "
                        + "sequence; entry " + i + " (term " + b.term() + " from sequence " + b.startSequence()
                        + ") follows term " + a.term() + " from sequence " + a.startSequence());
            }
        }
        return new TermHistory(copy);
    }

    /** @return the empty history */
    public static TermHistory empty() {
        return new TermHistory(List.of());
    }

    /** @return the entries, oldest first */
    public List<Entry> entries() {
        return entries;
    }

    /** @return the newest entry, or null if there is none */
    public Entry last() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1);
    }

    /** @return the highest term recorded, or -1 if the history is empty */
    public long lastTerm() {
        return entries.isEmpty() ? -1 : last().term();
    }

    /**
     * @param sequence a sequence, at least 1
     * @return the entry that covers it (the last one starting at or before it), or null if none does
     */
    public Entry entryAt(long sequence) {
        int lo = 0;
        int hi = entries.size() - 1;
        Entry found = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Entry e = entries.get(mid);
            if (e.startSequence() <= sequence) {
                found = e;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /**
     * @param term a term
     * @return the entry of exactly that term, or null if the history has none
     */
    public Entry entryOfTerm(long term) {
        for (Entry e : entries) {
            if (e.term() == term) {
                return e;
            }
        }
        return null;
    }

    /**
     * Records that {@code entry.term} starts at {@code entry.startSequence}. Entries that start at or after it are
     * dropped: they were recorded for records that this log never got (a promotion followed by no write, or a crash
     * between recording a term and writing its first record).
     *
     * @param entry the new entry
     * @return the new history
     * @throws IllegalArgumentException if the entry's term is not higher than every entry it keeps
     */
    public TermHistory with(Entry entry) {
        List<Entry> next = new ArrayList<>(entries.size() + 1);
        for (Entry e : entries) {
            if (e.startSequence() < entry.startSequence()) {
                next.add(e);
            }
        }
        if (!next.isEmpty() && next.get(next.size() - 1).term() >= entry.term()) {
            throw new IllegalArgumentException("term " + entry.term() + " cannot start at sequence "
                    + entry.startSequence() + ": term " + next.get(next.size() - 1).term() + " already started at "
                    + next.get(next.size() - 1).startSequence());
        }
        next.add(entry);
        return of(next);
    }

    /**
     * @param sequence a sequence
     * @return this history without the entries that start after {@code sequence}
     */
    public TermHistory truncatedAfter(long sequence) {
        List<Entry> next = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (e.startSequence() <= sequence) {
                next.add(e);
            }
        }
        return next.size() == entries.size() ? this : new TermHistory(List.copyOf(next));
    }

    /**
     * The last sequence at which two logs agree: the highest {@code s <= min(lastSequence, otherLastSequence)} such
     * that every sequence up to {@code s} was written by the same primary in the same term in both. Sequences not
     * covered by a history (before its first entry) never agree.
     *
     * @param lastSequence      this log's last sequence
     * @param other             the other log's history
     * @param otherLastSequence the other log's last sequence
     * @return the last agreeing sequence, 0 if the logs agree on nothing
     */
    public long lastAgreement(long lastSequence, TermHistory other, long otherLastSequence) {
        long limit = Math.min(lastSequence, otherLastSequence);
        if (limit < 1) {
            return 0;
        }
        // Every place where either step function may change, in ascending order.
        List<Long> starts = new ArrayList<>(entries.size() + other.entries.size() + 1);
        starts.add(1L);
        for (Entry e : entries) {
            starts.add(e.startSequence());
        }
        for (Entry e : other.entries) {
            starts.add(e.startSequence());
        }
        Collections.sort(starts);
        long agreed = 0;
        for (int i = 0; i < starts.size(); i++) {
            long from = starts.get(i);
            if (from > limit) {
                break;
            }
            if (i + 1 < starts.size() && starts.get(i + 1) == from) {
                continue;
            }
            Entry mine = entryAt(from);
            if (mine == null || !mine.sameWriter(other.entryAt(from))) {
                return agreed;
            }
            long to = limit;
            for (int j = i + 1; j < starts.size(); j++) {
                if (starts.get(j) > from) {
                    to = Math.min(limit, starts.get(j) - 1);
                    break;
                }
            }
            agreed = to;
        }
        return agreed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TermHistory t && entries.equals(t.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "TermHistory" + entries;
    }
}
