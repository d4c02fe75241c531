package io.kintsugi.engine;

import io.kintsugi.oplog.Durability;
import io.kintsugi.oplog.StorageException;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The child JVM of {@link StoreCrashTest}: opens a store with {@link Durability#SYNC}, small memtables and small
 * blocks, and writes from several threads as fast as it can (puts, deletes and multi-namespace write batches) while
 * another thread calls {@link Store#flush()} and {@link Store#compact()} now and then, and reports every
 * acknowledged write on stdout, until the parent kills it with SIGKILL.
 *
 * <p>Usage: {@code StoreCrashWriter <dir> <cycle> <threads> <memtableBudget> <blockSize> <compactionTrigger>
 * <compression> <oplogSegmentSize> <maintenanceMillis> <maxSeconds> <maxWrites> <warmUp> <timingSeed> <large>}.
 * The writer threads' ids are {@link #writerId writerId(cycle, thread, large)}. With {@code warmUp}, the child
 * first creates, fills, flushes, compacts and deletes a scratch store beside {@code dir}, so that class loading is
 * done before {@code OPENING} and a kill soon after it lands inside the real open (creation, or recovery and
 * replay) rather than in class loading. {@code maintenanceMillis} 0 means no explicit flushes or compactions
 * (background ones still happen); {@code timingSeed} only decides when those happen, never what is written.
 *
 * <p>Protocol: one line per event, each written with a single {@code write} to stdout (so a line reaches the
 * parent whole or not at all) and ending in {@code " ."} so that a line cut short is recognisable anyway:
 * <pre>
 * OPENING .                                   about to call Store.open
 * START lastSequence flushedSequence files .  what open found; the writers start after this line
 * A sequence writerId counter .               write (writerId, counter) returned sequence: acknowledged
 * FLUSH . / FLUSHED .                         an explicit store.flush() starts / returned
 * COMPACT . / COMPACTED .                     an explicit store.compact() starts / returned
 * FL fileNumber flushedSequence .             a flush (background or explicit) was recorded in the manifest
 * CO inputFiles outputFile .                  a compaction replaced its inputs
 * DONE .                                      stopped by itself (time or write bound) and closed the store
 * </pre>
 * A line is written only <em>after</em> the call it reports returned, so every {@code A} line is an acknowledged,
 * durable write. What a write does is a pure function of (writer id, counter), see {@link #ops}: the parent
 * recomputes every key and value byte for byte. Each writer thread counts 1, 2, 3... and has at most one write in
 * flight, so at a kill each thread leaves at most one durable but unacknowledged write: the one with the next
 * counter.
 *
 * <p>The child never outlives the test: it halts when its stdin reaches end of file (the parent, which holds the
 * other end of the pipe, died), after {@code maxSeconds}, or after {@code maxWrites} writes. Any failure (an
 * exception from open, a write, a flush or a compaction, a background failure or a corruption event) is printed to
 * stderr and the JVM halts with status {@value #EXIT_FAILED}, which the parent reports as a failure.
 */
public final class StoreCrashWriter {

    /** Exit status when something threw or the store reported a failure. */
    static final int EXIT_FAILED = 2;

    /** The namespaces every cycle writes; namespace {@code FIXED.length + c} is cycle c's own, see {@link #name}. */
    static final String[] FIXED = {"orders", "users", "x.y-z_0", "t"};
    /** Keys per fixed namespace. */
    static final int FIXED_KEYS = 1024;
    /** Keys per cycle namespace. */
    static final int CYCLE_KEYS = 16;
    /** Keys below this index are hot: half of all operations go to them, so keys are overwritten often. */
    static final int HOT_KEYS = 32;
    /** Values at least this long start with the writer id, counter and operation index (little-endian). */
    static final int TAG_LENGTH = 18;

    /** Bit of a writer id that selects large batches. */
    private static final long LARGE = 0x80;

    private static final Object OUT_LOCK = new Object();
    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private StoreCrashWriter() {
    }

    /** One operation of a write: a put of {@code value}, or a delete when {@code value} is null. */
    record Op(int namespace, int key, byte[] value) {
    }

    /**
     * @param args see the class documentation
     */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int cycle = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        long memtableBudget = Long.parseLong(args[3]);
        int blockSize = Integer.parseInt(args[4]);
        int compactionTrigger = Integer.parseInt(args[5]);
        boolean compression = Boolean.parseBoolean(args[6]);
        long oplogSegmentSize = Long.parseLong(args[7]);
        long maintenanceMillis = Long.parseLong(args[8]);
        long maxSeconds = Long.parseLong(args[9]);
        long maxWrites = Long.parseLong(args[10]);
        boolean warmUp = Boolean.parseBoolean(args[11]);
        long timingSeed = Long.parseLong(args[12]);
        boolean large = Boolean.parseBoolean(args[13]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);

        watchParent();
        StoreOptions options = options(memtableBudget, blockSize, compactionTrigger, compression, oplogSegmentSize,
                new StoreListener() {
                    @Override
                    public void onFlush(long fileNumber, long flushedSequence) {
                        line("FL " + fileNumber + " " + flushedSequence);
                    }

                    @Override
                    public void onCompaction(List<Long> inputFiles, long outputFile) {
                        line("CO " + inputFiles.size() + " " + outputFile);
                    }

                    @Override
                    public void onBackgroundFailure(String operation, StorageException error) {
                        die("background " + operation + " failed", error);
                    }

                    @Override
                    public void onCorruption(CorruptionEvent event) {
                        die("corruption event: " + event, new AssertionError("corruption event"));
                    }
                });
        Store store;
        try {
            if (warmUp) {
                warmUp(dir.resolveSibling(dir.getFileName() + ".warmup-" + ProcessHandle.current().pid()),
                        options(memtableBudget, blockSize, compactionTrigger, compression, oplogSegmentSize, null));
            }
            line("OPENING");
            store = Store.open(dir, options);
            StoreStats s = store.stats();
            line("START " + store.lastSequence() + " " + s.flushedSequence() + " " + s.segmentFiles());
        } catch (Throwable t) {
            die("open failed", t);
            return;
        }

        AtomicLong written = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            long writer = writerId(cycle, i, large);
            workers[i] = new Thread(() -> {
                try {
                    for (long counter = 1; !stop.get(); counter++) {
                        if (written.incrementAndGet() > maxWrites || System.nanoTime() - deadline > 0) {
                            stop.set(true);
                            break;
                        }
                        long seq = write(store, writer, counter);
                        line("A " + seq + " " + writer + " " + counter);
                    }
                } catch (Throwable t) {
                    die("write failed in writer " + writer, t);
                }
            }, "crash-writer-" + i);
            workers[i].start();
        }
        Thread maintenance = null;
        if (maintenanceMillis > 0) {
            maintenance = new Thread(() -> {
                Random rnd = new Random(timingSeed);
                try {
                    while (!stop.get()) {
                        Thread.sleep(1 + (long) (rnd.nextDouble() * maintenanceMillis));
                        if (stop.get()) {
                            break;
                        }
                        if (rnd.nextInt(3) == 0) {
                            line("COMPACT");
                            store.compact();
                            line("COMPACTED");
                        } else {
                            line("FLUSH");
                            store.flush();
                            line("FLUSHED");
                        }
                    }
                } catch (Throwable t) {
                    die("explicit flush or compaction failed", t);
                }
            }, "crash-maintenance");
            maintenance.start();
        }
        try {
            for (Thread w : workers) {
                w.join();
            }
            if (maintenance != null) {
                maintenance.join();
            }
            store.close();
        } catch (Throwable t) {
            die("close failed", t);
        }
        line("DONE");
        System.exit(0);
    }

    /** The options of the child (and of the parent's checks), with small memtables and blocks. */
    static StoreOptions options(long memtableBudget, int blockSize, int compactionTrigger, boolean compression,
                                long oplogSegmentSize, StoreListener listener) {
        StoreOptions.Builder b = StoreOptions.builder()
                .durability(Durability.SYNC)
                .memtableBudget(memtableBudget)
                .blockSize(blockSize)
                .compression(compression)
                .compactionTrigger(compactionTrigger)
                .compactionMaxFiles(Math.max(compactionTrigger, 6))
                .blockCacheSize(1 << 20)
                .oplogSegmentSize(oplogSegmentSize);
        if (listener != null) {
            b.listener(listener);
        }
        return b.build();
    }

    /**
     * Performs write (writer, counter): a single put or delete through {@link Namespace}, or a {@link WriteBatch}.
     *
     * @return its sequence
     */
    static long write(Store store, long writer, long counter) {
        List<Op> ops = ops(writer, counter);
        if (ops.size() == 1 && !asBatch(writer, counter)) {
            Op op = ops.get(0);
            Namespace ns = store.namespace(name(op.namespace()));
            byte[] key = key(op.namespace(), op.key());
            return op.value() == null ? ns.delete(key) : ns.put(key, op.value());
        }
        WriteBatch b = store.newBatch();
        for (Op op : ops) {
            Namespace ns = store.namespace(name(op.namespace()));
            byte[] key = key(op.namespace(), op.key());
            if (op.value() == null) {
                b.delete(ns, key);
            } else {
                b.put(ns, key, op.value());
            }
        }
        return store.write(b);
    }

    /** Creates, fills, flushes, compacts, reopens and deletes a scratch store, so that the real open runs warm. */
    private static void warmUp(Path scratch, StoreOptions options) throws IOException {
        for (int round = 0; round < 2; round++) {
            try (Store s = Store.open(scratch, options)) {
                for (long c = 1; c <= 200; c++) {
                    write(s, 0, c);
                }
                s.flush();
                for (int n = 0; n < FIXED.length; n++) {
                    try (Cursor cur = s.namespace(name(n)).scan(null, null)) {
                        while (cur.next()) {
                            cur.value();
                        }
                    }
                }
                s.compact();
            }
        }
        try (Stream<Path> files = Files.walk(scratch)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }

    /** Halts the JVM as soon as stdin reaches end of file, which happens when the parent process dies. */
    private static void watchParent() {
        Thread t = new Thread(() -> {
            try {
                byte[] buf = new byte[64];
                while (System.in.read(buf) >= 0) {
                    // the parent never writes; keep waiting for EOF
                }
            } catch (IOException e) {
                // treat like EOF
            }
            Runtime.getRuntime().halt(3);
        }, "crash-writer-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    private static void die(String what, Throwable t) {
        synchronized (OUT_LOCK) {
            System.err.println("StoreCrashWriter: " + what);
            t.printStackTrace(System.err);
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_FAILED);
        }
    }

    /** Writes one protocol line with a single write call. */
    private static void line(String s) {
        byte[] bytes = (s + " .\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (OUT_LOCK) {
            try {
                OUT.write(bytes);
            } catch (IOException e) {
                // The parent is gone; the watchdog halts us.
                Runtime.getRuntime().halt(3);
            }
        }
    }

    // ---- The workload: pure functions of (writer id, counter), shared with the parent. ----

    /**
     * @param cycle  the crash cycle, 0-based
     * @param thread the writer thread of that cycle's child, 0-based, below 128
     * @param large  whether the writer makes some of its writes large batches (see {@link #ops})
     * @return a writer id unique across all cycles of a run, never 0 (0 is the warm-up's writer)
     */
    static long writerId(int cycle, int thread, boolean large) {
        return ((long) (cycle + 1) << 8) | (large ? LARGE : 0) | thread;
    }

    /** @return the thread of a writer id */
    static int threadOf(long writerId) {
        return (int) (writerId & 0x7F);
    }

    /** @return whether a writer id is a large writer's */
    static boolean isLarge(long writerId) {
        return (writerId & LARGE) != 0;
    }

    /** @return the cycle of a writer id */
    static int cycleOf(long writerId) {
        return (int) (writerId >>> 8) - 1;
    }

    /** @return the name of namespace {@code n}: a fixed one, or {@code "cycle-<c>"} for cycle c's own */
    static String name(int n) {
        return n < FIXED.length ? FIXED[n] : "cycle-" + (n - FIXED.length);
    }

    /** @return the number of keys namespace {@code n} draws from */
    static int keysIn(int n) {
        return n < FIXED.length ? FIXED_KEYS : CYCLE_KEYS;
    }

    /**
     * Key {@code index} of namespace {@code n}: a first byte that scatters the keys (half of them at or above 0x80,
     * so that unsigned order matters), the index (2 bytes, big-endian), and 0..23 filler bytes. Key 0 of namespace
     * 3 is the empty key.
     */
    static byte[] key(int n, int index) {
        if (n == 3 && index == 0) {
            return new byte[0];
        }
        long h = mix(((long) n << 32) ^ index ^ 0x5851F42D4C957F2DL);
        int filler = (int) Long.remainderUnsigned(h, 24);
        byte[] k = new byte[3 + filler];
        k[0] = (byte) (h >>> 40);
        k[1] = (byte) (index >>> 8);
        k[2] = (byte) index;
        for (int i = 3; i < k.length; i++) {
            h = mix(h + i);
            k[i] = (byte) h;
        }
        return k;
    }

    /**
     * @return the index of {@code key} in namespace {@code n}, or -1 if no write of this workload ever uses it
     */
    static int indexOf(int n, byte[] key) {
        int index;
        if (key.length == 0) {
            index = 0;
        } else if (key.length < 3) {
            return -1;
        } else {
            index = ((key[1] & 0xFF) << 8) | (key[2] & 0xFF);
        }
        return index < keysIn(n) && Arrays.equals(key, key(n, index)) ? index : -1;
    }

    /** Whether a write of one operation goes through {@link Store#write} rather than {@link Namespace}. */
    static boolean asBatch(long writer, long counter) {
        return Long.remainderUnsigned(mix(seedOf(writer, counter) ^ 0x3C6EF372FE94F82BL), 10) == 0;
    }

    /**
     * The operations of write (writer, counter), in order: 45% one put, 15% one delete, 40% a batch of 2..8
     * operations (one in twenty of them 20..60) over several namespaces, three quarters puts, with now and then the
     * same key twice (the later operation wins). Keys: half from the {@value #HOT_KEYS} hot keys, half from the
     * whole namespace; 2% of operations go to the writer's cycle's own namespace. A {@linkplain #writerId large}
     * writer instead makes half of its writes batches of 4..16 puts of 16..128 KiB values (up to 2 MiB in one
     * oplog record), so that a group commit writes megabytes and a kill can tear it; they go to hot keys only, so
     * that the store does not grow by hundreds of megabytes over a long run.
     */
    static List<Op> ops(long writer, long counter) {
        long h = seedOf(writer, counter);
        int kind = (int) Long.remainderUnsigned(h, 100);
        boolean large = isLarge(writer) && kind >= 50;
        int cycleNamespace = FIXED.length + Math.max(0, cycleOf(writer));
        long x = mix(h ^ 0x2545F4914F6CDD1DL);
        int n;
        if (large) {
            x = mix(x);
            n = 4 + (int) Long.remainderUnsigned(x >>> 8, 13);
        } else if (kind < 60) {
            n = 1;
        } else {
            x = mix(x);
            n = Long.remainderUnsigned(x, 20) == 0 ? 20 + (int) Long.remainderUnsigned(x >>> 8, 41)
                    : 2 + (int) Long.remainderUnsigned(x >>> 8, 7);
        }
        Op[] ops = new Op[n];
        for (int i = 0; i < n; i++) {
            x = mix(x + i);
            int ns = Long.remainderUnsigned(x, 50) == 0 ? cycleNamespace
                    : (int) Long.remainderUnsigned(x >>> 8, FIXED.length);
            int key;
            if (i > 0 && Long.remainderUnsigned(x >>> 16, 12) == 0) {
                key = ops[i - 1].key(); // the same key again, in the previous operation's namespace
                ns = ops[i - 1].namespace();
            } else if (large || ((x >>> 24) & 1) == 0) {
                key = (int) Long.remainderUnsigned(x >>> 25, Math.min(HOT_KEYS, keysIn(ns)));
            } else {
                key = (int) Long.remainderUnsigned(x >>> 25, keysIn(ns));
            }
            boolean delete = !large && (n == 1 ? kind >= 45 : Long.remainderUnsigned(x >>> 40, 4) == 0);
            ops[i] = new Op(ns, key, delete ? null : value(writer, counter, i, large));
        }
        return List.of(ops);
    }

    /**
     * What write (writer, counter) leaves behind: per key id ({@link #keyId}), its value's fingerprint, or null
     * for a delete; the last operation on a key wins.
     */
    static Map<Long, Fingerprint> effects(long writer, long counter) {
        Map<Long, Fingerprint> m = new LinkedHashMap<>();
        for (Op op : ops(writer, counter)) {
            m.put(keyId(op.namespace(), op.key()), Fingerprint.of(op.value()));
        }
        return m;
    }

    /** @return a key's id: namespace in the high half, index in the low half */
    static long keyId(int namespace, int index) {
        return ((long) namespace << 32) | index;
    }

    /**
     * The value of operation {@code op} of write (writer, counter): 3% empty, 70% 1..200 bytes, 22% up to 3 KiB,
     * 4.5% up to 12 KiB, 0.5% 20..70 KiB (several blocks); the values of a large batch are 16..128 KiB. Values of
     * at least {@value #TAG_LENGTH} bytes start with the writer id, counter and operation index; the rest is
     * pseudo-random.
     */
    static byte[] value(long writer, long counter, int op, boolean large) {
        long h = mix(seedOf(writer, counter) + 0x632BE59BD9B4E019L * (op + 1));
        int bucket = (int) Long.remainderUnsigned(h, 1000);
        long x = mix(h ^ 0x9E3779B97F4A7C15L) >>> 1;
        int length;
        if (large) {
            length = (16 << 10) + (int) (x % (112 << 10));
        } else if (bucket < 30) {
            length = 0;
        } else if (bucket < 730) {
            length = 1 + (int) (x % 200);
        } else if (bucket < 950) {
            length = 201 + (int) (x % 2900);
        } else if (bucket < 995) {
            length = 3101 + (int) (x % 9000);
        } else {
            length = 20_000 + (int) (x % 50_000);
        }
        byte[] out = new byte[length];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        long r = x | 1;
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            r ^= r << 13;
            r ^= r >>> 7;
            r ^= r << 17;
            b.putLong(i, r);
        }
        for (; i < length; i++) {
            r ^= r << 13;
            r ^= r >>> 7;
            r ^= r << 17;
            out[i] = (byte) r;
        }
        if (length >= TAG_LENGTH) {
            b.putLong(0, writer);
            b.putLong(8, counter);
            b.putShort(16, (short) op);
        }
        return out;
    }

    /**
     * A value reduced to what the parent keeps of it: its length and a 64-bit hash of its bytes (so that the oracle
     * does not hold megabytes of values; two different values of the same length collide with odds of 2^-64), and
     * its tag for messages.
     *
     * @param length the value's length
     * @param hash   a hash of its bytes
     * @param tag    writer, counter and operation from its first bytes, or null for a value too short to hold them
     */
    record Fingerprint(int length, long hash, String tag) {
        /** @return the fingerprint of {@code value}, or null for null (absent) */
        static Fingerprint of(byte[] value) {
            if (value == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            long h = 0x9E3779B97F4A7C15L ^ value.length;
            int i = 0;
            for (; i + 8 <= value.length; i += 8) {
                h = mix(h ^ b.getLong(i)) * 0xFF51AFD7ED558CCDL;
            }
            for (; i < value.length; i++) {
                h = mix(h ^ (value[i] & 0xFF) ^ ((long) i << 8));
            }
            String tag = value.length >= TAG_LENGTH ? "writer " + b.getLong(0) + " counter " + b.getLong(8) + " op "
                    + b.getShort(16) : null;
            return new Fingerprint(value.length, mix(h), tag);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fingerprint f && f.length == length && f.hash == hash;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(hash);
        }

        @Override
        public String toString() {
            return "a " + length + "-byte value" + (tag == null ? "" : " tagged " + tag);
        }
    }

    /** @return a fingerprint for messages: "absent" for null */
    static String describe(Fingerprint f) {
        return f == null ? "absent" : f.toString();
    }

    private static long seedOf(long writerId, long counter) {
        return mix(writerId * 0x9E3779B97F4A7C15L + mix(counter));
    }

    /** SplitMix64's finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
