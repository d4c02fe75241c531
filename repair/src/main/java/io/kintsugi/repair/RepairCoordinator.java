package io.kintsugi.repair;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.RepairPlan.Replica;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.net.LineageRequest;
import io.kintsugi.repair.net.PullOrder;
import io.kintsugi.repair.net.PullOutcome;
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
import java.util.Optional;

/**
 * Runs beside the primary and closes the loop of detection: for a range found inconsistent (a health entry) or
 * damaged ({@link Store#damage()} on any replica), it probes the range on the primary (sequence S), collects every
 * replica's digest at S from its {@link RepairAgent}, finds the replica a majority of equal digests outvotes (with no
 * majority it reports and changes nothing), chooses a source in the majority whose own copy read cleanly and whose
 * lineage shows no copy of an overlapping range from the target since the damage could have started, tells the
 * target to pull the range from it, and proves the repair with a new probe on which every digest must be equal.
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
    private final Duration digestWait;
    private final RepairClient client;
    private final Map<String, RepairPlan> pending = new LinkedHashMap<>();

    private RepairCoordinator(Builder b) {
        this.primary = b.primary;
        this.validator = b.validator;
        this.replicas = List.copyOf(b.replicas);
        this.policy = b.policy;
        this.digestWait = b.digestWait;
        this.client = new RepairClient(RepairClientOptions.builder().secret(b.secret).readTimeout(b.pullTimeout)
                .build());
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
        Run run = new Run(newRepairId(), namespace, from, to);
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
        Map<Replica, RangeDigest> digests = collect(run, probe.sequence());
        Vote vote = vote(digests);
        run.step(Severity.INFO, Verdict.NONE, run.sequence, "voted at sequence " + run.sequence + ": "
                + vote.describe(replicas.size()));
        if (vote.majority == null) {
            run.step(Severity.ERROR, Verdict.INCONSISTENT, run.sequence, "no majority of " + majority()
                    + " equal digests among " + replicas.size() + " replicas: reported, nothing changed");
            return run.report(Outcome.NO_MAJORITY);
        }
        if (vote.outvoted.isEmpty()) {
            run.step(Severity.INFO, Verdict.CONSISTENT, run.sequence, "every replica that answered agrees"
                    + (vote.silent.isEmpty() ? "" : " (no digest from " + ids(vote.silent) + ")")
                    + ": nothing to repair");
            return run.report(digests.size() == replicas.size() ? Outcome.CONSISTENT : Outcome.FAILED);
        }
        Replica target = vote.outvoted.get(0);
        if (vote.outvoted.size() > 1) {
            run.step(Severity.WARNING, Verdict.NONE, run.sequence, "more than one replica is outvoted ("
                    + ids(vote.outvoted) + "); this repair handles " + target.id() + ", run it again for the rest");
        }
        List<Replica> sources = sources(run, vote, target, damagedSince);
        if (sources.isEmpty()) {
            run.step(Severity.ERROR, Verdict.NONE, run.sequence, "no trustworthy source for " + target.id()
                    + ": nothing changed");
            run.target = target.id();
            return run.report(Outcome.FAILED);
        }
        RepairPlan plan = new RepairPlan(run.repairId, target, sources.get(0), vote.majority, damagedSince);
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
        Run run = new Run(plan.repairId(), d.namespace(), d.from().length == 0 ? null : d.from(), d.to());
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
        Run run = new Run(plan.repairId(), d.namespace(), d.from().length == 0 ? null : d.from(), d.to());
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

    private RepairReport execute(Run run, RepairPlan plan, List<Replica> sources) {
        Replica target = plan.targetReplica();
        PullOutcome pulled = null;
        for (Replica source : sources) {
            run.source = source.id();
            run.step(Severity.INFO, Verdict.NONE, run.sequence, "source chosen: " + source.id() + " (digest OK, "
                    + "in the majority, no copy of the range from " + target.id() + " in its lineage since "
                    + plan.damageSince() + "); " + target.id() + " pulls about " + plan.bytesEstimate() + " bytes");
            try {
                pulled = client.pull(target.endpoint(), new PullOrder(source.endpoint(), source.id(), run.repairId,
                        plan.expected()));
                break;
            } catch (RuntimeException e) {
                run.step(Severity.ERROR, Verdict.NONE, run.sequence, "the pull from " + source.id() + " failed: "
                        + e.getMessage());
            }
        }
        if (pulled == null) {
            return run.report(Outcome.FAILED);
        }
        run.pairs = pulled.count();
        run.bytes = pulled.bytes();
        run.wireBytes = pulled.wireBytes();
        run.step(Severity.INFO, Verdict.NONE, run.sequence, "copied " + pulled.count() + " pairs, " + pulled.bytes()
                + " key and value bytes (" + pulled.wireBytes() + " bytes of chunk frames) from " + run.source
                + " to " + target.id() + (pulled.stagedOnDisk() ? ", staged on disk" : ""));
        run.step(Severity.INFO, Verdict.NONE, run.sequence, "installed on " + target.id() + " at sequence "
                + run.sequence + ": " + pulled.bytesWritten() + " bytes written");
        return prove(run);
    }

    /** Probes the range again: every replica's digest must be there, OK and equal. */
    private RepairReport prove(Run run) {
        RangeProbe probe;
        try {
            probe = validator.probe(run.namespace, run.from, run.to);
        } catch (StorageException e) {
            run.step(Severity.ERROR, Verdict.NOT_CHECKED, run.sequence, "the follow-up probe failed: "
                    + e.getMessage());
            return run.report(Outcome.FAILED);
        }
        run.proofSequence = probe.sequence();
        Map<Replica, RangeDigest> digests = collect(run, probe.sequence());
        Vote vote = vote(digests);
        if (vote.majority != null && vote.outvoted.isEmpty() && vote.silent.isEmpty()) {
            run.step(Severity.INFO, Verdict.CONSISTENT, run.proofSequence, "proven: every replica's digest at "
                    + "sequence " + run.proofSequence + " is equal (" + vote.majority.count() + " pairs, "
                    + vote.majority.bytes() + " bytes)");
            return run.report(Outcome.REPAIRED);
        }
        run.step(Severity.ERROR, Verdict.INCONSISTENT, run.proofSequence, "proof failed at sequence "
                + run.proofSequence + ": " + vote.describe(replicas.size()));
        return run.report(Outcome.FAILED);
    }

    /** Asks every replica for its digest at {@code sequence}, waiting (bounded) for followers to apply and hash it. */
    private Map<Replica, RangeDigest> collect(Run run, long sequence) {
        Map<Replica, RangeDigest> digests = new LinkedHashMap<>();
        long deadline = System.nanoTime() + digestWait.toNanos();
        for (Replica r : replicas) {
            String lastProblem = "not applied or not hashed yet";
            while (true) {
                try {
                    Optional<RangeDigest> d = client.digestAt(r.endpoint(), sequence);
                    if (d.isPresent()) {
                        digests.put(r, d.get());
                        break;
                    }
                } catch (RuntimeException e) {
                    lastProblem = e.getMessage();
                }
                if (System.nanoTime() - deadline > 0) {
                    run.step(Severity.WARNING, Verdict.NOT_CHECKED, sequence, "no digest from " + r.id()
                            + " at sequence " + sequence + " within " + digestWait + ": " + lastProblem);
                    break;
                }
                pause();
            }
        }
        return digests;
    }

    private Vote vote(Map<Replica, RangeDigest> digests) {
        Vote v = new Vote();
        for (Replica r : replicas) {
            if (!digests.containsKey(r)) {
                v.silent.add(r);
            }
        }
        for (Map.Entry<Replica, RangeDigest> e : digests.entrySet()) {
            RangeDigest d = e.getValue();
            if (d.status() != RangeDigest.Status.OK) {
                continue;
            }
            List<Replica> same = new ArrayList<>();
            for (Map.Entry<Replica, RangeDigest> o : digests.entrySet()) {
                if (o.getValue().status() == RangeDigest.Status.OK && o.getValue().sameContentAs(d)) {
                    same.add(o.getKey());
                }
            }
            if (same.size() >= majority()) {
                v.majority = d;
                v.agreeing = same;
                break;
            }
        }
        for (Map.Entry<Replica, RangeDigest> e : digests.entrySet()) {
            if (v.majority != null && !v.agreeing.contains(e.getKey())) {
                v.outvoted.add(e.getKey());
            }
            v.statuses.put(e.getKey(), e.getValue());
        }
        return v;
    }

    /**
     * Stands for "ask the replica's agent over the wire" in {@link Replica#lineage()}: the coordinator's client is
     * made only when the coordinator is built.
     */
    private static final LineageView OVER_THE_WIRE = (source, namespace, from, to, since) -> {
        throw new IllegalStateException("the over-the-wire lineage view is a marker, never called");
    };

    private LineageView lineageOf(Replica r) {
        if (r.lineage() != OVER_THE_WIRE) {
            return r.lineage();
        }
        return (source, namespace, from, to, since) -> client.lineage(r.endpoint(),
                new LineageRequest(source, namespace, from, to, since));
    }

    /** The agreeing replicas whose lineage shows no copy of the range from the target since the damage began. */
    private List<Replica> sources(Run run, Vote vote, Replica target, Instant since) {
        List<Replica> out = new ArrayList<>();
        for (Replica r : vote.agreeing) {
            LineageView lineage = lineageOf(r);
            if (lineage == null) {
                run.step(Severity.WARNING, Verdict.NONE, run.sequence, "not a source: the lineage of " + r.id()
                        + " is not known to this coordinator");
                continue;
            }
            List<LineageRecord> copies;
            try {
                copies = lineage.copiedFrom(target.id(), run.namespace, run.from, run.to, since);
            } catch (RuntimeException e) {
                run.step(Severity.WARNING, Verdict.NONE, run.sequence, "not a source: the lineage of " + r.id()
                        + " could not be read: " + e.getMessage());
                continue;
            }
            if (!copies.isEmpty()) {
                run.step(Severity.WARNING, Verdict.NONE, run.sequence, "not a source: " + r.id() + " copied an "
                        + "overlapping range from " + target.id() + " since " + since + " (" + copies.size()
                        + " lineage records, repair " + copies.get(copies.size() - 1).repairId() + ")");
                continue;
            }
            out.add(r);
        }
        return out;
    }

    private int majority() {
        return replicas.size() / 2 + 1;
    }

    private static String ids(List<Replica> rs) {
        List<String> ids = new ArrayList<>();
        for (Replica r : rs) {
            ids.add(r.id());
        }
        return String.join(", ", ids);
    }

    private static String newRepairId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for replicas' digests", e);
        }
    }

    /** The replicas' digests at one sequence, sorted into the majority, the outvoted and the silent. */
    private static final class Vote {
        RangeDigest majority;
        List<Replica> agreeing = List.of();
        final List<Replica> outvoted = new ArrayList<>();
        final List<Replica> silent = new ArrayList<>();
        final Map<Replica, RangeDigest> statuses = new LinkedHashMap<>();

        String describe(int replicas) {
            StringBuilder s = new StringBuilder();
            for (Map.Entry<Replica, RangeDigest> e : statuses.entrySet()) {
                RangeDigest d = e.getValue();
                s.append(e.getKey().id()).append('=').append(d.status() == RangeDigest.Status.OK
                        ? d.count() + " pairs/" + d.bytes() + " bytes/" + d.hash() : d.status() + " (" + d.detail()
                        + ")").append("; ");
            }
            s.append(agreeing.size()).append(" of ").append(replicas).append(" agree");
            if (!outvoted.isEmpty()) {
                s.append(", outvoted: ").append(ids(outvoted));
            }
            if (!silent.isEmpty()) {
                s.append(", silent: ").append(ids(silent));
            }
            return s.toString();
        }
    }

    /** One repair's state and its steps. */
    private final class Run {
        final String repairId;
        final String namespace;
        final byte[] from;
        final byte[] to;
        final List<String> steps = new ArrayList<>();
        long sequence = -1;
        long proofSequence = -1;
        String target = "";
        String source = "";
        long pairs;
        long bytes;
        long wireBytes;
        RepairPlan plan;

        Run(String repairId, String namespace, byte[] from, byte[] to) {
            this.repairId = repairId;
            this.namespace = namespace;
            this.from = from == null ? null : from.clone();
            this.to = to == null ? null : to.clone();
        }

        void step(Severity severity, Verdict verdict, long seq, String what) {
            String detail = "repair " + repairId + ": " + what;
            steps.add(detail);
            try {
                validator.health().append(new HealthEntry(Instant.now(), severity, primary.id().toString(),
                        HealthKind.REPAIR, verdict, namespace, from, to, -1, -1, null, null, seq, detail));
            } catch (RuntimeException e) {
                System.getLogger(RepairCoordinator.class.getName()).log(System.Logger.Level.WARNING,
                        "could not write a repair health entry: " + e);
            }
        }

        RepairReport report(Outcome outcome) {
            return new RepairReport(repairId, outcome, namespace, sequence, proofSequence, target, source, pairs,
                    bytes, wireBytes, plan, steps);
        }
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
            return replica(replicaId, endpoint, OVER_THE_WIRE);
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
