package io.kintsugi.repair;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.HealthQuery;
import io.kintsugi.validation.health.Verdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads what one replica in this process found since it was last asked: the new INCONSISTENT or DAMAGED scan
 * verdicts in its health log and the damaged ranges its store lists. Health entries are read past a time mark (and
 * the entries made at that very instant are remembered, so that none is taken twice); damage is a state, so it is
 * listed every time until a repair removes it.
 */
final class ReplicaWatch {

    private static final System.Logger LOG = System.getLogger(ReplicaWatch.class.getName());

    private final Store store;
    private final Validator validator;
    private Instant mark;
    private Set<HealthEntry> seenAtMark = new HashSet<>();

    ReplicaWatch(Store store, Validator validator, Instant since) {
        this.store = store;
        this.validator = validator;
        this.mark = since;
    }

    /** @return what needs a repair here; nothing when the store is closed or its log cannot be read now */
    List<Detection> poll() {
        List<Detection> found = new ArrayList<>();
        String replica;
        try {
            replica = store.id().toString();
            for (DamagedRange d : store.damage()) {
                found.add(Detection.of(d, replica));
            }
            List<HealthEntry> entries = validator.health().query(HealthQuery.builder().kinds(HealthKind.SCAN_BATCH)
                    .verdicts(Verdict.INCONSISTENT, Verdict.DAMAGED).since(mark).build());
            Instant newest = mark;
            Set<HealthEntry> atNewest = new HashSet<>();
            for (HealthEntry e : entries) {
                if (e.namespace().isEmpty() || (!e.time().isAfter(mark) && seenAtMark.contains(e))) {
                    continue;
                }
                // A marker's range is [from, to): the checker logs its bounds as they are.
                found.add(new Detection(new RepairRange(e.namespace(), e.minKey(), e.maxKey()), e.sequence(), null,
                        e.verdict() + " range reported by replica " + e.replicaId() + " at sequence "
                                + e.sequence()));
                if (e.time().isAfter(newest)) {
                    newest = e.time();
                    atNewest.clear();
                }
                if (e.time().equals(newest)) {
                    atNewest.add(e);
                }
            }
            if (newest.isAfter(mark)) {
                mark = newest;
                seenAtMark = atNewest;
            } else {
                seenAtMark.addAll(atNewest);
            }
        } catch (StorageException | IllegalStateException e) {
            // A replica being closed or reopened is asked again at the next poll.
            LOG.log(System.Logger.Level.DEBUG, "could not poll a replica for repair work: " + e.getMessage());
        }
        return found;
    }
}
