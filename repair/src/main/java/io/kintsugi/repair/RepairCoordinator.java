package io.kintsugi.repair;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.RepairPlan.Replica;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.repair.net.RepairClientOptions;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;
import io.kintsugi.validation.scan.RangeProbe;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs beside the primary and closes the loop of detection: for a range found inconsistent (a health entry) or
 * damaged ({@link Store#damage()} on any replica), it probes the range on the primary (sequence S), collects every
 * replica's digest at S from its {@link RepairAgent}, finds the replica a majority of equal digests outvotes (with no
 * majority it reports and changes nothing), chooses a source in the majority whose own copy read cleanly and whose
 * lineage shows no copy of an overlapping range from the target since the damage could have started, tells the
 * target to pull the range from it, and proves the repair with a new probe on which every digest must be equal.
 *
 * <p>The steps are classes of their own: {@code DigestPoll} collects the digests, {@code ReplicaVote} finds who
 * is wrong, {@code SourceChoice} reads the lineage, {@code RangePull} orders the pull and install, {@code RangeProof}
 * proves it, and {@code RepairRun} logs each step and builds the report; this class runs them in order and keeps
 * the plans waiting for approval.
 *
 * <p>Every step goes to the primary's health log ({@link HealthKind#REPAIR}) and to the returned
 * {@link RepairReport}. Replicas are reached only through their agents' endpoints, so agents may live in other
 * processes; only their lineage is read through a {@link LineageView}. Not thread-safe: run one repair at a time.
 */
public final class RepairCoordinator {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store primary;
    private final Validator validator;
    private final List<Replica> replicas;
    private final RepairPolicy policy;
    private final DigestPoll<Replica> digests;
    private final SourceChoice sourceChoice;
    private final RangePull rangePull;
    private final RangeProof rangeProof;
    private final Map<String, RepairPlan> pending = new LinkedHashMap<>();

    private RepairCoordinator(Builder b) {
        this.primary = b.primary;
        this.validator = b.validator;
        this.replicas = List.copyOf(b.replicas);
        this.policy = b.policy;
        RepairClient client = new RepairClient(RepairClientOptions.builder().secret(b.secret)
                .readTimeout(b.pullTimeout).build());
        this.digests = new DigestPoll<>(client, replicas, Replica::endpoint, b.digestWait);
        this.sourceChoice = new SourceChoice(client);
        this.rangePull = new RangePull(client);
        this.rangeProof = new RangeProof(validator, digests, replicas);
    }

    /**
     * @param primary          the primary store, which probes
     * @param primaryValidator its validator
     * @return a builder; add every replica (the primary's agent too) with {@link Builder#replica}
     */
    public static Builder builder(Store primary, Validator primaryValidator) {
        return new Builder(primary, primaryValidator);
    }

    /**
     * Repairs a range a follower's check of a range-hash marker found inconsistent or damaged: the entry's range.
     *
     * @param entry a {@link HealthKind#SCAN_BATCH} entry with verdict INCONSISTENT or DAMAGED
     * @return what was done
     * @throws IllegalArgumentException if the entry is not such an entry
     */
    public RepairReport repairInconsistent(HealthEntry entry) {
        Objects.requireNonNull(entry, "entry");
        if (entry.kind() != HealthKind.SCAN_BATCH || entry.namespace().isEmpty()
                || (entry.verdict() != Verdict.INCONSISTENT && entry.verdict() != Verdict.DAMAGED)) {
            throw new IllegalArgumentException("a repair starts from a SCAN_BATCH entry with an INCONSISTENT or "
                    + "DAMAGED verdict and a namespace, got " + entry.kind() + "/" + entry.verdict());
        }
        // A marker's range is [from, to): the checker logs the marker's bounds as they are.
        return repairRange(entry.namespace(), entry.minKey(), entry.maxKey(), Instant.EPOCH,
                "inconsistent range reported by replica " + entry.replicaId() + " at sequence " + entry.sequence());
    }

    /**
     * Repairs a range a replica cannot read: the damaged block's key range, from its first key to just after its
     * last, so that the block lies wholly inside it and the install drops it unread.
     *
     * @param damage      a range from {@link Store#damage()} of any replica
     * @param damagedSince the earliest time the damage could have started (a copy of the range from the damaged
     *                     replica since then disqualifies a source); {@link Instant#EPOCH} to trust no such copy
     * @return what was done
     */
    public RepairReport repairDamage(DamagedRange damage, Instant damagedSince) {
        Objects.requireNonNull(damage, "damage");
        byte[] to = damage.toKey() == null ? null : Arrays.copyOf(damage.toKey(), damage.toKey().length + 1);
        return repairRange(damage.namespace(), damage.fromKey(), to, damagedSince,
                "damaged block in segment file " + damage.fileNumber() + ": " + damage.report().describe());
    }

    /**
     * Repairs {@code [from, to)} of a namespace.
     *
     * @param namespace    the namespace
     * @param from         first key, or null for the start of the namespace
     * @param to           end key (exclusive), or null for the end of the namespace
     * @param damagedSince the earliest time the damage could have started; {@link Instant#EPOCH} when unknown
     * @param why          what detected it (metadata only), for the log
     * @return what was done
     * @throws IllegalArgumentException if the namespace does not exist or the range is empty
     */
    public RepairReport repairRange(String namespace, byte[] from, byte[] to, Instant damagedSince, String why) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(damagedSince, "damagedSince");
        RepairRun run = newRun(newRepairId(), namespace, from, to);
        run.step(Severity.WARNING, Verdict.NONE, -1, "detected: " + why);

        RangeProbe probe;
        try {
            probe = validator.probe(namespace, from, to);
        } catch (CorruptionException e) {
            run.step(Severity.ERROR, Verdict.DAMAGED, -1, "the primary could not read the range, so no common "
                    + "sequence could be marked: " + e.getMessage());
            return run.report(Outcome.FAILED);
        } catch (StorageException e) {
            run.step(Severity.ERROR, Verdict.NOT_CHECKED, -1, "probing the range failed: " + e.getMessage());
            return run.report(Outcome.FAILED);
        }
        run.sequence = probe.sequence();
        Map<Replica, RangeDigest> answered = digests.at(probe.sequence(), run.noDigest(digests, probe.sequence()));
        ReplicaVote<Replica> vote = ReplicaVote.of(replicas, answered, Replica::id);
        run.step(Severity.INFO, Verdict.NONE, run.sequence, "voted at sequence " + run.sequence + ": "
                + vote.describe());
        if (vote.majority() == null) {
            run.step(Severity.ERROR, Verdict.INCONSISTENT, run.sequence, "no majority of "
                    + ReplicaVote.majorityOf(replicas.size()) + " equal digests among " + replicas.size()
                    + " replicas: reported, nothing changed");
            return run.report(Outcome.NO_MAJORITY);
        }
        if (vote.outvoted().isEmpty()) {
            run.step(Severity.INFO, Verdict.CONSISTENT, run.sequence, "every replica that answered agrees"
                    + (vote.silent().isEmpty() ? "" : " (no digest from " + vote.ids(vote.silent()) + ")")
                    + ": nothing to repair");
            return run.report(answered.size() == replicas.size() ? Outcome.CONSISTENT : Outcome.FAILED);
        }
        Replica target = vote.outvoted().get(0);
        if (vote.outvoted().size() > 1) {
            run.step(Severity.WARNING, Verdict.NONE, run.sequence, "more than one replica is outvoted ("
                    + vote.ids(vote.outvoted()) + "); this repair handles " + target.id()
                    + ", run it again for the rest");
        }
        List<Replica> sources = sourceChoice.sources(run, vote, target, damagedSince);
        if (sources.isEmpty()) {
            run.step(Severity.ERROR, Verdict.NONE, run.sequence, "no trustworthy source for " + target.id()
                    + ": nothing changed");
            run.target = target.id();
            return run.report(Outcome.FAILED);
        }
        RepairPlan plan = new RepairPlan(run.repairId, target, sources.get(0), vote.majority(), damagedSince);
        run.target = target.id();
        run.source = plan.source();
        if (policy == RepairPolicy.APPROVAL) {
            pending.put(plan.repairId(), plan);
            run.plan = plan;
            run.step(Severity.WARNING, Verdict.NONE, run.sequence, "planned, waiting for approval: " + plan);
            return run.report(Outcome.AWAITING_APPROVAL);
        }
        return execute(run, plan, sources);
    }

    /**
     * Executes a plan returned for approval. The sources' hold on the range at the plan's sequence lasts
     * {@code ValidatorOptions.holdTime()} (2 minutes by default): approve within it, or repair again.
     *
     * @param plan a plan from a report of this coordinator with outcome {@link Outcome#AWAITING_APPROVAL}
     * @return what was done
     * @throws IllegalArgumentException if the plan is not one waiting here (unknown, or already executed)
     */
    public RepairReport approve(RepairPlan plan) {
        Objects.requireNonNull(plan, "plan");
        if (pending.remove(plan.repairId()) != plan) {
            throw new IllegalArgumentException("plan " + plan.repairId() + " is not waiting for approval here");
        }
        RangeDigest d = plan.expected();
        RepairRun run = newRun(plan.repairId(), d.namespace(), d.from().length == 0 ? null : d.from(), d.to());
        run.sequence = d.sequence();
        run.target = plan.target();
        run.source = plan.source();
        run.step(Severity.INFO, Verdict.NONE, run.sequence, "approved: " + plan);
        return execute(run, plan, List.of(plan.sourceReplica()));
    }

    /**
     * Drops a plan returned for approval without executing it, and logs why; the range is left as it is.
     *
     * @param plan a plan from a report of this coordinator with outcome {@link Outcome#AWAITING_APPROVAL}
     * @param why  metadata only: who rejected it and why, for the health log
     * @throws IllegalArgumentException if the plan is not one waiting here (unknown, executed or rejected)
     */
    public void reject(RepairPlan plan, String why) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(why, "why");
        if (pending.remove(plan.repairId()) != plan) {
            throw new IllegalArgumentException("plan " + plan.repairId() + " is not waiting for approval here");
        }
        RangeDigest d = plan.expected();
        RepairRun run = newRun(plan.repairId(), d.namespace(), d.from().length == 0 ? null : d.from(), d.to());
        run.sequence = d.sequence();
        run.step(Severity.WARNING, Verdict.NONE, run.sequence, "rejected, nothing changed: " + why);
    }

    /** @return whether this coordinator repairs at once or waits for approval */
    public RepairPolicy policy() {
        return policy;
    }

    /** @return the plans waiting for approval, oldest first */
    public List<RepairPlan> pendingPlans() {
        return List.copyOf(pending.values());
    }

    /** Pull and install from the first source that works, then prove the repair. */
    private RepairReport execute(RepairRun run, RepairPlan plan, List<Replica> sources) {
        if (!rangePull.pull(run, plan, sources)) {
            return run.report(Outcome.FAILED);
        }
        return rangeProof.prove(run);
    }

    private RepairRun newRun(String repairId, String namespace, byte[] from, byte[] to) {
        return new RepairRun(primary, validator, repairId, namespace, from, to);
    }

    private static String newRepairId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Configures a coordinator. */
    public static final class Builder {
        private final Store primary;
        private final Validator validator;
        private final List<Replica> replicas = new ArrayList<>();
        private byte[] secret;
        private RepairPolicy policy = RepairPolicy.AUTOMATIC;
        private Duration digestWait = Duration.ofSeconds(30);
        private Duration pullTimeout = Duration.ofMinutes(5);

        private Builder(Store primary, Validator validator) {
            this.primary = Objects.requireNonNull(primary, "primary");
            this.validator = Objects.requireNonNull(validator, "primaryValidator");
        }

        /**
         * Adds a replica (the primary's own agent too).
         *
         * @param replicaId its id ({@link RepairAgent#replicaId()})
         * @param endpoint  its agent's endpoint ({@link RepairAgent#endpoint()})
         * @param lineage   its lineage, or null when unknown (it is then never chosen as a source)
         * @return this builder
         * @throws IllegalArgumentException if the id or the endpoint is already added, or empty
         */
        public Builder replica(String replicaId, String endpoint, LineageView lineage) {
            Objects.requireNonNull(replicaId, "replicaId");
            Objects.requireNonNull(endpoint, "endpoint");
            if (replicaId.isEmpty() || endpoint.isEmpty()) {
                throw new IllegalArgumentException("a replica needs an id and an endpoint");
            }
            for (Replica r : replicas) {
                if (r.id().equals(replicaId) || r.endpoint().equals(endpoint)) {
                    throw new IllegalArgumentException("replica " + replicaId + " at " + endpoint
                            + " repeats the id or the endpoint of " + r.id() + " at " + r.endpoint());
                }
            }
            replicas.add(new Replica(replicaId, endpoint, lineage));
            return this;
        }

        /**
         * Adds a replica whose agent may run in another process: its lineage is asked for over the wire (a LINEAGE
         * request to its agent, signed with the shared secret) whenever it could be a source. A replica whose
         * lineage cannot be read then is not a source.
         *
         * @param replicaId its id ({@link RepairAgent#replicaId()})
         * @param endpoint  its agent's endpoint ({@link RepairAgent#endpoint()})
         * @return this builder
         * @throws IllegalArgumentException if the id or the endpoint is already added, or empty
         */
        public Builder replica(String replicaId, String endpoint) {
            return replica(replicaId, endpoint, SourceChoice.OVER_THE_WIRE);
        }

        /**
         * Adds a replica whose agent runs in this process.
         *
         * @param agent the replica's agent
         * @return this builder
         */
        public Builder replica(RepairAgent agent) {
            return replica(agent.replicaId(), agent.endpoint(), agent.lineage()::copiedFrom);
        }

        /**
         * @param secret the agents' shared secret, or null for none
         * @return this builder
         */
        public Builder secret(byte[] secret) {
            this.secret = secret == null ? null : secret.clone();
            return this;
        }

        /**
         * @param policy automatic, or wait for approval
         * @return this builder
         */
        public Builder policy(RepairPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param wait how long to wait, per probe, for every replica's digest (followers apply and hash it)
         * @return this builder
         */
        public Builder digestWait(Duration wait) {
            this.digestWait = RepairAgentOptions.Builder.positive("digest wait", wait);
            return this;
        }

        /**
         * @param timeout how long a pull may take on the target before the coordinator gives up on it
         * @return this builder
         */
        public Builder pullTimeout(Duration timeout) {
            this.pullTimeout = RepairAgentOptions.Builder.positive("pull timeout", timeout);
            return this;
        }

        /**
         * @return the coordinator
         * @throws IllegalStateException if fewer than two replicas were added
         */
        public RepairCoordinator build() {
            if (replicas.size() < 2) {
                throw new IllegalStateException("a repair needs at least two replicas to compare, " + replicas.size()
                        + " were added");
            }
            return new RepairCoordinator(this);
        }
    }
}
