package io.kintsugi.repair;

import io.kintsugi.engine.DamagedRange;
import io.kintsugi.engine.Store;
import io.kintsugi.repair.RepairReport.Outcome;
import io.kintsugi.repair.RepairServiceEvent.Kind;
import io.kintsugi.repair.net.ApprovalHandler;
import io.kintsugi.repair.net.PlanNotWaitingException;
import io.kintsugi.validation.Validator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns what the replicas find into repairs without anyone calling the {@link RepairCoordinator}: runs beside the
 * primary, watches the replicas of this process (their health logs' INCONSISTENT and DAMAGED scan verdicts, and the
 * damaged ranges their stores list after a read, a flush or a compaction hit a bad block) and makes each a repair
 * job, run by the coordinator on one background thread.
 *
 * <pre>{@code
 * RepairCoordinator coordinator = RepairCoordinator.builder(primary, primaryValidator)...policy(AUTOMATIC).build();
 * try (RepairService service = RepairService.builder(coordinator)
 *         .watch(primary, primaryValidator).watch(follower1, validator1).watch(follower2, validator2)
 *         .listener(event -> monitoring.send(event)).start()) {
 *     ...                                   // detections are repaired as they come
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>One job per overlapping range.</b> A detection overlapping a queued job is folded into it (the job's
 *   range widens to hold both); one overlapping a plan that waits for approval is kept aside and looked at again
 *   once the plan is approved or rejected. A scan verdict about a marker older than the proof of a repair that
 *   covered its range is stale and dropped. Damage in a segment file a job already repairs damage of is folded
 *   into it too, even in a range apart: the install rewrites the whole file and cannot read the other block.</li>
 *   <li><b>Retries.</b> An attempt that ends FAILED (or throws) runs again after a backoff that doubles from
 *   {@link Builder#backoff initial} up to its maximum, at most {@link Builder#maxAttempts} attempts in all; then
 *   the job gives up and its damage is not taken again (an operator must look). REPAIRED, CONSISTENT and
 *   NO_MAJORITY end a job: with no majority nothing is guessed, as the coordinator says. Except once: a job with
 *   no majority over a range wider than its damaged blocks repairs each block on its own first, then runs again.
 *   </li>
 *   <li><b>Policy.</b> The coordinator's: under {@link RepairPolicy#AUTOMATIC} a job repairs at once; under
 *   {@link RepairPolicy#APPROVAL} its plan waits in {@link #pendingPlans()} until {@link #approve(String)} or
 *   {@link #reject(String, String)}. Approve within the hold time of the sources' validators (2 minutes by default);
 *   a plan approved later fails its pull and the job retries with a new plan.</li>
 *   <li><b>Events.</b> Every step of a job goes to the {@link RepairServiceListener}, metadata only.</li>
 * </ul>
 *
 * <p>The service polls every {@link Builder#pollInterval} (default 500 ms); {@link #wakeUp()} makes it look at once,
 * e.g. from a {@code HealthListener} registered in the replicas' health log options. Only replicas in this process
 * can be watched: the repair protocol carries no health entries, so a replica in another process is repaired when
 * it is named to the coordinator and a range it flagged is given to the coordinator by its host.
 *
 * <p>The coordinator must be used only by this service while it runs (it is not thread-safe).
 */
public final class RepairService implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RepairService.class.getName());

    /** Repairs remembered for dropping stale verdicts; older ones are forgotten first. */
    static final int PROOFS_KEPT = 256;
    /** Decided plans remembered for telling a late second decision apart from an unknown id. */
    static final int DECISIONS_KEPT = 1024;

    private final RepairCoordinator coordinator;
    private final List<ReplicaWatch> watches;
    private final RepairServiceListener listener;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration closeWait;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private final Map<String, RepairPlan> waiting = new ConcurrentHashMap<>();
    /** Plans approved or rejected lately, so that a second decision is told so rather than "unknown". */
    private final Map<String, String> decided = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > DECISIONS_KEPT;
                }
            });

    // Touched only on the service's thread.
    private final List<RepairJob> jobs = new ArrayList<>();
    private final Set<DamagedRange> settledDamage = new HashSet<>();
    private final Deque<Proof> proofs = new ArrayDeque<>();
    private long nextJobId = 1;

    private RepairService(Builder b) {
        this.coordinator = b.coordinator;
        this.watches = List.copyOf(b.watches);
        this.listener = b.listener;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.closeWait = b.closeWait;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kintsugi-repair-service");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        this.thread = executor;
        thread.scheduleWithFixedDelay(this::tick, 0, b.pollInterval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * @param coordinator the coordinator that runs the repairs (its policy applies); used only by the service from
     *                    now on
     * @return a builder
     */
    public static Builder builder(RepairCoordinator coordinator) {
        return new Builder(coordinator);
    }

    /** Makes the service look for new detections now instead of at its next poll. Cheap; callable from anywhere. */
    public void wakeUp() {
        if (wakeUpPending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    wakeUpPending.set(false);
                    tick();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Closed: nothing to wake.
            }
        }
    }

    /** Runs one round (look, then run what is due) on the service's thread; done when it is over. For tests. */
    Future<Void> lookNow() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(done, () -> {
            tick();
            return null;
        });
        return done;
    }

    /** @return the plans waiting for approval, oldest first (under {@link RepairPolicy#APPROVAL}) */
    public List<RepairPlan> pendingPlans() {
        List<RepairPlan> plans = new ArrayList<>(waiting.values());
        plans.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        return plans;
    }

    /**
     * Executes a waiting plan on the service's thread.
     *
     * @param repairId the plan's {@link RepairPlan#repairId()}
     * @return the report of the repair once it ran; a FAILED one is retried as usual
     * @throws PlanNotWaitingException (an {@code IllegalArgumentException}) if no plan with that id waits: unknown,
     *                                 or approved or rejected already ({@link PlanNotWaitingException#decided()})
     */
    public Future<RepairReport> approve(String repairId) {
        RepairPlan plan = waitingPlan(repairId);
        CompletableFuture<RepairReport> done = new CompletableFuture<>();
        submit(done, () -> {
            RepairJob job = jobOf(plan);
            if (job == null || waiting.remove(repairId) == null) {
                throw settledMeanwhile(repairId);
            }
            decided.put(repairId, "approved");
            job.plan = null;
            job.state = RepairJob.State.QUEUED;
            emit(job, Kind.APPROVED, repairId, null, "approved: " + plan);
            RepairReport report = coordinator.approve(plan);
            settle(job, report);
            return report;
        });
        return done;
    }

    /**
     * Drops a waiting plan: nothing is changed, the coordinator logs the rejection, and the damage the job was for
     * is not taken again by this service.
     *
     * @param repairId the plan's {@link RepairPlan#repairId()}
     * @param why      metadata only: who rejected it and why, for the health log
     * @return done once the plan is dropped
     * @throws PlanNotWaitingException (an {@code IllegalArgumentException}) if no plan with that id waits: unknown,
     *                                 or approved or rejected already ({@link PlanNotWaitingException#decided()})
     */
    public Future<Void> reject(String repairId, String why) {
        Objects.requireNonNull(why, "why");
        RepairPlan plan = waitingPlan(repairId);
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(done, () -> {
            RepairJob job = jobOf(plan);
            if (job == null || waiting.remove(repairId) == null) {
                throw settledMeanwhile(repairId);
            }
            decided.put(repairId, "rejected");
            coordinator.reject(plan, why);
            jobs.remove(job);
            settledDamage.addAll(job.damage);
            // The verdicts of the plan's own probe, and any before it, are about what was rejected.
            remember(new Proof(job.range, plan.sequence() + 1));
            emit(job, Kind.REJECTED, repairId, null, "rejected: " + why);
            readmit(job);
            return null;
        });
        return done;
    }

    private RepairPlan waitingPlan(String repairId) {
        Objects.requireNonNull(repairId, "repairId");
        RepairPlan plan = waiting.get(repairId);
        if (plan == null) {
            String how = decided.get(repairId);
            if (how != null) {
                throw new PlanNotWaitingException(repairId, true, "plan " + repairId + " was " + how
                        + " already; nothing more to decide");
            }
            throw new PlanNotWaitingException(repairId, false, "no plan " + repairId + " waits for approval; "
                    + "waiting: " + waiting.keySet());
        }
        return plan;
    }

    private PlanNotWaitingException settledMeanwhile(String repairId) {
        String how = decided.get(repairId);
        return new PlanNotWaitingException(repairId, true, "plan " + repairId + " was "
                + (how != null ? how : "settled") + " meanwhile; nothing more to decide");
    }

    /**
     * The approvals of this service for a repair server, so that an operator in another process can list, approve
     * and reject its plans ({@code kintsugi repair plans|approve|reject}): attach them with
     * {@link RepairAgent#serveApprovals(RepairService)} or {@code RepairServer.approvals(...)}. An approval over the
     * wire waits for the repair to run, as {@code approve(repairId).get()} does.
     *
     * @return a view of this service's plans and decisions
     */
    public ApprovalHandler approvals() {
        return new ServiceApprovals(this);
    }

    /** @return whether {@link #close()} has begun */
    public boolean isClosed() {
        return thread.isShutdown();
    }

    private <T> void submit(CompletableFuture<T> done, java.util.concurrent.Callable<T> work) {
        try {
            thread.execute(() -> {
                try {
                    done.complete(work.call());
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the repair service is closed"));
        }
    }

    private RepairJob jobOf(RepairPlan plan) {
        for (RepairJob j : jobs) {
            if (j.plan == plan) {
                return j;
            }
        }
        return null;
    }

    /** One round on the service's thread: take new detections, then run every job that is due. */
    private void tick() {
        try {
            for (ReplicaWatch w : watches) {
                for (Detection d : w.poll()) {
                    admit(d);
                }
            }
            RepairJob due;
            while (!Thread.currentThread().isInterrupted() && (due = nextDue()) != null) {
                run(due);
            }
        } catch (RuntimeException e) {
            // The periodic task must not die with one bad round.
            LOG.log(System.Logger.Level.WARNING, "repair service round failed: " + e);
        }
    }

    private void admit(Detection d) {
        if (d.damage() != null && settledDamage.contains(d.damage())) {
            return;
        }
        if (d.sequence() >= 0 && isStale(d)) {
            return;
        }
        for (RepairJob j : jobs) {
            if (!j.range.overlaps(d.range()) && !sharesDamagedFile(j, d)) {
                continue;
            }
            if (j.state == RepairJob.State.AWAITING_APPROVAL) {
                // Damage is listed at every look: keep one detection of each block aside, not one per look.
                if (d.damage() == null || (!j.damage.contains(d.damage())
                        && j.deferred.stream().noneMatch(o -> d.damage().equals(o.damage())))) {
                    j.deferred.add(d);
                }
                return;
            }
            if (d.damage() != null && j.damage.contains(d.damage())) {
                return; // damage is listed at every poll until repaired
            }
            boolean widened = !j.range.contains(d.range());
            j.range = j.range.union(d.range());
            j.add(d);
            emit(j, Kind.MERGED, "", null, (widened ? "range widened for: " : "already covered: ") + d.why());
            return;
        }
        RepairJob j = new RepairJob(nextJobId++, d, System.nanoTime());
        jobs.add(j);
        emit(j, Kind.QUEUED, "", null, "detected: " + d.why());
    }

    /**
     * Damage in a segment file that a job already repairs damage of. An install rewrites every file its range
     * touches and must read the blocks outside the range to keep them, so a job for one damaged block fails for as
     * long as another block of the same file is damaged; the two are repaired together, over a range holding both.
     */
    private static boolean sharesDamagedFile(RepairJob j, Detection d) {
        if (d.damage() == null) {
            return false;
        }
        for (DamagedRange o : j.damage) {
            if (o.namespace().equals(d.damage().namespace())
                    && o.report().file().equals(d.damage().report().file())) {
                return true;
            }
        }
        return false;
    }

    /** A verdict about a marker older than the proof of a repair whose range holds it says nothing new. */
    private boolean isStale(Detection d) {
        for (Proof p : proofs) {
            if (p.range.contains(d.range()) && d.sequence() < p.proofSequence) {
                return true;
            }
        }
        return false;
    }

    private RepairJob nextDue() {
        long now = System.nanoTime();
        for (RepairJob j : jobs) {
            if (j.state == RepairJob.State.QUEUED && now - j.notBefore >= 0) {
                return j;
            }
        }
        return null;
    }

    private void run(RepairJob job) {
        job.attempts++;
        emit(job, Kind.STARTED, "", null, "attempt " + job.attempts + " of " + maxAttempts + ": " + job.why());
        RepairReport report;
        try {
            report = coordinator.repairRange(job.range.namespace(), job.range.from(), job.range.to(),
                    Instant.EPOCH, job.why());
        } catch (RuntimeException e) {
            // Not a report (a namespace not there yet, a closed primary): counted as a failed attempt.
            retryOrGiveUp(job, "", "the attempt threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        settle(job, report);
    }

    /** Acts on the outcome of an attempt or an approval. */
    private void settle(RepairJob job, RepairReport report) {
        Outcome o = report.outcome();
        job.lastSequence = Math.max(job.lastSequence, report.sequence());
        switch (o) {
            case AWAITING_APPROVAL -> {
                job.state = RepairJob.State.AWAITING_APPROVAL;
                job.plan = report.plan();
                waiting.put(report.repairId(), report.plan());
                emit(job, Kind.AWAITING_APPROVAL, report.repairId(), o, "planned: " + report.plan());
            }
            case NO_MAJORITY, REPAIRED, CONSISTENT -> {
                if (o == Outcome.NO_MAJORITY && splitOffDamage(job)) {
                    emit(job, Kind.RETRY_SCHEDULED, report.repairId(), o, "no majority over the widened range; its "
                            + "damaged blocks are repaired on their own first: " + lastStep(report));
                    return;
                }
                jobs.remove(job);
                if (o == Outcome.NO_MAJORITY) {
                    settledDamage.addAll(job.damage); // reported; taking it again would only report it again
                } else if (report.proofSequence() >= 0 || report.sequence() >= 0) {
                    remember(new Proof(job.range, Math.max(report.proofSequence(), report.sequence())));
                }
                emit(job, Kind.FINISHED, report.repairId(), o, lastStep(report));
                readmit(job);
            }
            case FAILED -> retryOrGiveUp(job, report.repairId(), lastStep(report));
            default -> throw new IllegalStateException("unknown outcome " + o);
        }
    }

    /**
     * A job widened past its damaged blocks (by a scan verdict of another replica, say) can find no majority only
     * because two replicas differ in different parts of it, while each block alone has one. Each block becomes a
     * job of its own, run before this one, which then runs again without them. False when there is nothing to
     * split off, so a job ends at most once this way.
     */
    private boolean splitOffDamage(RepairJob job) {
        int at = jobs.indexOf(job);
        boolean split = false;
        for (DamagedRange d : job.damage) {
            RepairRange blockRange = Detection.of(d, "").range();
            if (blockRange.contains(job.range)) {
                continue;
            }
            RepairJob j = new RepairJob(nextJobId++, new Detection(blockRange, -1, d, "split from job " + job.id
                    + ": damaged block in segment file " + d.fileNumber() + ": " + d.report().describe()),
                    System.nanoTime());
            // Before the wide job, so that a new look at the same damage finds this job first.
            jobs.add(at++, j);
            emit(j, Kind.QUEUED, "", null, "detected: " + j.why());
            split = true;
        }
        if (split) {
            job.damage.clear();
            job.state = RepairJob.State.QUEUED;
            job.notBefore = System.nanoTime();
        }
        return split;
    }

    private void retryOrGiveUp(RepairJob job, String repairId, String why) {
        if (job.attempts >= maxAttempts) {
            jobs.remove(job);
            settledDamage.addAll(job.damage);
            if (job.lastSequence >= 0) {
                remember(new Proof(job.range, job.lastSequence + 1)); // what it gave up on is not taken again
            }
            emit(job, Kind.GAVE_UP, repairId, Outcome.FAILED, "after " + job.attempts + " attempts: " + why);
            readmit(job);
            return;
        }
        Duration backoff = backoff(job.attempts);
        job.state = RepairJob.State.QUEUED;
        job.notBefore = System.nanoTime() + backoff.toNanos();
        emit(job, Kind.RETRY_SCHEDULED, repairId, Outcome.FAILED, "again in " + backoff.toMillis() + " ms: " + why);
    }

    /** The backoff after the n-th failed attempt: initial × 2^(n-1), at most the maximum. */
    Duration backoff(int failedAttempts) {
        Duration d = initialBackoff;
        for (int i = 1; i < failedAttempts && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    /** Detections kept aside while a job's plan waited are looked at again, now that the job is over or running. */
    private void readmit(RepairJob job) {
        List<Detection> aside = new ArrayList<>(job.deferred);
        job.deferred.clear();
        for (Detection d : aside) {
            admit(d);
        }
    }

    private void remember(Proof p) {
        proofs.addLast(p);
        while (proofs.size() > PROOFS_KEPT) {
            proofs.removeFirst();
        }
    }

    private static String lastStep(RepairReport r) {
        return r.steps().isEmpty() ? r.outcome().name() : r.steps().get(r.steps().size() - 1);
    }

    private void emit(RepairJob job, Kind kind, String repairId, Outcome outcome, String detail) {
        if (listener == null) {
            return;
        }
        try {
            listener.onEvent(new RepairServiceEvent(Instant.now(), kind, job.id, job.range.namespace(),
                    job.range.fingerprint(), job.attempts, repairId, outcome, detail));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a repair service listener failed: " + e);
        }
    }

    /**
     * Stops taking detections, lets a repair under way finish for up to the close wait (default 60 s) and then
     * interrupts it. Plans still waiting are dropped unexecuted. The coordinator and the replicas stay open.
     */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(closeWait.toNanos(), TimeUnit.NANOSECONDS)) {
                thread.shutdownNow();
                thread.awaitTermination(closeWait.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        waiting.clear();
    }

    /**
     * A range settled as of a sequence (a repair's proof, or the probe of a plan rejected or given up on): verdicts
     * about markers before it inside the range say nothing new.
     */
    private record Proof(RepairRange range, long proofSequence) {
    }

    /** Configures a {@link RepairService}. */
    public static final class Builder {
        private final RepairCoordinator coordinator;
        private final List<ReplicaWatch> watches = new ArrayList<>();
        private final List<Store> watched = new ArrayList<>();
        private final List<Validator> validators = new ArrayList<>();
        private RepairServiceListener listener;
        private Duration pollInterval = Duration.ofMillis(500);
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(1);
        private Duration closeWait = Duration.ofSeconds(60);
        private Instant since;

        private Builder(RepairCoordinator coordinator) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        }

        /**
         * Watches a replica of this process: its store's damaged ranges and its health log's INCONSISTENT and
         * DAMAGED scan verdicts. Watch the primary too (a damaged block found on its reads).
         *
         * @param store     an open replica
         * @param validator its validator
         * @return this builder
         * @throws IllegalArgumentException if the store or the validator is watched already
         */
        public Builder watch(Store store, Validator validator) {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(validator, "validator");
            if (watched.contains(store) || validators.contains(validator)) {
                throw new IllegalArgumentException("store " + store.directory() + " or its validator is watched "
                        + "already");
            }
            watched.add(store);
            validators.add(validator);
            return this;
        }

        /**
         * @param listener told about every step of every job, metadata only
         * @return this builder
         */
        public Builder listener(RepairServiceListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param interval how often to look for new detections (default 500 ms); {@link RepairService#wakeUp()}
         *                 looks at once
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = RepairAgentOptions.Builder.positive("poll interval", interval);
            return this;
        }

        /**
         * @param attempts attempts per job before it gives up, 1 to 100 (default 5)
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 100) {
                throw new IllegalArgumentException("max attempts must be from 1 to 100, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * @param initial the wait after the first failed attempt (default 1 s); it doubles after each further one
         * @param max     the longest wait (default 1 minute)
         * @return this builder
         * @throws IllegalArgumentException if either is not positive, or max is below initial
         */
        public Builder backoff(Duration initial, Duration max) {
            Duration i = RepairAgentOptions.Builder.positive("initial backoff", initial);
            Duration m = RepairAgentOptions.Builder.positive("max backoff", max);
            if (m.compareTo(i) < 0) {
                throw new IllegalArgumentException("max backoff " + m + " is below the initial backoff " + i);
            }
            this.initialBackoff = i;
            this.maxBackoff = m;
            return this;
        }

        /**
         * @param wait how long {@link RepairService#close()} lets a repair under way finish (default 60 s)
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder closeWait(Duration wait) {
            this.closeWait = RepairAgentOptions.Builder.positive("close wait", wait);
            return this;
        }

        /**
         * @param time take scan verdicts logged at or after this time (default: when the service starts); damaged
         *             ranges are taken whenever they were found
         * @return this builder
         */
        public Builder since(Instant time) {
            this.since = Objects.requireNonNull(time, "since");
            return this;
        }

        /**
         * @return the running service
         * @throws IllegalStateException if no replica is watched
         */
        public RepairService start() {
            if (watched.isEmpty()) {
                throw new IllegalStateException("a repair service needs at least one watched replica");
            }
            Instant from = since != null ? since : Instant.now();
            for (int i = 0; i < watched.size(); i++) {
                watches.add(new ReplicaWatch(watched.get(i), validators.get(i), from));
            }
            return new RepairService(this);
        }
    }
}
