package io.kintsugi.repair;

import io.kintsugi.engine.RangeInstallResult;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.lineage.LineageKind;
import io.kintsugi.repair.lineage.LineageLog;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.net.PullOrder;
import io.kintsugi.repair.net.PullOutcome;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RangeFetch;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.repair.net.RepairClientOptions;
import io.kintsugi.repair.net.RepairServer;
import io.kintsugi.repair.net.RepairServerOptions;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A replica's part in repair, one per store: serves the ranges its {@link Validator} holds at probes' markers
 * (digests and held snapshots) to its peers, takes pull orders from a {@link RepairCoordinator} (in this process or
 * another, over the same authenticated protocol), and keeps the store's lineage log, which it also answers
 * questions about over that protocol (so that a coordinator elsewhere can judge this replica as a source).
 *
 * <pre>{@code
 * try (RepairAgent agent = RepairAgent.start(store, validator, RepairAgentOptions.builder().secret(secret).build())) {
 *     publish(agent.replicaId(), agent.endpoint());
 * }
 * }</pre>
 *
 * <p>A pull fetches the range from the source while hashing it, stages it (in memory up to
 * {@link RepairAgentOptions#memoryLimit()}, then in a temporary file), and only when the whole range matched the
 * expected digest records the copy in the lineage log and installs it with {@link Store#installRange}. Each step is
 * logged in the replica's own health log ({@link HealthKind#REPAIR}).
 */
public final class RepairAgent implements AutoCloseable {

    /**
     * The staging directory's name in the store directory (unless {@link RepairAgentOptions#stagingDirectory()}
     * puts it elsewhere): verify counts it as one of the store's own names.
     */
    public static final String STAGING_DIRECTORY = "repair-staging";

    private final Store store;
    private final Validator validator;
    private final RepairAgentOptions options;
    private final LineageLog lineage;
    private final RepairClient client;
    private final RepairServer server;
    private final String replicaId;
    private final PullProgress progress;

    private RepairAgent(Store store, Validator validator, RepairAgentOptions options, PullProgress progress) {
        this.store = store;
        this.validator = validator;
        this.options = options;
        this.progress = progress;
        this.replicaId = store.id().toString();
        this.lineage = LineageLog.open(store.directory());
        try {
            removeStaleStaging();
            this.client = new RepairClient(RepairClientOptions.builder().secret(options.secret())
                    .readTimeout(options.readTimeout()).build());
            RepairServerOptions.Builder so = RepairServerOptions.builder().host(options.host()).port(options.port());
            if (options.secret() != null) {
                so.secret(options.secret());
            }
            this.server = RepairServer.start(new ValidatorRangeSource(validator), this::pull,
                    q -> lineage.copiedFrom(q.sourceReplica(), q.namespace(), q.from(), q.to(), q.since()), so.build());
        } catch (RuntimeException e) {
            lineage.close();
            throw e;
        }
    }

    /**
     * Opens the store's lineage log and starts the repair server.
     *
     * @param store     an open store with {@code validator} attached
     * @param validator the store's validator
     * @param options   where to listen, the secret, the staging limits
     * @return the running agent; close it before the store
     * @throws StorageException if the lineage log cannot be opened or the address cannot be listened on
     * @throws io.kintsugi.oplog.CorruptionException if the lineage log is damaged
     */
    public static RepairAgent start(Store store, Validator validator, RepairAgentOptions options) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(options, "options");
        return new RepairAgent(store, validator, options, PullProgress.NONE);
    }

    /** As {@link #start(Store, Validator, RepairAgentOptions)}, telling {@code progress} where each pull got to. */
    static RepairAgent start(Store store, Validator validator, RepairAgentOptions options, PullProgress progress) {
        return new RepairAgent(Objects.requireNonNull(store, "store"), Objects.requireNonNull(validator, "validator"),
                Objects.requireNonNull(options, "options"), Objects.requireNonNull(progress, "progress"));
    }

    private Path stagingDirectory() {
        return options.stagingDirectory() != null ? options.stagingDirectory()
                : store.directory().resolve(STAGING_DIRECTORY);
    }

    /**
     * A process killed during a pull leaves its staged file behind: nothing reads it again (the pull never returned,
     * and the next one fetches the range anew), so it is removed when the store's next agent starts.
     */
    private void removeStaleStaging() {
        int removed = StagedRange.removeStale(stagingDirectory(), replicaId);
        if (removed > 0) {
            System.getLogger(RepairAgent.class.getName()).log(System.Logger.Level.INFO, "removed " + removed
                    + " staged file(s) of pulls a crash interrupted from " + stagingDirectory());
        }
    }

    /** @return this replica's id in lineage records and health entries: the store's id */
    public String replicaId() {
        return replicaId;
    }

    /** @return {@code host:port} of this agent's repair server */
    public String endpoint() {
        return server.endpoint();
    }

    /**
     * Has this agent's repair server list, approve and reject the waiting plans of {@code service} for clients in
     * other processes ({@code kintsugi repair plans HOST:PORT}, {@code RepairClient.plans}); typically the agent of
     * the primary, beside which the service runs. Requests are authenticated with this agent's secret.
     *
     * @param service the repair service, or null to stop serving its plans
     */
    public void serveApprovals(RepairService service) {
        server.approvals(service == null ? null : service.approvals());
    }

    /** @return the store's lineage log (what this replica copied, from whom, when) */
    public LineageLog lineage() {
        return lineage;
    }

    /**
     * Pulls the range {@code order.expected()} describes from the source, checks it against that digest while it
     * streams, records the copy in the lineage log and installs it. What a pull order over the wire runs.
     *
     * @param order what to pull
     * @return what was installed
     * @throws IllegalArgumentException if the order names this replica as its source
     * @throws StorageException         if this replica did not reach the range's sequence within
     *                                  {@link RepairAgentOptions#applyTimeout()}, or staging or installing failed
     * @throws io.kintsugi.repair.net.RangeMismatchException if the pairs did not match the expected digest
     * @throws io.kintsugi.oplog.CorruptionException if a frame was damaged, or a block the install must read is
     * @throws RuntimeException         of the kinds {@link RepairClient#fetchRange} throws
     */
    public PullOutcome pull(PullOrder order) {
        Objects.requireNonNull(order, "order");
        if (order.sourceReplica().equals(replicaId)) {
            throw new IllegalArgumentException("replica " + replicaId + " was told to pull a range from itself");
        }
        RangeDigest expected = order.expected();
        long s = expected.sequence();
        awaitSequence(s);
        byte[] from = expected.from().length == 0 ? null : expected.from();
        byte[] to = expected.to();
        try (StagedRange staged = new StagedRange(options.memoryLimit(), stagingDirectory(), replicaId)) {
            RangeFetch fetch;
            progress.reached(PullProgress.Step.FETCHING, 0);
            try {
                fetch = client.fetchRange(order.sourceEndpoint(), s, expected, progress == PullProgress.NONE ? staged
                        : (key, value) -> {
                            staged.accept(key, value);
                            progress.reached(PullProgress.Step.FETCHING, staged.count());
                        });
            } catch (RuntimeException e) {
                log(Severity.ERROR, Verdict.INCONSISTENT, expected, "repair " + order.repairId() + ": fetching from "
                        + order.sourceReplica() + " at " + order.sourceEndpoint() + " failed: " + e.getMessage());
                throw e;
            }
            long wire = fetch.bytes() + 8L * fetch.count() + 13L * fetch.chunks();
            log(Severity.INFO, Verdict.NONE, expected, "repair " + order.repairId() + ": copied " + fetch.count()
                    + " pairs, " + fetch.bytes() + " key and value bytes (" + wire + " bytes of chunk frames) from "
                    + order.sourceReplica() + (staged.onDisk() ? ", staged on disk" : ", staged in memory")
                    + "; the hash matched the majority's");
            progress.reached(PullProgress.Step.FETCHED, fetch.count());
            // The copy is recorded before the range is replaced, so that a crash errs toward distrusting this
            // replica as a later source of the range: after a restart the log may name a copy whose install never
            // happened (harmless: the range is pulled again, and a second record of the same repair id is appended),
            // but never holds an installed copy without its record. See REPAIR.md "A crash during a pull".
            lineage.append(new LineageRecord(Instant.now(), LineageKind.RANGE_COPY, replicaId, order.sourceReplica(),
                    expected.namespace(), from, to, s, fetch.count(), fetch.bytes(), fetch.hash(), order.repairId()));
            progress.reached(PullProgress.Step.RECORDED, fetch.count());
            progress.reached(PullProgress.Step.INSTALLING, fetch.count());
            RangeInstallResult installed = store.installRange(store.namespace(expected.namespace()), from, to, s,
                    staged.pairs());
            progress.reached(PullProgress.Step.INSTALLED, fetch.count());
            log(Severity.INFO, Verdict.NONE, expected, "repair " + order.repairId() + ": installed at sequence " + s
                    + ": " + installed);
            return new PullOutcome(s, fetch.count(), fetch.bytes(), wire, installed.bytesWritten(), staged.onDisk());
        }
    }

    private void awaitSequence(long s) {
        long deadline = System.nanoTime() + options.applyTimeout().toNanos();
        while (store.lastSequence() < s) {
            if (System.nanoTime() - deadline > 0) {
                throw new StorageException("replica " + replicaId + " did not reach sequence " + s + " within "
                        + options.applyTimeout() + " (it is at " + store.lastSequence() + ")");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while waiting for sequence " + s, e);
            }
        }
    }

    private void log(Severity severity, Verdict verdict, RangeDigest d, String detail) {
        try {
            validator.health().append(new HealthEntry(Instant.now(), severity, replicaId, HealthKind.REPAIR, verdict,
                    d.namespace(), d.from(), d.to(), d.count(), d.bytes(), d.hash(), null, d.sequence(), detail));
        } catch (RuntimeException e) {
            // The health log is a record, not a gate: a repair that worked must not fail for want of a log line.
            System.getLogger(RepairAgent.class.getName()).log(System.Logger.Level.WARNING,
                    "could not write a repair health entry: " + e);
        }
    }

    /** Stops the repair server (streams under way get its close grace) and closes the lineage log. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            lineage.close();
        }
    }

    @Override
    public String toString() {
        return "RepairAgent{" + replicaId + " at " + endpoint() + '}';
    }
}
