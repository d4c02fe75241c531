package io.kintsugi.engine.replication;

import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.engine.format.ReplicationFrameFormat;
import io.kintsugi.engine.format.WriteBatchFormat;
import io.kintsugi.engine.table.EntryKind;
import io.kintsugi.oplog.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Peers that send what they should not: a follower must refuse it, count it, apply nothing of it and say why; a
 * primary must refuse followers that cannot authenticate. The fake peers below speak the documented frame format
 * directly (FORMAT.md), HMAC included, so these tests also check the protocol as written down.
 */
class ReplicationBadInputTest {

    private static final UUID FAKE_PRIMARY = new UUID(0x1111, 0x2222);

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What a fake primary does with one follower connection after reading its HELLO. */
    private interface Script {
        void run(ReplicationFrameFormat.Hello hello, DataInputStream in, OutputStream out) throws Exception;
    }

    /** A fake primary listening on the in-process network; runs {@code script} for every connection. */
    private static AtomicInteger fakePrimary(InProcessNetwork net, Script script) throws IOException {
        AtomicInteger connections = new AtomicInteger();
        net.transport("fake").listen(c -> {
            connections.incrementAndGet();
            Thread t = new Thread(() -> {
                try {
                    c.readTimeout(Duration.ofSeconds(10));
                    DataInputStream in = new DataInputStream(c.input());
                    ReplicationFrameFormat.Frame f = readFrame(in);
                    script.run(ReplicationFrameFormat.decodeHello(f.body()), in, c.output());
                } catch (Exception e) {
                    // the follower hung up after refusing; that is what these tests provoke
                } finally {
                    c.close();
                }
            });
            t.setDaemon(true);
            t.start();
        });
        return connections;
    }

    static ReplicationFrameFormat.Frame readFrame(DataInputStream in) throws IOException {
        byte[] header = new byte[ReplicationFrameFormat.HEADER_LENGTH];
        in.readFully(header);
        byte[] content = new byte[ReplicationFrameFormat.frameLength(header, 1 << 26)];
        in.readFully(content);
        return ReplicationFrameFormat.verify(header, content);
    }

    private static void send(OutputStream out, byte[] frame) throws IOException {
        out.write(frame);
        out.flush();
    }

    private static byte[] hmac(byte[] secret, byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        for (byte[] p : parts) {
            mac.update(p);
        }
        return mac.doFinal();
    }

    /** A WELCOME from the fake primary of {@code term}, whose log is sequences 1..last, all of that term. */
    private static byte[] welcome(ReplicationFrameFormat.Hello hello, long term, long last, byte[] secret)
            throws Exception {
        byte[] signed = ReplicationFrameFormat.welcomeSignedBody(FAKE_PRIMARY, term, 1, last, new byte[32],
                TermHistory.of(List.of(new TermHistory.Entry(term, 1, FAKE_PRIMARY))));
        byte[] proof = secret == null ? new byte[0]
                : hmac(secret, b("kintsugi replication welcome v1"), hello.nonce(), signed);
        return ReplicationFrameFormat.welcome(signed, proof);
    }

    private static LogRecord put(long seq, long term, String key) {
        byte[] payload = WriteBatchFormat.encode(List.of(new WriteBatchFormat.Operation(EntryKind.PUT, 1, b(key),
                b("value"))));
        return new LogRecord(seq, term, WriteBatchFormat.TYPE_WRITE_BATCH, payload);
    }

    private static LogRecord namespace(long seq, long term) {
        return new LogRecord(seq, term, WriteBatchFormat.TYPE_NAMESPACE, WriteBatchFormat.encodeNamespace(1, "n"));
    }

    private Store follower(InProcessNetwork net, byte[] secret) {
        ReplicationOptions.Builder r = ReplicaSet.fastTimeouts(ReplicationOptions.builder(net.transport("follower")));
        if (secret != null) {
            r.secret(secret);
        }
        return Store.open(dir.resolve("follower"), StoreOptions.builder().replication(r.build()).build());
    }

    private static ReplicationStatus awaitRefusals(Store s, long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            ReplicationStatus st = s.replicationStatus();
            if (st.badFrames() + st.protocolErrors() >= count) {
                return st;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " refused frames: " + st);
            }
            Thread.sleep(5);
        }
    }

    private static void assertNothingApplied(Store s) {
        assertEquals(0, s.lastSequence());
        assertNull(s.namespace("n").get(b("k1")));
    }

    @Test
    void aPrimaryWithTheWrongSecretIsRefused() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        fakePrimary(net, (hello, in, out) -> {
            send(out, welcome(hello, 1, 2, b("not the shared secret, but long")));
            readFrame(in); // the follower's REJECT
        });
        try (Store s = follower(net, ReplicaSet.SECRET)) {
            s.follow("fake", 1);
            ReplicationStatus st = awaitRefusals(s, 1);
            assertEquals(FollowerState.AUTHENTICATION_FAILED, st.followerState());
            assertTrue(st.lastError().contains("did not prove"), st.lastError());
            assertNothingApplied(s);
        }
    }

    @Test
    void aPrimaryWithoutProofIsRefusedByAFollowerWithASecret() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        fakePrimary(net, (hello, in, out) -> {
            send(out, welcome(hello, 1, 2, null));
            readFrame(in);
        });
        try (Store s = follower(net, ReplicaSet.SECRET)) {
            s.follow("fake", 1);
            assertEquals(FollowerState.AUTHENTICATION_FAILED, awaitRefusals(s, 1).followerState());
            assertNothingApplied(s);
        }
    }

    @Test
    void recordsThatFailTheirChecksumAreNeverApplied() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        fakePrimary(net, (hello, in, out) -> {
            send(out, welcome(hello, 1, 2, ReplicaSet.SECRET));
            readFrame(in); // FETCH
            byte[] frame = ReplicationFrameFormat.records(2, List.of(namespace(1, 1), put(2, 1, "k1")));
            // Damage the last record's payload and re-seal the frame, so that only the record's own CRC can tell.
            frame[frame.length - 3] ^= 0x10;
            ByteBuffer bb = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
            bb.putInt(ReplicationFrameFormat.CRC_OFFSET, io.kintsugi.oplog.format.Crc32c.maskedOf(bb,
                    ReplicationFrameFormat.TYPE_OFFSET, frame.length));
            send(out, frame);
            readFrame(in);
        });
        try (Store s = follower(net, ReplicaSet.SECRET)) {
            s.follow("fake", 1);
            ReplicationStatus st = awaitRefusals(s, 2);
            assertTrue(st.badFrames() >= 2, st.toString());
            assertTrue(st.lastError().contains("does not match its checksum"), st.lastError());
            assertNothingApplied(s); // not even the intact first record of the frame
        }
    }

    @Test
    void aDamagedFrameIsRefusedAndFetchedAgain() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        AtomicInteger attempt = new AtomicInteger();
        fakePrimary(net, (hello, in, out) -> {
            send(out, welcome(hello, 1, 2, null));
            ReplicationFrameFormat.Fetch fetch = ReplicationFrameFormat.decodeFetch(readFrame(in).body());
            assertEquals(1, fetch.fromSequence());
            byte[] frame = ReplicationFrameFormat.records(2, List.of(namespace(1, 1), put(2, 1, "k1")));
            if (attempt.getAndIncrement() == 0) {
                frame[frame.length / 2] ^= 0x01; // a bit flipped on the wire
            }
            send(out, frame);
            while (true) {
                readFrame(in);
            }
        });
        try (Store s = follower(net, null)) {
            s.follow("fake", 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (s.lastSequence() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            ReplicationStatus st = s.replicationStatus();
            assertEquals(2, s.lastSequence(), st.toString());
            assertEquals(1, st.badFrames());
            assertTrue(st.reconnects() >= 1);
            assertEquals("value", new String(s.namespace("n").get(b("k1")), StandardCharsets.UTF_8));
        }
    }

    @Test
    void recordsOutOfOrderOrOfTheWrongTermAreRefused() throws Exception {
        for (List<LogRecord> bad : List.of(
                List.of(namespace(2, 1)),                      // skips sequence 1
                List.of(namespace(1, 1), put(3, 1, "k1")),     // a gap inside the frame
                List.of(namespace(1, 2)),                      // a term above the primary's
                List.of(namespace(1, 0)))) {                   // a term the primary's history does not give it
            Path sub = dir.resolve("case" + bad.hashCode());
            InProcessNetwork net = new InProcessNetwork();
            fakePrimary(net, (hello, in, out) -> {
                send(out, welcome(hello, 1, 2, null));
                readFrame(in);
                send(out, ReplicationFrameFormat.records(2, bad));
                readFrame(in);
            });
            ReplicationOptions r = ReplicaSet.fastTimeouts(ReplicationOptions.builder(net.transport("follower")))
                    .build();
            try (Store s = Store.open(sub, StoreOptions.builder().replication(r).build())) {
                s.follow("fake", 1);
                ReplicationStatus st = awaitRefusals(s, 1);
                assertEquals(0, st.badFrames());
                assertNothingApplied(s);
            }
        }
    }

    @Test
    void aPrimaryOfALowerTermIsRefused() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        AtomicInteger fetches = new AtomicInteger();
        fakePrimary(net, (hello, in, out) -> {
            assertEquals(3, hello.followerTerm());
            send(out, welcome(hello, 2, 2, null));
            readFrame(in); // the follower still proves itself, so that the stale primary can step down
            fetches.incrementAndGet();
            send(out, ReplicationFrameFormat.records(2, List.of(namespace(1, 2), put(2, 2, "k1"))));
        });
        try (Store s = follower(net, null)) {
            s.follow("fake", 3);
            ReplicaSet.until(() -> fetches.get() >= 1);
            assertEquals(FollowerState.NO_PRIMARY, s.replicationStatus().followerState());
            assertTrue(s.replicationStatus().lastError().contains("below term 3"),
                    s.replicationStatus().lastError());
            assertNothingApplied(s);
        }
    }

    @Test
    void garbageInsteadOfAFrameIsRefused() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        fakePrimary(net, (hello, in, out) -> {
            send(out, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 0, 0, 0, 0}); // 2 GiB frame
        });
        try (Store s = follower(net, null)) {
            s.follow("fake", 1);
            ReplicationStatus st = awaitRefusals(s, 1);
            assertTrue(st.lastError().contains("exceeds the limit"), st.lastError());
            assertNothingApplied(s);
        }
    }

    @Test
    void aFollowerWithTheWrongSecretGetsNothing() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        ReplicationOptions primaryOptions = ReplicaSet.fastTimeouts(ReplicationOptions.builder(net.transport("p")))
                .secret(ReplicaSet.SECRET).build();
        ReplicationOptions followerOptions = ReplicaSet.fastTimeouts(ReplicationOptions.builder(net.transport("f")))
                .secret(b("another secret of sixteen+ bytes")).build();
        try (Store p = Store.open(dir.resolve("p"), StoreOptions.builder().replication(primaryOptions).build());
             Store f = Store.open(dir.resolve("f"), StoreOptions.builder().replication(followerOptions).build())) {
            p.promote(1);
            p.namespace("n").put(b("k1"), b("secret data"));
            f.follow("p", 1);
            ReplicationStatus st = awaitRefusals(f, 1);
            assertEquals(FollowerState.AUTHENTICATION_FAILED, st.followerState());
            assertNothingApplied(f);
            assertTrue(p.replicationStatus().followers().isEmpty(), "an unauthenticated follower was registered");
        }
    }

    @Test
    void aFakeFollowerWithoutTheSecretIsRefusedByThePrimary() throws Exception {
        InProcessNetwork net = new InProcessNetwork();
        ReplicationOptions primaryOptions = ReplicaSet.fastTimeouts(ReplicationOptions.builder(net.transport("p")))
                .secret(ReplicaSet.SECRET).build();
        try (Store p = Store.open(dir.resolve("p"), StoreOptions.builder().replication(primaryOptions).build())) {
            p.promote(1);
            p.namespace("n").put(b("k1"), b("secret data"));
            ReplicationConnection c = net.transport("intruder").connect("p", Duration.ofSeconds(1));
            c.readTimeout(Duration.ofSeconds(10));
            DataInputStream in = new DataInputStream(c.input());
            send(c.output(), ReplicationFrameFormat.hello(new UUID(7, 7), 99, new byte[32]));
            assertEquals(ReplicationFrameFormat.TYPE_WELCOME, readFrame(in).type());
            send(c.output(), ReplicationFrameFormat.fetch(1, new byte[32])); // a made-up proof
            ReplicationFrameFormat.Frame answer = readFrame(in);
            assertEquals(ReplicationFrameFormat.TYPE_REJECT, answer.type());
            assertEquals(ReplicationFrameFormat.REASON_AUTHENTICATION_FAILED,
                    ReplicationFrameFormat.decodeReject(answer.body()).reason());
            c.close();
            assertEquals(Role.PRIMARY, p.role(), "an unauthenticated peer's term 99 fenced the primary");
            assertEquals(1, p.term());
            assertEquals(1, p.replicationStatus().protocolErrors());
        }
    }

    @Test
    void aMalformedTcpEndpointStopsTheFollowerWithAReason() throws Exception {
        ReplicationOptions r = ReplicaSet.fastTimeouts(ReplicationOptions.builder(
                TcpTransport.bind("127.0.0.1", 0))).build();
        try (Store s = Store.open(dir.resolve("f"), StoreOptions.builder().replication(r).build())) {
            s.follow("no-port-here", 1);
            ReplicaSet.until(() -> s.replicationStatus().followerState() == FollowerState.FAILED);
            assertTrue(s.replicationStatus().lastError().contains("host:port"), s.replicationStatus().lastError());
        }
    }
}
