package io.kintsugi.repair;

import io.kintsugi.repair.lineage.LineageRecord;

import java.time.Instant;
import java.util.List;

/**
 * What a {@link RepairCoordinator} asks of a would-be source's lineage: did it copy an overlapping range from the
 * damaged replica since the damage could have started? {@code LineageLog::copiedFrom} is one (for an agent in this
 * process: {@code agent.lineage()::copiedFrom}; for one on this machine: a read-only log of its directory). A
 * replica in another process needs none: {@code RepairCoordinator.Builder.replica(id, endpoint)} asks its agent over
 * the wire.
 */
@FunctionalInterface
public interface LineageView {

    /**
     * @param sourceReplica the replica suspected of being damaged
     * @param namespace     the namespace of the range
     * @param from          first key (inclusive), or null for the start of the namespace
     * @param to            end key (exclusive), or null for the end of the namespace
     * @param since         the earliest time the damage could have started
     * @return the copies of an overlapping range from {@code sourceReplica} since {@code since}
     * @throws RuntimeException if the lineage cannot be read; the replica is then not trusted as a source
     */
    List<LineageRecord> copiedFrom(String sourceReplica, String namespace, byte[] from, byte[] to, Instant since);

    /**
     * Whether the replica that keeps this lineage may be the source of a copy of {@code [from, to)} to
     * {@code target}: not if it copied an overlapping range from the target since {@code since} (the copy may carry
     * the damage into the majority), and not if its lineage cannot be read.
     *
     * @param candidate the would-be source's id
     * @param target    the replica to repair
     * @param namespace the namespace of the range
     * @param from      first key (inclusive), or null for the start of the namespace
     * @param to        end key (exclusive), or null for the end of the namespace
     * @param since     the earliest time the damage could have started
     * @return null if it may be the source; otherwise why not (metadata only)
     */
    default String refusal(String candidate, String target, String namespace, byte[] from, byte[] to,
                           Instant since) {
        List<LineageRecord> copies;
        try {
            copies = copiedFrom(target, namespace, from, to, since);
        } catch (RuntimeException e) {
            // Damage or I/O in the candidate's lineage: the reason is reported, and the candidate is not trusted.
            return "not a source: the lineage of " + candidate + " could not be read: " + e.getMessage();
        }
        if (copies.isEmpty()) {
            return null;
        }
        return "not a source: " + candidate + " copied an overlapping range from " + target + " since " + since
                + " (" + copies.size() + " lineage records, repair " + copies.get(copies.size() - 1).repairId()
                + ")";
    }
}
