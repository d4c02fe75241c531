package io.kintsugi.repair;

import io.kintsugi.engine.Limits;
import io.kintsugi.engine.RangeImage;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.replication.DivergenceReport;
import io.kintsugi.engine.replication.FollowerState;
import io.kintsugi.engine.replication.ReplicationStatus;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.lineage.LineageKind;
import io.kintsugi.repair.lineage.LineageLog;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RangeFetch;
import io.kintsugi.repair.net.RepairClient;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthKind;
import io.kintsugi.validation.health.Severity;
import io.kintsugi.validation.health.Verdict;
import io.kintsugi.validation.scan.RangeProbe;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Repairs a follower whose log diverged from its primary's (writes an old primary never replicated): reads the
 * follower's {@link DivergenceReport}, asks the primary which ranges it wrote itself since the logs forked, pulls
 * the primary's contents of the union of those ranges (each probed, streamed and checked against the primary's
 * digest, as every pull is), records each copy in the follower's lineage log, rebases the follower
 * ({@link Store#rebaseDiverged}), reopens it, makes it follow the primary again and proves every range equal on
 * both. Every step is a {@code REPAIR} entry in the primary's health log whose detail starts {@code diverged <id>:}.
 *
 * <p>Runs beside the primary, with both stores in its process (the rebase is a call on the follower's store). Only
 * the touched ranges move: one range per namespace, from the smallest key either log wrote after the fork to just
 * past the largest.
 */
public final class DivergedFollowerRepair {

    /** Opens the follower's store again after the rebase closed it, with a fresh validator attached. */
    @FunctionalInterface
    public interface Reopener {
        /**
         * @return the reopened follower and the validator attached to it
         */
        Reopened reopen();
    }

    /**
     * The reopened follower.
     *
     * @param store     the store, rebased
     * @param validator its validator (for the proof)
     */
    public record Reopened(Store store, Validator validator) {
    }

    /**
     * What a repair did; metadata only.
     *
     * @param repairId           the repair's id, in the health and lineage logs
     * @param divergence         the follower's divergence as found
     * @param sequence           the sequence S the follower was rebased at
     * @param ranges             ranges copied
     * @param pairs              pairs copied
     * @param bytes              key and value bytes copied
     * @param follower           the reopened follower, following the primary again
     * @param proven             whether every range was then equal on both replicas
     */
    public record Report(String repairId, DivergenceReport divergence, long sequence, int ranges, long pairs,
                         long bytes, Reopened follower, boolean proven) {
        @Override
        public String toString() {
            return "diverged-follower repair " + repairId + ": rebased at " + sequence + ", " + ranges + " range(s), "
                    + pairs + " pairs, " + bytes + " bytes, " + (proven ? "proven" : "NOT proven") + "; "
                    + divergence;
        }
    }

    private final Store primary;
    private final Validator primaryValidator;
    private final String primaryId;
    private final String primaryRepairEndpoint;
    private final String primaryReplicationEndpoint;
    private final RepairClient client;
    private final Store follower;
    private final String followerId;
    private final LineageLog followerLineage;
    private final Path stagingDirectory;
    private final Duration wait;
    private final String repairId = UUID.randomUUID().toString().substring(0, 8);

    /**
     * @param primary                    the primary's store, in this process
     * @param primaryValidator           its validator (probes, digests, health log)
     * @param primaryId                  its replica id, for lineage records
     * @param primaryRepairEndpoint      its repair server (its agent's endpoint)
     * @param primaryReplicationEndpoint where the follower follows it
     * @param client                     a repair client with the replicas' secret
     * @param follower                   the diverged follower's store, in this process
     * @param followerId                 its replica id
     * @param followerLineage            its lineage log
     * @param stagingDirectory           where pulled ranges larger than memory are staged
     * @param wait                       how long to wait for the primary to pass the divergence, and for the
     *                                   follower to catch up for the proof
     */
    public DivergedFollowerRepair(Store primary, Validator primaryValidator, String primaryId,
                                  String primaryRepairEndpoint, String primaryReplicationEndpoint, RepairClient client,
                                  Store follower, String followerId, LineageLog followerLineage,
                                  Path stagingDirectory, Duration wait) {
        this.primary = Objects.requireNonNull(primary, "primary");
        this.primaryValidator = Objects.requireNonNull(primaryValidator, "primaryValidator");
        this.primaryId = Objects.requireNonNull(primaryId, "primaryId");
        this.primaryRepairEndpoint = Objects.requireNonNull(primaryRepairEndpoint, "primaryRepairEndpoint");
        this.primaryReplicationEndpoint = Objects.requireNonNull(primaryReplicationEndpoint,
                "primaryReplicationEndpoint");
        this.client = Objects.requireNonNull(client, "client");
        this.follower = Objects.requireNonNull(follower, "follower");
        this.followerId = Objects.requireNonNull(followerId, "followerId");
        this.followerLineage = Objects.requireNonNull(followerLineage, "followerLineage");
        this.stagingDirectory = Objects.requireNonNull(stagingDirectory, "stagingDirectory");
        this.wait = Objects.requireNonNull(wait, "wait");
    }

    /** One range to copy: per namespace, from the smallest touched key to just past the largest. */
    private static final class Span {
        final String namespace;
        byte[] min;
        byte[] max;

        Span(String namespace, byte[] min, byte[] max) {
            this.namespace = namespace;
            this.min = min;
            this.max = max;
        }

        void widen(byte[] lo, byte[] hi) {
            if (Arrays.compareUnsigned(lo, min) < 0) {
                min = lo;
            }
            if (Arrays.compareUnsigned(hi, max) > 0) {
                max = hi;
            }
        }

        /** @return the smallest key above max, or null (the namespace's end) when that key would be over the limit */
        byte[] end() {
            return max.length >= Limits.MAX_KEY_LENGTH ? null : Arrays.copyOf(max, max.length + 1);
        }

        boolean holds(DivergenceReport.KeyRangeTouched t) {
            return t.namespace().equals(namespace) && Arrays.compareUnsigned(t.minKey(), min) >= 0
                    && Arrays.compareUnsigned(t.maxKey(), max) <= 0;
        }

        boolean overlaps(DivergenceReport.KeyRangeTouched t) {
            return t.namespace().equals(namespace) && Arrays.compareUnsigned(t.minKey(), max) <= 0
                    && Arrays.compareUnsigned(t.maxKey(), min) >= 0;
        }
    }

    /**
     * Runs the repair.
     *
     * @param reopener opens the follower again after the rebase
     * @param attempts how many times to probe and pull again when the primary wrote into a range meanwhile
     * @return what it did
     * @throws IllegalStateException if the follower is not stopped at a divergence, or cannot be rebased by ranges
     *                               (the message says to resync the whole replica)
     * @throws StorageException      if the primary did not pass the divergence in time, or a pull, the rebase or
     *                               the proof failed
     */
    public Report run(Reopener reopener, int attempts) {
        Objects.requireNonNull(reopener, "reopener");
        ReplicationStatus status = follower.replicationStatus();
        DivergenceReport report = status.divergence().orElse(null);
        if (status.followerState() != FollowerState.DIVERGED || report == null) {
            throw new IllegalStateException("follower " + followerId + " is not stopped at a divergence (state "
                    + status.followerState() + ")");
        }
        step(Severity.WARNING, "detected on follower " + followerId + ": " + report, null, report.lastAgreedSequence());
        if (!report.complete()) {
            step(Severity.ERROR, "cannot repair by ranges: some diverged records were released; resync the whole "
                    + "replica", null, report.lastAgreedSequence());
            throw new IllegalStateException("follower " + followerId + "'s diverged records were partly released, so "
                    + "the ranges they wrote are unknown; resync the whole replica instead");
        }
        if (!report.createdNamespaces().isEmpty()) {
            step(Severity.ERROR, "cannot repair by ranges: the diverged records created namespaces; rebuild the "
                    + "replica into an empty store", null, report.lastAgreedSequence());
            throw new IllegalStateException("follower " + followerId + "'s diverged records created "
                    + report.createdNamespaces().size() + " namespace(s), whose ids the primary may use for others; "
                    + "rebuild the replica with a whole-replica resync into an empty store instead");
        }
        awaitPrimaryAt(report.lastDivergedSequence());
        for (int attempt = 1; ; attempt++) {
            List<Pulled> pulled = new ArrayList<>();
            try {
                List<Span> spans = spans(report, primary.writtenRanges(report.lastAgreedSequence(),
                        primary.lastSequence()));
                long s = 0;
                for (Span span : spans) {
                    Pulled p = pull(span);
                    pulled.add(p);
                    s = Math.max(s, p.digest.sequence());
                }
                String stale = stale(report, spans, pulled, s);
                if (stale == null) {
                    return finish(report, pulled, s, reopener);
                }
                step(Severity.WARNING, "attempt " + attempt + ": " + stale, null, s);
                if (attempt >= attempts) {
                    throw new StorageException("diverged-follower repair " + repairId + " gave up after " + attempts
                            + " attempts: " + stale);
                }
            } finally {
                for (Pulled p : pulled) {
                    p.staged.close();
                }
            }
        }
    }

    private record Pulled(Span span, RangeDigest digest, RangeFetch fetch, StagedRange staged) {
    }

    private List<Span> spans(DivergenceReport diverged, DivergenceReport primaryWrites) {
        if (!primaryWrites.complete()) {
            throw new IllegalStateException("the primary no longer retains its records after sequence "
                    + diverged.lastAgreedSequence() + ", so the ranges it wrote since the logs forked are unknown; "
                    + "resync the whole replica instead");
        }
        Map<String, Span> byNamespace = new LinkedHashMap<>();
        List<DivergenceReport.KeyRangeTouched> all = new ArrayList<>(diverged.ranges());
        all.addAll(primaryWrites.ranges());
        for (DivergenceReport.KeyRangeTouched t : all) {
            Span s = byNamespace.get(t.namespace());
            if (s == null) {
                byNamespace.put(t.namespace(), new Span(t.namespace(), t.minKey(), t.maxKey()));
            } else {
                s.widen(t.minKey(), t.maxKey());
            }
        }
        return new ArrayList<>(byNamespace.values());
    }

    private Pulled pull(Span span) {
        RangeProbe probe = primaryValidator.probe(span.namespace, span.min, span.end());
        RangeDigest expected = ValidatorRangeSource.onTheWire(probe.digest());
        if (expected.status() != RangeDigest.Status.OK) {
            throw new StorageException("the primary could not read the range of " + span.namespace + " at sequence "
                    + probe.sequence() + ": " + expected.detail());
        }
        StagedRange staged = new StagedRange(16L << 20, stagingDirectory, followerId);
        try {
            RangeFetch fetch = client.fetchRange(primaryRepairEndpoint, probe.sequence(), expected, staged);
            step(Severity.INFO, "copied " + fetch.count() + " pairs, " + fetch.bytes() + " key and value bytes of "
                    + span.namespace + " at sequence " + probe.sequence() + "; the hash matched the primary's",
                    expected, probe.sequence());
            return new Pulled(span, expected, fetch, staged);
        } catch (RuntimeException e) {
            staged.close();
            throw e;
        }
    }

    /** @return why the pulled images are not all the primary's contents at {@code s}, or null if they are */
    private String stale(DivergenceReport diverged, List<Span> spans, List<Pulled> pulled, long s) {
        for (DivergenceReport.KeyRangeTouched t : primary.writtenRanges(diverged.lastAgreedSequence(), s).ranges()) {
            if (spans.stream().noneMatch(sp -> sp.holds(t))) {
                return "the primary wrote outside the planned ranges (" + t.namespace() + ") before sequence " + s;
            }
        }
        for (Pulled p : pulled) {
            for (DivergenceReport.KeyRangeTouched t : primary.writtenRanges(p.digest.sequence(), s).ranges()) {
                if (p.span.overlaps(t)) {
                    return "the primary wrote into the range of " + t.namespace() + " between its image's sequence "
                            + p.digest.sequence() + " and " + s;
                }
            }
        }
        return null;
    }

    private Report finish(DivergenceReport report, List<Pulled> pulled, long s, Reopener reopener) {
        List<RangeImage> images = new ArrayList<>();
        long pairs = 0;
        long bytes = 0;
        for (Pulled p : pulled) {
            // Recorded before the install, as every pull is: a crash errs toward distrusting the copy.
            followerLineage.append(new LineageRecord(Instant.now(), LineageKind.RANGE_COPY, followerId, primaryId,
                    p.span.namespace, p.span.min, p.span.end(), p.digest.sequence(), p.fetch.count(),
                    p.fetch.bytes(), p.fetch.hash(), repairId));
            images.add(new RangeImage(p.span.namespace, p.span.min, p.span.end(), p.staged.pairs()));
            pairs += p.fetch.count();
            bytes += p.fetch.bytes();
        }
        if (primary.term() != report.primaryTerm()) {
            step(Severity.ERROR, "the primary's term moved from " + report.primaryTerm() + " to " + primary.term()
                    + " during the repair; nothing changed: follow the primary again and repair anew", null, s);
            throw new IllegalStateException("the primary's term moved from " + report.primaryTerm() + " to "
                    + primary.term() + " during the repair of follower " + followerId + "; nothing was changed: "
                    + "follow the primary again to find the divergence anew");
        }
        follower.rebaseDiverged(s, images);
        step(Severity.INFO, "rebased follower " + followerId + " at sequence " + s + " (" + images.size()
                + " range(s)); its replaced oplog is kept in its directory under diverged/", null, s);
        Reopened reopened = reopener.reopen();
        reopened.store().follow(primaryReplicationEndpoint, report.primaryTerm());
        boolean proven = prove(pulled, reopened);
        step(proven ? Severity.INFO : Severity.ERROR, proven ? Verdict.CONSISTENT : Verdict.INCONSISTENT,
                proven ? "proven: every range equal on the primary and " + followerId + ", which follows again"
                        : "proof failed: a range differs, or " + followerId + " did not catch up within " + wait,
                null, s);
        return new Report(repairId, report, s, pulled.size(), pairs, bytes, reopened, proven);
    }

    private boolean prove(List<Pulled> pulled, Reopened reopened) {
        for (Pulled p : pulled) {
            RangeProbe probe = primaryValidator.probe(p.span.namespace, p.span.min, p.span.end());
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                var found = reopened.validator().digestAt(probe.sequence());
                if (found.isPresent()) {
                    RangeDigest mine = ValidatorRangeSource.onTheWire(found.get());
                    RangeDigest theirs = ValidatorRangeSource.onTheWire(probe.digest());
                    boolean equal = mine.status() == RangeDigest.Status.OK && mine.count() == theirs.count()
                            && mine.bytes() == theirs.bytes() && mine.hash().equals(theirs.hash());
                    step(equal ? Severity.INFO : Severity.ERROR, "proof of " + p.span.namespace + " at sequence "
                            + probe.sequence() + ": " + (equal ? "equal" : "DIFFERENT"), theirs, probe.sequence());
                    if (!equal) {
                        return false;
                    }
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                sleep();
            }
        }
        return true;
    }

    private void awaitPrimaryAt(long sequence) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (primary.lastSequence() < sequence) {
            if (System.nanoTime() - deadline > 0) {
                throw new StorageException("the primary is at sequence " + primary.lastSequence() + ", below the "
                        + "follower's last diverged sequence " + sequence + ", after " + wait + "; the follower can "
                        + "be rebased only after the primary has passed it: repair again later");
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted during a diverged-follower repair", e);
        }
    }

    private void step(Severity severity, String what, RangeDigest d, long sequence) {
        step(severity, Verdict.NONE, what, d, sequence);
    }

    private void step(Severity severity, Verdict verdict, String what, RangeDigest d, long sequence) {
        try {
            primaryValidator.health().append(new HealthEntry(Instant.now(), severity, primaryId, HealthKind.REPAIR,
                    verdict, d == null ? "" : d.namespace(), d == null ? null : d.from(),
                    d == null ? null : d.to(), d == null ? 0 : d.count(), d == null ? 0 : d.bytes(),
                    d == null ? null : d.hash(), null, Math.max(0, sequence), "diverged " + repairId + ": " + what));
        } catch (RuntimeException e) {
            System.getLogger(DivergedFollowerRepair.class.getName()).log(System.Logger.Level.WARNING,
                    "could not write a repair health entry: " + e);
        }
    }
}
