package io.kintsugi.engine.replication;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Test transport: wraps a real one, and can cut every open connection, refuse new ones (a partition), and flip one
 * seeded-random bit in a fraction of the writes.
 */
final class FaultyTransport implements ReplicationTransport {

    private final ReplicationTransport delegate;
    private final Random random;
    private final Set<ReplicationConnection> open = ConcurrentHashMap.newKeySet();
    private volatile double corruptProbability;
    private volatile boolean partitioned;
    private volatile long corrupted;

    FaultyTransport(ReplicationTransport delegate, long seed) {
        this.delegate = delegate;
        this.random = new Random(seed);
    }

    /** @param p probability that one write call has one bit flipped, 0 to turn corruption off */
    void corruptWrites(double p) {
        this.corruptProbability = p;
    }

    /** Refuses new connections made by or to this transport's store and cuts the open ones. */
    void partition(boolean on) {
        partitioned = on;
        if (on) {
            cutAll();
        }
    }

    void cutAll() {
        for (ReplicationConnection c : open) {
            c.close();
        }
    }

    long corrupted() {
        return corrupted;
    }

    @Override
    public void listen(Consumer<ReplicationConnection> acceptor) throws IOException {
        delegate.listen(c -> {
            if (partitioned) {
                c.close();
                return;
            }
            acceptor.accept(wrap(c));
        });
    }

    @Override
    public String endpoint() {
        return delegate.endpoint();
    }

    @Override
    public ReplicationConnection connect(String endpoint, Duration timeout) throws IOException {
        if (partitioned) {
            throw new java.net.ConnectException("partitioned (test)");
        }
        return wrap(delegate.connect(endpoint, timeout));
    }

    @Override
    public void close() {
        delegate.close();
    }

    private ReplicationConnection wrap(ReplicationConnection c) {
        OutputStream out = new FilterOutputStream(c.output()) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                double p = corruptProbability;
                if (p > 0 && len > 0) {
                    int flip = -1;
                    synchronized (random) {
                        if (random.nextDouble() < p) {
                            flip = random.nextInt(len * 8);
                        }
                    }
                    if (flip >= 0) {
                        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                        copy[flip / 8] ^= (byte) (1 << (flip % 8));
                        corrupted++;
                        out.write(copy, 0, len);
                        return;
                    }
                }
                out.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }
        };
        ReplicationConnection wrapped = new ReplicationConnection() {
            @Override
            public InputStream input() {
                return c.input();
            }

            @Override
            public OutputStream output() {
                return out;
            }

            @Override
            public void readTimeout(Duration timeout) throws IOException {
                c.readTimeout(timeout);
            }

            @Override
            public String peer() {
                return c.peer();
            }

            @Override
            public void close() {
                open.remove(this);
                c.close();
            }
        };
        open.add(wrapped);
        return wrapped;
    }
}
