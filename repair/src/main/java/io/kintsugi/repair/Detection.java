package io.kintsugi.repair;

import io.kintsugi.engine.DamagedRange;

import java.util.Arrays;

/**
 * Something that needs a repair, as a {@link RepairService} found it: a follower's INCONSISTENT or DAMAGED scan
 * verdict (the marker's range, at the marker's sequence), or a damaged block a replica lists (the block's keys).
 *
 * @param range    the range to repair
 * @param sequence the marker's sequence for a verdict; -1 for damage, which is current until a repair removes it
 * @param damage   the damaged block for damage, else null
 * @param why      metadata only: who found what, for the health log and events
 */
record Detection(RepairRange range, long sequence, DamagedRange damage, String why) {

    /**
     * The damaged block's range from its first key to just past its last, so that the block lies wholly inside and
     * the install drops it unread (as {@link RepairCoordinator#repairDamage} does).
     */
    static Detection of(DamagedRange d, String replica) {
        byte[] to = d.toKey() == null ? null : Arrays.copyOf(d.toKey(), d.toKey().length + 1);
        return new Detection(new RepairRange(d.namespace(), d.fromKey(), to), -1, d,
                "damaged block listed by " + replica + " in segment file " + d.fileNumber() + ": "
                        + d.report().describe());
    }
}
