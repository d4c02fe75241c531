package io.kintsugi.repair.resync;

import io.kintsugi.engine.RangeInstallResult;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.LineageView;
import io.kintsugi.repair.ReplicaVote;
import io.kintsugi.repair.RepairAgent;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Rebuilds a new or wrecked replica, every namespace of it, from verified peers while the primary keeps serving
 * writes and the target keeps following the oplog.
 *
 * <pre>{@code
 * WholeReplicaResync resync = WholeReplicaResync.builder(primary, primaryValidator).secret(secret)
 *         .target(wreckedAgent).source(primaryAgent).source(healthyAgent)
 *         .targetStore(wreckedStore)                        // optional: to find namespaces only the target has
 *         .options(ResyncOptions.builder().maxRangePairs(10_000).build()).build();
 * ResyncReport report = resync.run();                      // resync.progress() from another thread meanwhile
 * }</pre>
 *
 * <p>It reuses the range-repair pieces for every range: the primary's namespaces are split by their key
 * distribution ({@link ResyncPlanner}); for each range, a probe on the primary marks it at sequence S (every replica
 * hashes it there and holds its snapshot), every replica's digest at S is collected, and the digest of a majority of
 * all the replicas (the target counted) is the expected one. A range whose digest on the target already equals it is
 * passed; otherwise the target is ordered to pull it from a source in the majority whose lineage shows no copy of the
 * range from the target since {@link ResyncOptions#trustCopiesBefore()}, checked against the expected digest while
 * it streams, recorded in the target's lineage log as a range copy (with this resync's id) and installed at S, so
 * that writes above S that the target applied meanwhile stay on top. Then every range is probed again, and every
 * replica's digest there must be present, OK and equal.
 *
 * <p>Not thread-safe: run one resync at a time; {@link #progress()} may be read from any thread.
 */
public final class WholeReplicaResync {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store primary;
    private final Validator validator;
    private final ResyncPeer target;
    private final List<ResyncPeer> sources;
    private final Store targetStore;
    private final ResyncOptions options;
    private final RepairClient client;
    private final ReplicaPoll poll;
    private final ResyncProgress progress = new ResyncProgress();

    private WholeReplicaResync(Builder b) {
        this.primary = b.primary;
        this.validator = b.validator;
        this.target = b.target;
        this.sources = List.copyOf(b.sources);
        this.targetStore = b.targetStore;
        this.options = b.options;
        this.client = new RepairClient(RepairClientOptions.builder().secret(b.secret).readTimeout(options.pullTimeout())
                .build());
        this.poll = new ReplicaPoll(client, target, sources, options);
    }

    /**
     * @param primary          the primary, which plans and probes
     * @param primaryValidator its validator
     * @return a builder; name the target and every other replica (the primary's agent too) as a source
     */
    public static Builder builder(Store primary, Validator primaryValidator) {
        return new Builder(primary, primaryValidator);
    }

    /** @return the live progress of this resync, readable from any thread while {@link #run()} runs */
    public ResyncProgress progress() {
        return progress;
    }

    /**
     * Resyncs the target: plans, copies every range that differs, proves every range, and reports namespaces that
     * exist only on the target (and empties them if {@link ResyncOptions#clearTargetOnlyNamespaces()}).
     *
     * @return what was done; {@link ResyncReport.Outcome#INCOMPLETE} if any range was not resynced or proven
     * @throws io.kintsugi.oplog.CorruptionException if the primary cannot read a block while planning
     * @throws StorageException                      if the primary is closed
     */
    public ResyncReport run() {
        Run run = new Run(newResyncId());
        progress.started();
        List<ResyncRange> plan = new ResyncPlanner(options.maxRangePairs(), options.maxRangeBytes()).plan(primary);
        long plannedBytes = 0;
        TreeSet<String> namespaces = new TreeSet<>();
        for (ResyncRange r : plan) {
            plannedBytes += r.bytes();
            namespaces.add(r.namespace());
        }
        progress.planned(plan.size(), plannedBytes);
        run.step(Severity.INFO, Verdict.NONE, null, "planned: " + namespaces.size() + " namespaces in " + plan.size()
                + " ranges (at most " + options.maxRangePairs() + " pairs or " + options.maxRangeBytes()
                + " bytes each), " + plannedBytes + " key and value bytes on the primary; target " + target.id()
                + ", sources " + String.join(", ", sources.stream().map(ResyncPeer::id).toList()));

        List<Integer> failedAt = new ArrayList<>();
        Map<Integer, String> problems = new LinkedHashMap<>();
        for (int i = 0; i < plan.size(); i++) {
            ResyncRange range = plan.get(i);
            RangeOutcome o = resync(run, range, i);
            switch (o.kind) {
                case COPIED -> tally(run, o, List.of(range));
                case EQUAL -> {
                    run.alreadyEqual++;
                    progress.rangeFinished(range, 0, 0, 0);
                }
                case FAILED -> {
                    failedAt.add(i);
                    problems.put(i, o.problem);
                }
            }
        }
        List<ResyncRange> failed = retryCoalesced(run, plan, failedAt, problems);
        run.step(Severity.INFO, Verdict.NONE, null, "copied " + run.copied + " ranges (" + run.pairs + " pairs, "
                + run.bytes + " key and value bytes, " + run.wireBytes + " bytes of chunk frames) to " + target.id()
                + ", " + run.alreadyEqual + " ranges already equal, " + failed.size() + " failed");

        List<String> targetOnly = new ArrayList<>();
        List<String> cleared = new ArrayList<>();
        if (targetStore != null) {
            targetOnly(run, namespaces, targetOnly, cleared);
        }
        List<ResyncRange> unproven = prove(run, plan);
        ResyncReport.Outcome outcome = failed.isEmpty() && unproven.isEmpty()
                && (!options.clearTargetOnlyNamespaces() || cleared.size() == targetOnly.size())
                ? ResyncReport.Outcome.COMPLETE : ResyncReport.Outcome.INCOMPLETE;
        progress.finished();
        run.step(outcome == ResyncReport.Outcome.COMPLETE ? Severity.INFO : Severity.ERROR,
                outcome == ResyncReport.Outcome.COMPLETE ? Verdict.CONSISTENT : Verdict.INCONSISTENT, null,
                outcome == ResyncReport.Outcome.COMPLETE ? "proven: every range's digest is equal on every replica"
                        : "incomplete: " + failed.size() + " ranges not resynced, " + unproven.size() + " not proven");
        return new ResyncReport(run.resyncId, outcome, target.id(), List.copyOf(namespaces), plan.size(), run.copied,
                run.alreadyEqual, failed, unproven, run.pairs, run.bytes, run.wireBytes, run.bytesWritten,
                progress.elapsed(), run.perSource, targetOnly, cleared, targetStore != null, run.steps);
    }

    private void tally(Run run, RangeOutcome o, List<ResyncRange> covered) {
        run.copied += covered.size();
        run.pairs += o.pulled.count();
        run.bytes += o.pulled.bytes();
        run.wireBytes += o.pulled.wireBytes();
        run.bytesWritten += o.pulled.bytesWritten();
        run.perSource.merge(o.source, 1L, Long::sum);
        for (int i = 0; i < covered.size(); i++) {
            progress.rangeFinished(covered.get(i), i == 0 ? o.pulled.count() : 0, i == 0 ? o.pulled.bytes() : 0,
                    i == 0 ? o.pulled.wireBytes() : 0);
        }
    }

    /**
     * Tries once more, as one range, each run of adjacent failed ranges of a namespace. A damaged block on the target
     * that straddles a cut fails both installs (each must read the block for the keys it does not replace), while
     * the union of the two ranges holds the block wholly, so its install drops the block unread.
     *
     * @return the ranges still not resynced
     */
    private List<ResyncRange> retryCoalesced(Run run, List<ResyncRange> plan, List<Integer> failedAt,
                                             Map<Integer, String> problems) {
        List<ResyncRange> failed = new ArrayList<>();
        int g = 0;
        while (g < failedAt.size()) {
            int end = g + 1;
            while (end < failedAt.size() && failedAt.get(end) == failedAt.get(end - 1) + 1
                    && plan.get(failedAt.get(end)).namespace().equals(plan.get(failedAt.get(g)).namespace())) {
                end++;
            }
            List<ResyncRange> group = new ArrayList<>();
            for (int k = g; k < end; k++) {
                group.add(plan.get(failedAt.get(k)));
            }
            RangeOutcome o = null;
            if (group.size() > 1) {
                ResyncRange first = group.get(0);
                ResyncRange last = group.get(group.size() - 1);
                long pairs = 0;
                long bytes = 0;
                for (ResyncRange r : group) {
                    pairs += r.pairs();
                    bytes += r.bytes();
                }
                ResyncRange union = new ResyncRange(first.namespace(), first.from(), last.to(), pairs, bytes);
                run.step(Severity.WARNING, Verdict.NONE, union, group.size() + " adjacent ranges failed; trying them "
                        + "as one range (a damaged block across a cut fails both halves)");
                o = resync(run, union, failedAt.get(g));
            }
            if (o != null && o.kind != RangeOutcome.Kind.FAILED) {
                if (o.kind == RangeOutcome.Kind.COPIED) {
                    tally(run, o, group);
                } else {
                    run.alreadyEqual += group.size();
                    group.forEach(r -> progress.rangeFinished(r, 0, 0, 0));
                }
            } else {
                for (int k = g; k < end; k++) {
                    ResyncRange r = plan.get(failedAt.get(k));
                    failed.add(r);
                    run.step(Severity.ERROR, Verdict.INCONSISTENT, r, "range not resynced: "
                            + problems.get(failedAt.get(k)));
                    progress.rangeFinished(r, 0, 0, 0);
                }
            }
            g = end;
        }
        return failed;
    }

    /**
     * Moves one range, probing it again (up to the attempts) when a probe, a vote or every pull fails. The trusted
     * sources are tried starting from the {@code index}-th, so that a resync spreads its reads over every healthy
     * replica instead of loading the first one (often the primary) with the whole store.
     */
    private RangeOutcome resync(Run run, ResyncRange range, int index) {
        String problem = "no attempt was made";
        for (int attempt = 0; attempt < options.rangeAttempts(); attempt++) {
            RangeProbe probe;
            try {
                probe = validator.probe(range.namespace(), range.from(), range.to());
            } catch (StorageException e) {
                problem = "probing the range on the primary failed: " + e.getMessage();
                continue;
            }
            long s = probe.sequence();
            ReplicaVote<ResyncPeer> vote = poll.vote(s);
            if (vote.majority() == null) {
                problem = "no majority of " + ReplicaVote.majorityOf(vote.replicas()) + " equal OK digests at sequence "
                        + s + ": " + vote.describe();
                continue;
            }
            RangeDigest mine = vote.digestOf(target);
            if (mine != null && mine.status() == RangeDigest.Status.OK && mine.sameContentAs(vote.majority())) {
                return RangeOutcome.equal();
            }
            List<String> refusals = new ArrayList<>();
            List<ResyncPeer> trusted = new ArrayList<>(poll.trusted(vote.agreeing(), range, refusals));
            refusals.forEach(why -> run.step(Severity.WARNING, Verdict.NONE, range, why));
            if (trusted.isEmpty()) {
                problem = "no trustworthy source among " + vote.ids(vote.agreeing()) + " at sequence " + s;
                continue;
            }
            Collections.rotate(trusted, -(index % trusted.size()));
            for (ResyncPeer source : trusted) {
                try {
                    PullOutcome pulled = client.pull(target.endpoint(), new PullOrder(source.endpoint(), source.id(),
                            run.resyncId, vote.majority()));
                    return RangeOutcome.copied(pulled, source.id());
                } catch (RuntimeException e) {
                    problem = "the pull from " + source.id() + " at sequence " + s + " failed: " + e.getMessage();
                    run.step(Severity.WARNING, Verdict.NONE, range, problem);
                }
            }
        }
        return RangeOutcome.failed(problem + " (after " + options.rangeAttempts() + " attempts)");
    }

    /** Finds the target's namespaces the primary lacks and, if asked, empties them on the target. */
    private void targetOnly(Run run, TreeSet<String> primaryNamespaces, List<String> found, List<String> cleared) {
        // Read the primary's names again: a namespace created on the primary since planning is not the target's own.
        TreeSet<String> primaryNames = new TreeSet<>(primaryNamespaces);
        primaryNames.addAll(primary.namespaceNames());
        found.addAll(TargetNamespaces.only(targetStore, primaryNames));
        if (found.isEmpty()) {
            return;
        }
        run.step(Severity.WARNING, Verdict.INCONSISTENT, null, "namespaces only on " + target.id() + ": " + found
                + (options.clearTargetOnlyNamespaces() ? "; emptying them" : "; left as they are (reported only)"));
        if (!options.clearTargetOnlyNamespaces()) {
            return;
        }
        for (String name : found) {
            try {
                RangeInstallResult r = TargetNamespaces.clear(targetStore, name);
                cleared.add(name);
                run.step(Severity.INFO, Verdict.NONE, null, "emptied namespace " + name + " on " + target.id() + ": "
                        + r);
            } catch (RuntimeException e) {
                run.step(Severity.ERROR, Verdict.NONE, null, "could not empty namespace " + name + " on " + target.id()
                        + ": " + e.getMessage());
            }
        }
    }

    /** Probes every planned range again: every replica's digest must be present, OK and equal. */
    private List<ResyncRange> prove(Run run, List<ResyncRange> plan) {
        List<ResyncRange> unproven = new ArrayList<>();
        for (ResyncRange range : plan) {
            String problem = "no attempt was made";
            boolean proven = false;
            for (int attempt = 0; attempt < options.rangeAttempts() && !proven; attempt++) {
                try {
                    long s = validator.probe(range.namespace(), range.from(), range.to()).sequence();
                    ReplicaVote<ResyncPeer> vote = poll.vote(s);
                    proven = vote.majority() != null && vote.agreeing().size() == vote.replicas();
                    problem = "at sequence " + s + ": " + vote.describe();
                } catch (StorageException e) {
                    problem = "the follow-up probe failed: " + e.getMessage();
                }
            }
            if (!proven) {
                unproven.add(range);
                run.step(Severity.ERROR, Verdict.INCONSISTENT, range, "proof failed " + problem);
            }
        }
        return unproven;
    }

    private static String newResyncId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** One resync's tallies and steps. */
    private final class Run {
        final String resyncId;
        final List<String> steps = new ArrayList<>();
        final Map<String, Long> perSource = new TreeMap<>();
        long copied;
        long alreadyEqual;
        long pairs;
        long bytes;
        long wireBytes;
        long bytesWritten;

        Run(String resyncId) {
            this.resyncId = resyncId;
        }

        /** Records a step in the report and in the primary's health log (metadata only). */
        void step(Severity severity, Verdict verdict, ResyncRange range, String what) {
            String detail = "resync " + resyncId + ": " + what;
            steps.add(range == null ? detail : detail + " [" + range + "]");
            try {
                validator.health().append(new HealthEntry(Instant.now(), severity, primary.id().toString(),
                        HealthKind.REPAIR, verdict, range == null ? "" : range.namespace(),
                        range == null ? null : range.from(), range == null ? null : range.to(), -1, -1, null, null,
                        -1, detail));
            } catch (RuntimeException e) {
                // The health log is a record, not a gate: a resync must not stop for want of a log line.
                System.getLogger(WholeReplicaResync.class.getName()).log(System.Logger.Level.WARNING,
                        "could not write a resync health entry: " + e);
            }
        }
    }

    /** Configures a {@link WholeReplicaResync}. */
    public static final class Builder {
        private final Store primary;
        private final Validator validator;
        private final List<ResyncPeer> sources = new ArrayList<>();
        private ResyncPeer target;
        private Store targetStore;
        private byte[] secret;
        private ResyncOptions options = ResyncOptions.builder().build();

        private Builder(Store primary, Validator validator) {
            this.primary = Objects.requireNonNull(primary, "primary");
            this.validator = Objects.requireNonNull(validator, "primaryValidator");
        }

        /**
         * @param replicaId the target's replica id
         * @param endpoint  its agent's endpoint
         * @return this builder
         * @throws IllegalArgumentException if the id or endpoint is empty or already a source's
         */
        public Builder target(String replicaId, String endpoint) {
            ResyncPeer p = peer(replicaId, endpoint, null);
            this.target = p;
            return this;
        }

        /**
         * @param agent the target's agent in this process
         * @return this builder
         */
        public Builder target(RepairAgent agent) {
            return target(agent.replicaId(), agent.endpoint());
        }

        /**
         * @param store the target's store in this process, to compare its namespaces with the primary's (and empty
         *              the target's own if the options say so); without it they are not checked
         * @return this builder
         */
        public Builder targetStore(Store store) {
            this.targetStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Adds a replica other than the target (the primary's agent too): it votes, and may be a source.
         *
         * @param replicaId its replica id
         * @param endpoint  its agent's endpoint
         * @param lineage   its lineage, or null to ask its agent over the wire
         * @return this builder
         * @throws IllegalArgumentException if the id or endpoint is empty or already added
         */
        public Builder source(String replicaId, String endpoint, LineageView lineage) {
            sources.add(peer(replicaId, endpoint, lineage));
            return this;
        }

        /**
         * @param agent a replica's agent in this process (not the target's)
         * @return this builder
         */
        public Builder source(RepairAgent agent) {
            return source(agent.replicaId(), agent.endpoint(), agent.lineage()::copiedFrom);
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
         * @param options range bounds, waits, target-only namespaces
         * @return this builder
         */
        public Builder options(ResyncOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        private ResyncPeer peer(String id, String endpoint, LineageView lineage) {
            Objects.requireNonNull(id, "replicaId");
            Objects.requireNonNull(endpoint, "endpoint");
            if (id.isEmpty() || endpoint.isEmpty()) {
                throw new IllegalArgumentException("a replica needs an id and an endpoint");
            }
            List<ResyncPeer> known = new ArrayList<>(sources);
            if (target != null) {
                known.add(target);
            }
            for (ResyncPeer p : known) {
                if (p.id().equals(id) || p.endpoint().equals(endpoint)) {
                    throw new IllegalArgumentException("replica " + id + " at " + endpoint + " repeats the id or the "
                            + "endpoint of " + p.id() + " at " + p.endpoint());
                }
            }
            return new ResyncPeer(id, endpoint, lineage);
        }

        /**
         * @return the resync
         * @throws IllegalStateException if no target or no source was named, or the target's store is not the
         *                               target's
         */
        public WholeReplicaResync build() {
            if (target == null || sources.isEmpty()) {
                throw new IllegalStateException("a resync needs a target and at least one source, had "
                        + (target == null ? "no target" : "the target") + " and " + sources.size() + " sources");
            }
            if (targetStore != null && !targetStore.id().toString().equals(target.id())) {
                throw new IllegalStateException("the target's store has id " + targetStore.id() + " but the target is "
                        + "replica " + target.id());
            }
            return new WholeReplicaResync(this);
        }
    }
}
