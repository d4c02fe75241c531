package io.kintsugi.engine.replication;

import java.util.List;
import java.util.UUID;

/**
 * What a follower found when it connected to a primary whose log disagrees with its own: the records after
 * {@link #lastAgreedSequence()} in this store's log were never part of the primary's history (writes an old primary
 * accepted but never replicated, or replicated to this store only). They stay in this store's log and data until the
 * repair module resyncs the key ranges they touched; the follower applies nothing meanwhile.
 *
 * <p>{@link #toString()} carries metadata only; the key ranges' bytes are available from {@link #ranges()}.
 *
 * @param lastAgreedSequence   the last sequence both logs hold from the same primary and term
 * @param firstDivergedSequence the first sequence only this store's log holds
 * @param lastDivergedSequence the last sequence of this store's log
 * @param primary              the primary it was compared with
 * @param primaryTerm          that primary's term
 * @param ranges               per namespace, the smallest key range covering every key the diverged records wrote
 * @param createdNamespaces    namespaces the diverged records created (their ids may mean other names on the
 *                             primary)
 * @param complete             false if some diverged records were already released from this store's oplog, so the
 *                             ranges may miss keys; the whole store should then be resynced
 */
public record DivergenceReport(long lastAgreedSequence, long firstDivergedSequence, long lastDivergedSequence,
                               UUID primary, long primaryTerm, List<KeyRangeTouched> ranges,
                               List<String> createdNamespaces, boolean complete) {

    /** Copies the lists. */
    public DivergenceReport {
        ranges = List.copyOf(ranges);
        createdNamespaces = List.copyOf(createdNamespaces);
    }

    /**
     * The keys one namespace's diverged records wrote.
     *
     * @param namespace the namespace's name
     * @param minKey    the smallest key written (inclusive)
     * @param maxKey    the largest key written (inclusive)
     * @param writes    how many puts and deletes hit the namespace
     */
    public record KeyRangeTouched(String namespace, byte[] minKey, byte[] maxKey, long writes) {
        @Override
        public String toString() {
            return namespace + ": " + writes + " writes, keys of " + minKey.length + " to " + maxKey.length
                    + " bytes";
        }
    }

    @Override
    public String toString() {
        return "diverged at sequences " + firstDivergedSequence + ".." + lastDivergedSequence + " (agrees with primary "
                + primary + " at term " + primaryTerm + " up to " + lastAgreedSequence + "), " + ranges.size()
                + " namespace range(s) " + ranges + (createdNamespaces.isEmpty() ? "" : ", created namespaces "
                + createdNamespaces) + (complete ? "" : ", INCOMPLETE: some diverged records were already released");
    }
}
