package io.kintsugi.repair.net;

import io.kintsugi.engine.Cursor;
import io.kintsugi.engine.Namespace;
import io.kintsugi.engine.RangeEntry;
import io.kintsugi.engine.Store;
import io.kintsugi.engine.StoreOptions;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.Durability;
import io.kintsugi.validation.scan.RangeHasher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Digests and range streams between a real store's snapshot and a client, over TCP on 127.0.0.1. */
class RepairProtocolTest extends RepairFixture {

    @Test
    void digestRoundTrip() {
        RepairServer server = server();
        assertTrue(server.endpoint().startsWith("127.0.0.1:"));
        Optional<RangeDigest> d = client().digestAt(server.endpoint(), source.sequence());
        assertEquals(Optional.of(source.digest()), d);
        assertEquals(PAIRS + 1, d.get().count());
        assertEquals(Optional.empty(), client().digestAt(server.endpoint(), source.sequence() + 1));
    }

    @Test
    void streamsTheSnapshotsRangeWithItsHash() {
        RepairServer server = server();
        List<RangeEntry> received = new ArrayList<>();
        RangeFetch fetch = client().fetchRange(server.endpoint(), source.sequence(), source.digest(),
                (k, v) -> received.add(new RangeEntry(k, v)));

        List<RangeEntry> expected = snapshotPairs();
        assertEquals(PAIRS + 1, expected.size());
        assertEquals(expected, received);
        RangeHasher h = new RangeHasher();
        expected.forEach(e -> h.add(e.key(), e.value()));
        assertEquals(h.hash(), fetch.hash());
        assertEquals(source.digest().hash(), fetch.hash());
        assertEquals(h.bytes(), fetch.bytes());
        assertEquals(PAIRS + 1, fetch.count());
        assertTrue(fetch.chunks() >= 2, "about 2 MB of pairs in chunks of 1 MiB, got " + fetch.chunks());
        // The snapshot's value, not the write after it.
        assertFalse(new String(received.get(3).value(), StandardCharsets.ISO_8859_1).equals("after the snapshot"));
        assertEquals(source.digest(), fetch.digest());
    }

    @Test
    void smallChunksStillCarryTheWholeRange() {
        RepairServer server = server(source, RepairServerOptions.builder().secret(SECRET)
                .chunkBytes(RepairServerOptions.MIN_CHUNK_BYTES), null);
        List<RangeEntry> received = new ArrayList<>();
        RangeFetch fetch = client().fetchRange(server.endpoint(), source.sequence(), source.digest(),
                (k, v) -> received.add(new RangeEntry(k, v)));
        assertEquals(snapshotPairs(), received);
        assertTrue(fetch.chunks() > 400, "chunks of 4 KiB: " + fetch.chunks());
    }

    @Test
    void aWrongSecretIsRefusedByTheClient() {
        RepairServer server = server();
        RepairClient wrong = new RepairClient(RepairClientOptions.builder()
                .secret("another-secret-of-some-length".getBytes(StandardCharsets.US_ASCII)).build());
        RepairProtocolException e = assertThrows(RepairProtocolException.class,
                () -> wrong.digestAt(server.endpoint(), source.sequence()));
        assertEquals(RepairProtocolException.Problem.AUTHENTICATION_FAILED, e.problem());
        assertTrue(e.getMessage().contains("did not prove"), e.getMessage());
    }

    @Test
    void aClientWithoutTheSecretIsRefusedByTheServer() {
        RepairServer server = server();
        RepairClient none = new RepairClient(RepairClientOptions.builder().build());
        RepairProtocolException e = assertThrows(RepairProtocolException.class,
                () -> none.fetchRange(server.endpoint(), source.sequence(), source.digest(), (k, v) -> {
                    throw new AssertionError("no pair may reach an unauthenticated client");
                }));
        assertEquals(RepairProtocolException.Problem.AUTHENTICATION_FAILED, e.problem());
    }

    @Test
    void aServerWithoutTheSecretIsRefusedByTheClient() {
        RepairServer server = server(source, RepairServerOptions.builder(), null);
        RepairProtocolException e = assertThrows(RepairProtocolException.class,
                () -> client().digestAt(server.endpoint(), source.sequence()));
        assertEquals(RepairProtocolException.Problem.AUTHENTICATION_FAILED, e.problem());
        assertTrue(e.getMessage().contains("sent no proof"), e.getMessage());
    }

    @Test
    void aDamagedChunkIsCaughtByItsCrcAtItsOffset() {
        Random r = new Random(7);
        long[] offset = {0, -1};
        RepairServer server = server(source, RepairServerOptions.builder().secret(SECRET), (type, frame) -> {
            if (type == RepairFrameFormat.TYPE_CHUNK && offset[1] < 0) {
                // Damage the first chunk after its CRC was computed, as a bad NIC or memory would.
                offset[1] = offset[0];
                frame = frame.clone();
                int bit = RepairFrameFormat.TYPE_OFFSET * 8 + 8 + r.nextInt((frame.length - 9) * 8);
                frame[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            offset[0] += frame.length;
            return frame;
        });
        List<RangeEntry> received = new ArrayList<>();
        CorruptionException e = assertThrows(CorruptionException.class, () -> client().fetchRange(
                server.endpoint(), source.sequence(), source.digest(), (k, v) -> received.add(new RangeEntry(k, v))));
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, e.report().kind());
        assertEquals("repair:" + server.endpoint(), e.report().file().toString());
        assertEquals(offset[1], e.report().offset());
        assertTrue(received.isEmpty(), "no pair of a damaged chunk reaches the sink");
        assertNoKeyBytes(e);
    }

    @Test
    void aStreamThatDiffersFromTheExpectedDigestIsCaughtByTheHash() {
        AlteredRangeSource altered = new AlteredRangeSource(source).alterValue(12_345, v -> {
            byte[] c = v.clone();
            c[0] ^= 1;
            return c;
        });
        RepairServer server = server(altered, RepairServerOptions.builder().secret(SECRET), null);
        RangeMismatchException e = assertThrows(RangeMismatchException.class, () -> client().fetchRange(
                server.endpoint(), source.sequence(), source.digest(), (k, v) -> { }));
        assertEquals(RangeMismatchException.Against.EXPECTED_DIGEST, e.against());
        assertEquals(e.expectedCount(), e.actualCount());
        assertEquals(e.expectedBytes(), e.actualBytes());
        assertEquals(source.digest().hash(), e.expectedHash());
        assertFalse(e.expectedHash().equals(e.actualHash()));
        assertNoKeyBytes(e);
    }

    @Test
    void anEndFrameThatDoesNotMatchTheStreamIsCaught() {
        RepairServer server = server(source, RepairServerOptions.builder().secret(SECRET), (type, frame) -> {
            if (type != RepairFrameFormat.TYPE_END) {
                return frame;
            }
            ChunkFrames.End end = ChunkFrames.decodeEnd(RepairFrameFormat.verify(
                    java.util.Arrays.copyOf(frame, 8), java.util.Arrays.copyOfRange(frame, 8, frame.length), "t", 0)
                    .body());
            return ChunkFrames.end(new ChunkFrames.End(end.sequence(), end.count() - 1, end.bytes(),
                    end.hash(), end.chunks()));
        });
        RangeMismatchException e = assertThrows(RangeMismatchException.class, () -> client().fetchRange(
                server.endpoint(), source.sequence(), source.digest(), (k, v) -> { }));
        assertEquals(RangeMismatchException.Against.END_FRAME, e.against());
        assertEquals(PAIRS + 1, e.actualCount());
        assertEquals(PAIRS, e.expectedCount());
    }

    @Test
    void aSourceWhoseDigestDiffersIsRefusedBeforeItStreams() {
        RangeDigest d = source.digest();
        RangeDigest other = new RangeDigest(d.namespace(), d.from(), d.to(), d.sequence(), d.count() + 1,
                d.bytes(), d.hash(), RangeDigest.Status.OK, "");
        RepairServer server = server();
        RangeMismatchException e = assertThrows(RangeMismatchException.class, () -> client().fetchRange(
                server.endpoint(), source.sequence(), other, (k, v) -> {
                    throw new AssertionError("nothing is streamed to the sink");
                }));
        assertEquals(RangeMismatchException.Against.EXPECTED_DIGEST, e.against());
    }

    @Test
    void aSourceDescribingAnotherRangeIsRefused() {
        RangeDigest d = source.digest();
        RangeDigest other = new RangeDigest(d.namespace(), d.from(), null, d.sequence(), d.count(), d.bytes(),
                d.hash(), RangeDigest.Status.OK, "");
        RepairServer server = server();
        RepairProtocolException e = assertThrows(RepairProtocolException.class, () -> client().fetchRange(
                server.endpoint(), source.sequence(), other, (k, v) -> { }));
        assertEquals(RepairProtocolException.Problem.UNEXPECTED, e.problem());
    }

    @Test
    void pairsOutOfOrderAreRefused() {
        RepairServer server = server(new AlteredRangeSource(source).swap(100),
                RepairServerOptions.builder().secret(SECRET), null);
        List<RangeEntry> received = new ArrayList<>();
        RepairProtocolException e = assertThrows(RepairProtocolException.class, () -> client().fetchRange(
                server.endpoint(), source.sequence(), source.digest(), (k, v) -> received.add(new RangeEntry(k, v))));
        assertEquals(RepairProtocolException.Problem.OUT_OF_ORDER, e.problem());
        assertEquals(101, received.size());
        assertNoKeyBytes(e);
    }

    @Test
    void aRangeNotHeldIsUnavailable() {
        RepairServer server = server();
        RangeDigest d = source.digest();
        long other = d.sequence() + 10;
        RangeDigest at = new RangeDigest(d.namespace(), d.from(), d.to(), other, d.count(), d.bytes(), d.hash(),
                RangeDigest.Status.OK, "");
        RangeUnavailableException e = assertThrows(RangeUnavailableException.class,
                () -> client().fetchRange(server.endpoint(), other, at, (k, v) -> { }));
        assertEquals(other, e.sequence());
        assertThrows(IllegalArgumentException.class,
                () -> client().fetchRange(server.endpoint(), other, d, (k, v) -> { }));
    }

    @Test
    void aRefusedConnectionIsAConnectionException() {
        RepairServer server = server();
        String endpoint = server.endpoint();
        server.close();
        RepairConnectionException e = assertThrows(RepairConnectionException.class,
                () -> client().digestAt(endpoint, 1));
        assertTrue(e.getMessage().contains(endpoint), e.getMessage());
    }

    @Test
    void receivedPairsEqualTheOriginalBytes() {
        RepairServer server = server();
        List<RangeEntry> received = new ArrayList<>();
        client().fetchRange(server.endpoint(), source.sequence(), source.digest(),
                (k, v) -> received.add(new RangeEntry(k, v)));
        Random r = new Random(42);
        for (int i = 0; i < PAIRS; i++) {
            byte[] v = new byte[20 + r.nextInt(120)];
            r.nextBytes(v);
            assertArrayEquals(key(i), received.get(i).key());
            assertArrayEquals(v, received.get(i).value(), "pair " + i);
        }
    }

    @Test
    void aSourceThatMeetsDamageInItsOwnCopyRefusesWithItsReport() {
        RepairServer server = server(new AlteredRangeSource(source).failAt(9_000),
                RepairServerOptions.builder().secret(SECRET), null);
        RepairRefusedException e = assertThrows(RepairRefusedException.class, () -> client().fetchRange(
                server.endpoint(), source.sequence(), source.digest(), (k, v) -> { }));
        assertEquals(RepairFrameFormat.REASON_SOURCE_FAILED, e.reason());
        assertTrue(e.getMessage().contains("CHECKSUM_MISMATCH in 000000000007.seg at offset 8192"), e.getMessage());
        assertNoKeyBytes(e);
    }
}
