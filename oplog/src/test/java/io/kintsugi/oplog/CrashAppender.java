package io.kintsugi.oplog;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child JVM of {@link OplogCrashTest}: opens an oplog with {@link Durability#SYNC}, appends from several
 * threads as fast as it can, and reports every acknowledged append on stdout, until the parent kills it with
 * SIGKILL.
 *
 * <p>Usage: {@code CrashAppender <dir> <cycle> <term> <segmentSize> <threads> <advanceTerm> <maxSeconds>
 * <maxAppends> <warmUp> <large>}. The writer threads' ids are {@link #writerId writerId(cycle, thread, large)}
 * and every record has the given term. With {@code large}, payloads are mostly 8..128 KiB (see
 * {@link #lengthOf}). With {@code warmUp}, the child first creates, fills and deletes a scratch log beside
 * {@code dir}, so that class loading is done before {@code OPENING} and a kill soon after it lands inside the real
 * open (creation or recovery) rather than in class loading.
 *
 * <p>Protocol: one line per event, each written with a single {@code write} to stdout (so a line reaches the
 * parent whole or not at all) and ending in {@code " ."} so that a line cut short is recognisable anyway:
 * <pre>
 * OPENING .                                       about to call Oplog.open
 * START last term tornOffset tornBytes tornFile tmpRemoved created logId .
 *                                                 what open found: where appending resumes, and what recovery did
 * TERM term .                                     advanceTerm(term) returned
 * A sequence writerId counter .                   append(term, typeOf(w, c), payload(w, c)) returned sequence
 * DONE .                                          stopped by itself (time or append bound) and closed the log
 * </pre>
 * A line is written only <em>after</em> the append it reports returned, so every {@code A} line is an
 * acknowledged, durable record. Payloads (and record types) are a pure function of (writer id, counter), see
 * {@link #payload}, so the parent can recompute them byte for byte. Each writer thread has its own writer id
 * ({@link #writerId}) and counts 1, 2, 3...; a thread has at most one append in flight, so at a kill each thread
 * leaves at most one durable but unacknowledged record: the one with the next counter.
 *
 * <p>The child never outlives the test: it halts when its stdin reaches end of file (the parent, which holds the
 * other end of the pipe, died), after {@code maxSeconds}, or after {@code maxAppends} appends. Any failure
 * (an exception from open or append) is printed to stderr and the JVM halts with a non-zero status, which the
 * parent reports as a failure.
 */
public final class CrashAppender {

    /** Exit status when open or an append threw. */
    static final int EXIT_FAILED = 2;

    /** Payloads at least this long start with the writer id and counter (little-endian), for diagnostics. */
    static final int TAG_LENGTH = 16;

    /** Bit of a writer id that selects large payloads. */
    private static final long LARGE = 0x80;

    private static final Object OUT_LOCK = new Object();
    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private CrashAppender() {
    }

    /**
     * @param args see the class documentation
     */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int cycle = Integer.parseInt(args[1]);
        long term = Long.parseLong(args[2]);
        long segmentSize = Long.parseLong(args[3]);
        int threads = Integer.parseInt(args[4]);
        boolean advanceTerm = Boolean.parseBoolean(args[5]);
        long maxSeconds = Long.parseLong(args[6]);
        long maxAppends = Long.parseLong(args[7]);
        boolean warmUp = Boolean.parseBoolean(args[8]);
        boolean large = Boolean.parseBoolean(args[9]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);

        watchParent();
        Oplog log;
        try {
            if (warmUp) {
                warmUp(dir.resolveSibling(dir.getFileName() + ".warmup-" + ProcessHandle.current().pid()), term);
            }
            line("OPENING");
            log = Oplog.open(dir, OplogOptions.builder()
                    .segmentSize(segmentSize)
                    .durability(Durability.SYNC)
                    .build());
            RecoveryReport r = log.recoveryReport();
            line("START " + log.lastSequence() + " " + log.currentTerm() + " "
                    + r.tornTail().map(t -> t.offset() + " " + t.bytesDropped() + " " + t.file().getFileName())
                    .orElse("-1 0 -")
                    + " " + r.removedTemporaryFiles().size() + " " + r.created() + " " + r.logId());
            if (advanceTerm) {
                log.advanceTerm(term);
                line("TERM " + term);
            }
        } catch (Throwable t) {
            die("open failed", t);
            return;
        }

        AtomicLong appended = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            long writer = writerId(cycle, i, large);
            workers[i] = new Thread(() -> {
                try {
                    for (long counter = 1; !stop.get(); counter++) {
                        if (appended.incrementAndGet() > maxAppends || System.nanoTime() - deadline > 0) {
                            stop.set(true);
                            break;
                        }
                        long seq = log.append(term, typeOf(writer, counter), payload(writer, counter));
                        line("A " + seq + " " + writer + " " + counter);
                    }
                } catch (Throwable t) {
                    die("append failed in writer " + writer, t);
                }
            }, "crash-appender-" + i);
            workers[i].start();
        }
        try {
            for (Thread w : workers) {
                w.join();
            }
            log.close();
        } catch (Throwable t) {
            die("close failed", t);
        }
        line("DONE");
        System.exit(0);
    }

    /** Creates, fills, rolls, reads and deletes a scratch log, so that the real open runs with classes loaded. */
    private static void warmUp(Path scratch, long term) throws IOException {
        for (int round = 0; round < 2; round++) {
            try (Oplog log = Oplog.open(scratch, OplogOptions.builder().segmentSize(OplogOptions.MIN_SEGMENT_SIZE)
                    .build())) {
                for (long c = 1; c <= 20; c++) {
                    log.append(term, typeOf(0, c), payload(0, c));
                }
                try (OplogReader r = log.reader(log.firstSequence())) {
                    while (r.next() != null) {
                        // read it all
                    }
                }
            }
        }
        try (var files = Files.list(scratch)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Files.delete(scratch);
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
        }, "crash-appender-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    private static void die(String what, Throwable t) {
        synchronized (OUT_LOCK) {
            System.err.println("CrashAppender: " + what);
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

    /**
     * @param cycle  the crash cycle, 0-based
     * @param thread the writer thread of that cycle's child, 0-based, below 16
     * @param large  whether the writer appends mostly large payloads
     * @return a writer id unique across all cycles of a run, never 0
     */
    static long writerId(int cycle, int thread, boolean large) {
        return ((long) (cycle + 1) << 8) | (large ? LARGE : 0) | thread;
    }

    /**
     * @param writerId a writer id
     * @return its thread
     */
    static int threadOf(long writerId) {
        return (int) (writerId & 0xF);
    }

    /**
     * @param writerId a writer id
     * @return the cycle it belongs to
     */
    static int cycleOf(long writerId) {
        return (int) (writerId >>> 8) - 1;
    }

    /** The record type of (writer, counter): a pure function, 0..239 (the user types). */
    static int typeOf(long writerId, long counter) {
        return (int) Long.remainderUnsigned(mix(seedOf(writerId, counter) + 0x632BE59BD9B4E019L), 240);
    }

    /**
     * The payload length of (writer, counter): 3% empty, 60% 1..256 bytes, 33% up to 4 KiB, 3.5% up to 16 KiB
     * (larger than a 4 KiB segment) and 0.5% 64..80 KiB (larger than a 64 KiB segment). A writer with large
     * payloads instead draws 80% of them from 8..128 KiB: group commits then write hundreds of KiB at once, and a
     * kill is much more likely to land inside that write and tear it.
     */
    static int lengthOf(long writerId, long counter) {
        long h = seedOf(writerId, counter);
        int bucket = (int) Long.remainderUnsigned(h, 1000);
        long x = mix(h ^ 0x2545F4914F6CDD1DL) >>> 1;
        if ((writerId & LARGE) != 0 && bucket >= 200) {
            return (8 << 10) + (int) (x % (120 << 10));
        }
        if (bucket < 30) {
            return 0;
        } else if (bucket < 630) {
            return 1 + (int) (x % 256);
        } else if (bucket < 960) {
            return 257 + (int) (x % 3840);
        } else if (bucket < 995) {
            return 4097 + (int) (x % 12288);
        } else {
            return (64 << 10) + (int) (x % (16 << 10));
        }
    }

    /**
     * The payload of (writer, counter): pseudo-random bytes derived only from the two values, so that the parent
     * can recompute it. Payloads of at least {@value #TAG_LENGTH} bytes start with the writer id and counter.
     *
     * @param writerId the writer's id
     * @param counter  the writer's append counter, from 1
     * @return a fresh array
     */
    static byte[] payload(long writerId, long counter) {
        int length = lengthOf(writerId, counter);
        byte[] out = new byte[length];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        long x = mix(seedOf(writerId, counter) ^ 0x9E3779B97F4A7C15L) | 1;
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b.putLong(i, x);
        }
        for (; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            out[i] = (byte) x;
        }
        if (length >= TAG_LENGTH) {
            b.putLong(0, writerId);
            b.putLong(8, counter);
        }
        return out;
    }

    private static long seedOf(long writerId, long counter) {
        return mix(writerId * 0x9E3779B97F4A7C15L + mix(counter));
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
