package io.kintsugi.repair;

import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.Store;
import io.kintsugi.oplog.CorruptionException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The load of a repair trial: one writer putting and deleting keys {@code 0 .. keys-1} of namespace
 * {@value #NAMESPACE} through the primary, an oracle of every acknowledged write, and one reader reading random keys
 * from random replicas and checking each answer.
 *
 * <p>Every value names its key and the number of the write that made it, and its other bytes follow from both, so
 * a reader can tell a value that was written from one that was not. A read from the primary must return the
 * acknowledged write it started after or a later one; a read from a follower, which may lag, any value written for
 * that key (or absent, if the key was ever deleted). A read may also throw {@link CorruptionException}, but only on
 * a replica that was damaged. Anything else is a wrong answer, recorded with the replica and the key's number.
 *
 * <p>Half the reads fall near the faulted keys (given as the spared ones), where a wrong answer would be.
 * A replica is read only under its gate's read lock: a trial takes the write lock to close and reopen it.
 */
final class TrialWorkload implements AutoCloseable {

    static final String NAMESPACE = "orders";
    static final int VALUE_LENGTH = 100;
    private static final int HEADER = 4 + 8;

    /** One acknowledged write: its number and its value, null for a delete. */
    record Write(long number, byte[] value) {
    }

    private final RepairReplicas set;
    private final int keys;
    private final long seed;
    private final Set<Integer> spared;
    final ReadWriteLock[] gates;
    /** Key number to its last acknowledged write. */
    final Map<Integer, Write> oracle = new ConcurrentHashMap<>();
    private final Set<Integer> everDeleted = ConcurrentHashMap.newKeySet();
    private final AtomicLong writeNumber = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    final List<String> wrongAnswers = new CopyOnWriteArrayList<>();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    private final Set<Integer> damagedReplicas = ConcurrentHashMap.newKeySet();
    private volatile int skippedKey = -1;
    private Thread writer;
    private Thread reader;

    /**
     * @param spared keys the writer never touches, so that a fault on them stays until it is found
     */
    TrialWorkload(RepairReplicas set, int keys, long seed, Set<Integer> spared) {
        this.set = set;
        this.keys = keys;
        this.seed = seed;
        this.spared = Set.copyOf(spared);
        gates = new ReadWriteLock[set.stores.length];
        for (int i = 0; i < gates.length; i++) {
            gates[i] = new ReentrantReadWriteLock();
        }
    }

    static byte[] key(int k) {
        return String.format("key-%06d", k).getBytes(StandardCharsets.US_ASCII);
    }

    /** @return the value write {@code number} puts under key {@code k} */
    static byte[] value(int k, long number) {
        byte[] v = new byte[VALUE_LENGTH];
        ByteBuffer.wrap(v).putInt(k).putLong(number);
        byte[] rest = new byte[VALUE_LENGTH - HEADER];
        new SplittableRandom(number * 0x9E3779B97F4A7C15L + k).nextBytes(rest);
        System.arraycopy(rest, 0, v, HEADER, rest.length);
        return v;
    }

    /** @return the number of the write that made {@code v} under key {@code k}, or -1 if no write made it */
    static long writeNumberOf(int k, byte[] v) {
        if (v.length != VALUE_LENGTH) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        if (b.getInt() != k) {
            return -1;
        }
        long n = b.getLong();
        return n >= 0 && Arrays.equals(v, value(k, n)) ? n : -1;
    }

    /** Writes every key once, in batches through the primary, and records them in the oracle. */
    void load() throws InterruptedException {
        Namespace ns = set.stores[0].namespace(NAMESPACE);
        for (int k = 0; k < keys; k++) {
            long n = writeNumber.getAndIncrement();
            byte[] v = value(k, n);
            ns.put(key(k), v);
            oracle.put(k, new Write(n, v));
        }
        set.awaitReplicated();
    }

    /** Replica {@code i} holds damage from now on: a {@link CorruptionException} there is an expected answer. */
    void expectDamageOn(int replica) {
        damagedReplicas.add(replica);
    }

    /** The reader no longer checks key {@code k}: a logical corruption of it reads back wrong until repaired. */
    void skipKey(int k) {
        skippedKey = k;
    }

    /** Starts the writer and the reader. */
    void start() {
        writer = new Thread(this::write, "trial-writer");
        reader = new Thread(this::read, "trial-reader");
        writer.start();
        reader.start();
    }

    private void write() {
        Random r = new Random(seed ^ 0x3217E);
        try {
            while (!stop.get()) {
                int k = r.nextInt(keys);
                if (spared.contains(k)) {
                    continue;
                }
                boolean delete = r.nextInt(20) == 0;
                gates[0].readLock().lock();
                try {
                    Namespace ns = set.stores[0].namespace(NAMESPACE);
                    long n = writeNumber.getAndIncrement();
                    if (delete) {
                        everDeleted.add(k);
                        ns.delete(key(k));
                        oracle.put(k, new Write(n, null));
                    } else {
                        byte[] v = value(k, n);
                        ns.put(key(k), v);
                        oracle.put(k, new Write(n, v));
                    }
                    writes.incrementAndGet();
                } finally {
                    gates[0].readLock().unlock();
                }
                if (writes.get() % 4 == 0) {
                    Thread.sleep(1);
                }
            }
        } catch (Throwable e) {
            wrongAnswers.add("the writer failed: " + e);
        }
    }

    private void read() {
        Random r = new Random(seed ^ 0x4EAD);
        try {
            List<Integer> faulted = List.copyOf(spared);
            while (!stop.get()) {
                int i = r.nextInt(gates.length);
                // Half the reads near the faults (a quarter on the faulted keys themselves), half anywhere.
                int k = switch (r.nextInt(4)) {
                    case 0 -> faulted.get(r.nextInt(faulted.size()));
                    case 1 -> Math.floorMod(faulted.get(r.nextInt(faulted.size())) + r.nextInt(129) - 64, keys);
                    default -> r.nextInt(keys);
                };
                if (k == skippedKey) {
                    continue;
                }
                gates[i].readLock().lock();
                try {
                    check(i, k);
                } finally {
                    gates[i].readLock().unlock();
                }
                Thread.sleep(1);
            }
        } catch (Throwable e) {
            wrongAnswers.add("the reader failed: " + e);
        }
    }

    private void check(int replica, int k) {
        Write before = oracle.get(k);
        byte[] got;
        try {
            got = set.stores[replica].namespace(NAMESPACE).get(key(k));
        } catch (CorruptionException e) {
            if (!damagedReplicas.contains(replica)) {
                wrongAnswers.add("replica " + replica + " reported corruption reading key " + k + " but was not "
                        + "damaged: " + e.getMessage());
            }
            return;
        }
        reads.incrementAndGet();
        if (got == null) {
            if (!everDeleted.contains(k)) {
                wrongAnswers.add("replica " + replica + " reads key " + k + " as absent; it was never deleted");
            }
            return;
        }
        long n = writeNumberOf(k, got);
        if (n < 0) {
            wrongAnswers.add("replica " + replica + " reads key " + k + " as a value no write made");
        } else if (replica == 0 && n < before.number()) {
            wrongAnswers.add("the primary reads key " + k + " as write " + n + ", older than acknowledged write "
                    + before.number());
        }
    }

    /** Stops the writer and the reader and waits for them. */
    void stop() throws InterruptedException {
        stop.set(true);
        if (writer != null) {
            writer.join();
        }
        if (reader != null) {
            reader.join();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
