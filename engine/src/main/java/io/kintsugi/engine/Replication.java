package io.kintsugi.engine;

import io.kintsugi.engine.replication.FollowerState;
import io.kintsugi.engine.replication.NotPrimaryException;
import io.kintsugi.engine.replication.ReplicationConnection;
import io.kintsugi.engine.replication.ReplicationOptions;
import io.kintsugi.engine.replication.ReplicationStatus;
import io.kintsugi.engine.replication.Role;
import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.engine.replication.WriteConcern;
import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.StaleTermException;
import io.kintsugi.oplog.StorageException;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A store's role and term, and the sessions that replicate its oplog: the one place that decides whether a client
 * write may proceed.
 *
 * <p>Role changes take the write side of {@link #roleLock}; a client write holds the read side from the role check
 * until its record is durable. So when {@link #follow}, {@link #stepDown} or a fence returns, no write of the old
 * role is still in flight, and the oplog's term has been raised, so a late one could not be appended anyway.
 */
final class Replication implements AutoCloseable {

    private static final Logger LOG = System.getLogger(Replication.class.getName());

    final UUID storeId;
    final Oplog oplog;
    final WriteApplier applier;
    final NamespaceTable namespaces;
    final TermHistoryFile terms;
    final Maintenance maintenance;
    final ReplicationOptions options;
    final Authenticator auth;
    final AckTracker acks = new AckTracker();
    /** Frames this store received that failed a checksum, in either role, since it opened. */
    final java.util.concurrent.atomic.AtomicLong badFrames = new java.util.concurrent.atomic.AtomicLong();
    /** Other frames this store refused (malformed, out of turn or order, failed authentication). */
    final java.util.concurrent.atomic.AtomicLong protocolErrors = new java.util.concurrent.atomic.AtomicLong();

    private final ReentrantReadWriteLock roleLock = new ReentrantReadWriteLock();
    private final Set<ShippingSession> shipping = ConcurrentHashMap.newKeySet();
    private volatile Role role;
    private volatile long primaryTerm;
    /** Why this store is not primary, for {@link NotPrimaryException} messages. */
    private volatile String notPrimaryReason;
    private volatile FollowingSession following;
    private volatile boolean closed;

    Replication(UUID storeId, Oplog oplog, WriteApplier applier, NamespaceTable namespaces, TermHistoryFile terms,
                Maintenance maintenance, ReplicationOptions options) {
        this.storeId = storeId;
        this.oplog = oplog;
        this.applier = applier;
        this.namespaces = namespaces;
        this.terms = terms;
        this.maintenance = maintenance;
        this.options = options;
        this.auth = new Authenticator(options == null ? null : options.secret());
        if (options == null) {
            // A store without replication is its own primary, at whatever term its log has reached.
            role = Role.PRIMARY;
            primaryTerm = oplog.currentTerm();
        } else {
            role = Role.FOLLOWER;
            notPrimaryReason = "it was opened for replication and no coordinator has promoted it yet";
            maintenance.retentionFloor(() -> acks.retentionFloor(options.retainForDisconnectedFollower()));
        }
    }

    /** Starts listening for followers. */
    void start() {
        if (options == null) {
            return;
        }
        try {
            options.transport().listen(this::accept);
        } catch (IOException e) {
            throw new StorageException("could not listen for replication on " + options.transport() + ": " + e, e);
        }
    }

    private void accept(ReplicationConnection connection) {
        if (closed) {
            connection.close();
            return;
        }
        ShippingSession s = new ShippingSession(this, connection);
        shipping.add(s);
        s.start();
    }

    /** Counts a refused frame. */
    void countRefused(io.kintsugi.engine.replication.ReplicationProtocolException e) {
        if (e.problem() == io.kintsugi.engine.replication.ReplicationProtocolException.Problem.CHECKSUM_MISMATCH) {
            badFrames.incrementAndGet();
        } else {
            protocolErrors.incrementAndGet();
        }
    }

    void sessionEnded(ShippingSession s) {
        shipping.remove(s);
    }

    // ---------------------------------------------------------------- the write path

    /**
     * Checks that this store may take a client write and holds the role until {@link #endWrite()}.
     *
     * @return the term to write in
     * @throws NotPrimaryException if this store is not the primary
     */
    long beginWrite() {
        roleLock.readLock().lock();
        if (role != Role.PRIMARY) {
            roleLock.readLock().unlock();
            throw notPrimary();
        }
        return primaryTerm;
    }

    void endWrite() {
        roleLock.readLock().unlock();
    }

    /** Turns an oplog's refusal of a stale term into the exception a client of a fenced primary gets. */
    NotPrimaryException fenced(StaleTermException e) {
        NotPrimaryException n = new NotPrimaryException("this store was primary at term " + e.rejectedTerm()
                + " but has since seen term " + e.currentTerm() + "; the write was not made", e.currentTerm(),
                primaryEndpoint());
        n.initCause(e);
        return n;
    }

    NotPrimaryException notPrimary() {
        String endpoint = primaryEndpoint();
        return new NotPrimaryException("this store is not the primary: " + notPrimaryReason + " (highest term seen "
                + oplog.currentTerm() + (endpoint == null ? "" : ", follows the primary at " + endpoint) + ")",
                oplog.currentTerm(), endpoint);
    }

    private String primaryEndpoint() {
        FollowingSession f = following;
        return f == null ? null : f.endpoint();
    }

    /**
     * Waits until the write at {@code sequence} satisfies {@code concern}.
     *
     * @throws io.kintsugi.engine.replication.WriteConcernException if too few followers acknowledge in time
     * @throws NotPrimaryException if this store stops being primary meanwhile
     */
    void awaitConcern(long sequence, WriteConcern concern) {
        if (concern.followers() == 0) {
            return;
        }
        try {
            acks.await(sequence, concern.followers(), concern.timeout(), () -> {
                NotPrimaryException e = notPrimary();
                return new NotPrimaryException("write " + sequence + " is durable on this store, but the store "
                        + "stopped being primary before enough followers acknowledged it, so it may be rolled back: "
                        + e.getMessage(), e.term(), e.primaryEndpoint().orElse(null));
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for followers to acknowledge write " + sequence);
        }
    }

    /**
     * @throws IllegalArgumentException if {@code concern} asks for followers and this store has no replication
     */
    void checkConcern(WriteConcern concern) {
        java.util.Objects.requireNonNull(concern, "concern");
        if (concern.followers() > 0 && options == null) {
            throw new IllegalArgumentException("a write concern of " + concern.followers() + " follower(s) needs a "
                    + "store opened with replication options; this one has none");
        }
    }

    WriteConcern defaultConcern() {
        return options == null ? WriteConcern.LOCAL : options.writeConcern();
    }

    // ---------------------------------------------------------------- role changes

    /**
     * Makes this store the primary of {@code term}.
     *
     * @throws StaleTermException if {@code term} is not above every term this store has seen (unless it is already
     *                            primary of exactly that term)
     */
    void promote(long term) {
        if (term < 1) {
            throw new IllegalArgumentException("a primary's term must be at least 1, was " + term);
        }
        roleLock.writeLock().lock();
        try {
            ensureOpen();
            if (role == Role.PRIMARY && primaryTerm == term) {
                return;
            }
            long seen = oplog.currentTerm();
            if (term <= seen) {
                throw new StaleTermException(seen, term);
            }
            stopFollowing();
            terms.record(new TermHistory.Entry(term, oplog.lastSequence() + 1, storeId));
            oplog.advanceTerm(term);
            primaryTerm = term;
            role = Role.PRIMARY;
            notPrimaryReason = null;
            LOG.log(Level.INFO, () -> "store " + storeId + " is primary of term " + term + " from sequence "
                    + (oplog.lastSequence() + 1));
        } finally {
            roleLock.writeLock().unlock();
        }
    }

    /** Makes this store a follower of the primary at {@code endpoint}, accepting no primary below {@code term}. */
    void follow(String endpoint, long term) {
        if (options == null) {
            throw new IllegalStateException("this store was opened without replication options, so it cannot follow");
        }
        if (term < 0) {
            throw new IllegalArgumentException("term must not be negative, was " + term);
        }
        roleLock.writeLock().lock();
        try {
            ensureOpen();
            long seen = oplog.currentTerm();
            if (term < seen) {
                throw new StaleTermException(seen, term);
            }
            demoteLocked("it follows the primary at " + endpoint);
            oplog.advanceTerm(term);
            stopFollowing();
            FollowingSession f = new FollowingSession(this, endpoint);
            following = f;
            f.start();
        } finally {
            roleLock.writeLock().unlock();
        }
    }

    /** Stops taking writes (and stops following), without a primary to follow. */
    void stepDown() {
        roleLock.writeLock().lock();
        try {
            ensureOpen();
            demoteLocked("it stepped down");
            stopFollowing();
        } finally {
            roleLock.writeLock().unlock();
        }
    }

    /**
     * A peer told this store of a higher term: stop taking writes at once and remember the term durably.
     * Called from replication threads.
     */
    void fence(long higherTerm, String source) {
        if (higherTerm <= oplog.currentTerm() && role != Role.PRIMARY) {
            return;
        }
        roleLock.writeLock().lock();
        try {
            if (closed || higherTerm <= primaryTerm && role == Role.PRIMARY) {
                return;
            }
            try {
                if (higherTerm > oplog.currentTerm()) {
                    oplog.advanceTerm(higherTerm); // durable before anyone can see the demotion
                }
            } finally {
                if (role == Role.PRIMARY) {
                    long old = primaryTerm;
                    demoteLocked("it was primary at term " + old + " but " + source + " has seen term " + higherTerm);
                    LOG.log(Level.WARNING, () -> "store " + storeId + " stops accepting writes: it was primary at "
                            + "term " + old + " but " + source + " has seen term " + higherTerm);
                }
            }
        } finally {
            roleLock.writeLock().unlock();
        }
    }

    private void demoteLocked(String reason) {
        role = Role.FOLLOWER;
        notPrimaryReason = reason;
        acks.demoted();
        for (ShippingSession s : shipping) {
            s.stop();
        }
    }

    private void stopFollowing() {
        FollowingSession f = following;
        following = null;
        if (f != null) {
            f.stopAndJoin();
        }
    }

    /** @return the divergence the follower session stopped at, or null if it is not stopped at one */
    FollowingSession.Diverged diverged() {
        FollowingSession f = following;
        return f == null ? null : f.diverged();
    }

    boolean isPrimaryAt(long term) {
        return role == Role.PRIMARY && primaryTerm == term && !closed;
    }

    Role role() {
        return role;
    }

    long primaryTerm() {
        return primaryTerm;
    }

    boolean closed() {
        return closed;
    }

    // ---------------------------------------------------------------- status

    ReplicationStatus status() {
        long last = applier.visibleSequence();
        FollowingSession f = following;
        String endpoint = options == null ? null : options.transport().endpoint();
        if (f == null) {
            return new ReplicationStatus(role, oplog.currentTerm(), last, endpoint, FollowerState.IDLE, null, -1, 0,
                    0, 0, badFrames.get(), protocolErrors.get(), null, Optional.empty(),
                    role == Role.PRIMARY ? acks.status(last, applier::visibleAtNanos) : List.of());
        }
        return f.status(role, oplog.currentTerm(), last, endpoint);
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("store is closed");
        }
    }

    /** Stops every session and the listener. */
    @Override
    public void close() {
        roleLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            acks.demoted();
        } finally {
            roleLock.writeLock().unlock();
        }
        stopFollowing();
        if (options != null) {
            options.transport().close();
        }
        for (ShippingSession s : shipping) {
            s.stop();
        }
        for (ShippingSession s : shipping) {
            s.join();
        }
    }
}
