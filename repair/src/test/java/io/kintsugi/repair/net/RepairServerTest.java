package io.kintsugi.repair.net;

import io.kintsugi.engine.RangeEntry;
import io.kintsugi.engine.replication.TcpTransport;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's life: many clients at once, a bounded pool, close while streaming, frames out of turn. */
class RepairServerTest extends RepairFixture {

    @Test
    void concurrentClientsEachGetTheWholeRange() throws Exception {
        RepairServer server = server(source, RepairServerOptions.builder().secret(SECRET).maxConnections(4)
                .maxWaitingConnections(16), null);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<RangeFetch>> fetches = new ArrayList<>();
            List<Future<Optional<RangeDigest>>> digests = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 2; j++) {
                    fetches.add(clients.submit(() -> {
                        long[] n = {0};
                        RangeFetch f = client().fetchRange(server.endpoint(), source.sequence(), source.digest(),
                                (k, v) -> n[0]++);
                        assertEquals(f.count(), n[0]);
                        return f;
                    }));
                }
                digests.add(clients.submit(() -> client().digestAt(server.endpoint(), source.sequence())));
            }
            for (Future<RangeFetch> f : fetches) {
                RangeFetch r = f.get(60, TimeUnit.SECONDS);
                assertEquals(source.digest().hash(), r.hash());
                assertEquals(PAIRS + 1, r.count());
            }
            for (Future<Optional<RangeDigest>> d : digests) {
                assertEquals(Optional.of(source.digest()), d.get(60, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        server.close();
        assertEquals(24, server.connectionsServed());
        assertEquals(0, server.openConnections());
    }

    @Test
    void closeWhileStreamingEndsTheClientWithShuttingDown() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RepairServer server = server(new AlteredRangeSource(source).pauseBefore(15_000, paused, release),
                RepairServerOptions.builder().secret(SECRET).closeGrace(Duration.ofMinutes(1)), null);
        List<RangeEntry> received = new ArrayList<>();
        CompletableFuture<RangeFetch> fetch = CompletableFuture.supplyAsync(() -> client().fetchRange(
                server.endpoint(), source.sequence(), source.digest(), (k, v) -> received.add(new RangeEntry(k, v))));
        assertTrue(paused.await(60, TimeUnit.SECONDS));
        CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);
        while (!server.isClosing()) {
            Thread.onSpinWait();
        }
        release.countDown();
        closed.get(60, TimeUnit.SECONDS);

        ExecutionException e = assertThrows(ExecutionException.class, () -> fetch.get(60, TimeUnit.SECONDS));
        RepairRefusedException refused = assertInstanceOf(RepairRefusedException.class, e.getCause());
        assertEquals(RepairFrameFormat.REASON_SHUTTING_DOWN, refused.reason());
        assertTrue(refused.getMessage().contains("closing"), refused.getMessage());
        assertTrue(received.size() < PAIRS, "the stream was cut short: " + received.size());
    }

    @Test
    void closeWithoutGraceCutsTheConnection() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RepairServer server = server(new AlteredRangeSource(source).pauseBefore(15_000, paused, release),
                RepairServerOptions.builder().secret(SECRET).closeGrace(Duration.ZERO), null);
        CompletableFuture<RangeFetch> fetch = CompletableFuture.supplyAsync(() -> client().fetchRange(
                server.endpoint(), source.sequence(), source.digest(), (k, v) -> { }));
        try {
            assertTrue(paused.await(60, TimeUnit.SECONDS));
            server.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> fetch.get(60, TimeUnit.SECONDS));
            RepairConnectionException lost = assertInstanceOf(RepairConnectionException.class, e.getCause());
            assertTrue(lost.getMessage().contains(server.endpoint()), lost.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aClientBeyondThePoolIsToldTheServerIsBusy() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RepairServer server = server(new AlteredRangeSource(source).pauseBefore(10, paused, release),
                RepairServerOptions.builder().secret(SECRET).maxConnections(1).maxWaitingConnections(0), null);
        CompletableFuture<RangeFetch> first = CompletableFuture.supplyAsync(() -> client().fetchRange(
                server.endpoint(), source.sequence(), source.digest(), (k, v) -> { }));
        try {
            assertTrue(paused.await(60, TimeUnit.SECONDS));
            RepairRefusedException e = assertThrows(RepairRefusedException.class,
                    () -> client().digestAt(server.endpoint(), source.sequence()));
            assertEquals(RepairFrameFormat.REASON_BUSY, e.reason());
            assertTrue(e.getMessage().contains("maxConnections"), e.getMessage());
        } finally {
            release.countDown();
        }
        assertEquals(PAIRS + 1, first.get(60, TimeUnit.SECONDS).count());
    }

    @Test
    void aSilentServerEndsTheClientAtItsReadTimeout() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RepairServer server = server(new AlteredRangeSource(source).pauseBefore(15_000, paused, release),
                RepairServerOptions.builder().secret(SECRET), null);
        RepairClient impatient = new RepairClient(RepairClientOptions.builder().secret(SECRET)
                .readTimeout(Duration.ofMillis(300)).build());
        try {
            RepairConnectionException e = assertThrows(RepairConnectionException.class, () -> impatient.fetchRange(
                    server.endpoint(), source.sequence(), source.digest(), (k, v) -> { }));
            assertTrue(e.getMessage().contains("read timeout"), e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aFrameOfAnUnknownTypeIsRefusedByTheClient() {
        RepairServer server = server(source, RepairServerOptions.builder().secret(SECRET), (type, frame) ->
                type == RepairFrameFormat.TYPE_DIGEST ? RepairFrameFormat.frame(99, new byte[] {0}) : frame);
        RepairProtocolException e = assertThrows(RepairProtocolException.class,
                () -> client().digestAt(server.endpoint(), source.sequence()));
        assertEquals(RepairProtocolException.Problem.UNEXPECTED, e.problem());
        assertTrue(e.getMessage().contains("type code 99"), e.getMessage());
    }

    @Test
    void aFrameOfAnUnknownTypeIsAnsweredWithAProtocolError() throws Exception {
        RepairServer server = server();
        TcpTransport dialer = TcpTransport.bind("127.0.0.1", 0);
        try (RepairChannel raw = new RepairChannel(dialer.connect(server.endpoint(), Duration.ofSeconds(10)), "t")) {
            raw.connection().readTimeout(Duration.ofSeconds(30));
            raw.send(RepairFrameFormat.frame(99, new byte[] {1, 2, 3}));
            RepairFrameFormat.Frame f = raw.receive(RepairFrameFormat.HANDSHAKE_FRAME_BYTES);
            assertEquals(RepairFrameFormat.TYPE_ERROR, f.type());
            ErrorFrames.Error error = ErrorFrames.decodeError(f.body());
            assertEquals(RepairFrameFormat.REASON_PROTOCOL_ERROR, error.reason());
            assertTrue(error.detail().contains("type code 99"), error.detail());
        }
    }

    @Test
    void anOversizedFrameIsRefusedBeforeItIsRead() throws Exception {
        RepairServer server = server();
        TcpTransport dialer = TcpTransport.bind("127.0.0.1", 0);
        try (RepairChannel raw = new RepairChannel(dialer.connect(server.endpoint(), Duration.ofSeconds(10)), "t")) {
            raw.connection().readTimeout(Duration.ofSeconds(30));
            byte[] header = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(RepairFrameFormat.HANDSHAKE_FRAME_BYTES + 1).putInt(0).array();
            raw.send(header);
            RepairFrameFormat.Frame f = raw.receive(RepairFrameFormat.HANDSHAKE_FRAME_BYTES);
            ErrorFrames.Error error = ErrorFrames.decodeError(f.body());
            assertEquals(RepairFrameFormat.REASON_PROTOCOL_ERROR, error.reason());
            assertTrue(error.detail().contains("exceeds the limit of " + RepairFrameFormat.HANDSHAKE_FRAME_BYTES),
                    error.detail());
        }
    }

    /** Sends {@code frame} as a client's first frame and returns the server's ERROR. */
    ErrorFrames.Error firstFrameAnswer(RepairServer server, byte[] frame) throws Exception {
        TcpTransport dialer = TcpTransport.bind("127.0.0.1", 0);
        try (RepairChannel raw = new RepairChannel(dialer.connect(server.endpoint(), Duration.ofSeconds(10)), "t")) {
            raw.connection().readTimeout(Duration.ofSeconds(30));
            raw.send(frame);
            RepairFrameFormat.Frame f = raw.receive(RepairFrameFormat.HANDSHAKE_FRAME_BYTES);
            assertEquals(RepairFrameFormat.TYPE_ERROR, f.type());
            return ErrorFrames.decodeError(f.body());
        }
    }

    @Test
    void aDamagedClientFrameIsAnsweredWithAProtocolErrorNamingItsOffset() throws Exception {
        RepairServer server = server();
        byte[] hello = HandshakeFrames.hello(new byte[32]);
        hello[20] ^= 0x04;
        ErrorFrames.Error error = firstFrameAnswer(server, hello);
        assertEquals(RepairFrameFormat.REASON_PROTOCOL_ERROR, error.reason());
        assertTrue(error.detail().startsWith("CHECKSUM_MISMATCH in repair-client:"), error.detail());
        assertTrue(error.detail().contains("at offset 0 (43 bytes)"), error.detail());
    }

    @Test
    void aClientOfAnotherProtocolVersionIsRefused() throws Exception {
        RepairServer server = server();
        byte[] body = new byte[34];
        body[0] = 2;
        ErrorFrames.Error error = firstFrameAnswer(server, RepairFrameFormat.frame(RepairFrameFormat.TYPE_HELLO,
                body));
        assertEquals(RepairFrameFormat.REASON_UNSUPPORTED_VERSION, error.reason());
        assertTrue(error.detail().contains("version 1, the client 2"), error.detail());
    }
}
