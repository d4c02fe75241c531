package io.kintsugi.benchmarks;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.kintsugi.validation.scan.RangeHasher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The range hash against the alternatives, on one core: one operation hashes a batch of 1 000 (key, value) pairs
 * (16-byte keys, values of {@code valueSize} bytes) in the same canonical stream (lengths and bytes). Multiply the
 * score by the batch's bytes ({@link #batchBytes}, printed at setup) for bytes per second.
 *
 * <ul>
 *   <li>{@code xxh3-chained}: {@link RangeHasher}, the scanner's hash (zero-allocation-hashing XXH3-128).</li>
 *   <li>{@code murmur3-128}: Guava's streaming MurmurHash3 x64 128.</li>
 *   <li>{@code md5}: the JDK's MD5, the digest MongoDB's dbCheck uses.</li>
 *   <li>{@code sha-256}: the JDK's SHA-256.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RangeHashBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RangeHashBenchmark {

    /** Which hash. */
    @Param({"xxh3-chained", "murmur3-128", "md5", "sha-256"})
    public String algorithm;

    /** Bytes per value. */
    @Param({"100", "4096"})
    public int valueSize;

    private static final int PAIRS = 1000;
    private byte[][] keys;
    private byte[][] values;
    private final RangeHasher hasher = new RangeHasher();
    private MessageDigest digest;
    /** Key and value bytes per batch. */
    public long batchBytes;

    /**
     * Makes the batch.
     *
     * @throws NoSuchAlgorithmException if the JDK lacks a digest
     */
    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        Random r = new Random(42);
        keys = new byte[PAIRS][16];
        values = new byte[PAIRS][valueSize];
        for (int i = 0; i < PAIRS; i++) {
            r.nextBytes(keys[i]);
            r.nextBytes(values[i]);
            batchBytes += 16 + valueSize;
        }
        if (algorithm.equals("md5")) {
            digest = MessageDigest.getInstance("MD5");
        } else if (algorithm.equals("sha-256")) {
            digest = MessageDigest.getInstance("SHA-256");
        }
        System.out.println("batch bytes: " + batchBytes);
    }

    /** @return the batch's hash (its low bits), so the work cannot be dropped */
    @Benchmark
    public long hashBatch() {
        switch (algorithm) {
            case "xxh3-chained": {
                hasher.reset();
                for (int i = 0; i < PAIRS; i++) {
                    hasher.add(keys[i], values[i]);
                }
                return hasher.hash().low();
            }
            case "murmur3-128": {
                Hasher h = Hashing.murmur3_128().newHasher();
                for (int i = 0; i < PAIRS; i++) {
                    h.putInt(keys[i].length).putBytes(keys[i]).putInt(values[i].length).putBytes(values[i]);
                }
                return h.hash().asLong();
            }
            default: {
                byte[] len = new byte[4];
                ByteBuffer lb = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
                digest.reset();
                for (int i = 0; i < PAIRS; i++) {
                    digest.update(lb.putInt(0, keys[i].length).array());
                    digest.update(keys[i]);
                    digest.update(lb.putInt(0, values[i].length).array());
                    digest.update(values[i]);
                }
                return digest.digest()[0];
            }
        }
    }
}
