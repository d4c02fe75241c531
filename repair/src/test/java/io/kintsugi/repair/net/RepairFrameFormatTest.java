package io.kintsugi.repair.net;

import io.kintsugi.engine.Limits;
import io.kintsugi.engine.RangeEntry;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.repair.net.RepairProtocolException.Problem;
import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every row of the receiving checks of docs/FORMAT.md 14.4, and the encoders' refusals. */
class RepairFrameFormatTest {

    static ByteBuffer body(byte[] frame) {
        return ByteBuffer.wrap(Arrays.copyOfRange(frame, 9, frame.length)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer withExtraByte(byte[] frame) {
        byte[] b = Arrays.copyOfRange(frame, 9, frame.length + 1);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer cut(byte[] frame, int drop) {
        return ByteBuffer.wrap(Arrays.copyOfRange(frame, 9, frame.length - drop)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return ByteBuffer.wrap(b);
    }

    static RepairProtocolException malformed(Executable e, String fragment) {
        RepairProtocolException x = assertThrows(RepairProtocolException.class, e);
        assertEquals(Problem.MALFORMED, x.problem());
        assertTrue(x.getMessage().contains(fragment), x.getMessage());
        return x;
    }

    static <T> void trailingAndTruncated(String name, byte[] frame, Function<ByteBuffer, T> decoder) {
        malformed(() -> decoder.apply(withExtraByte(frame)), name + " body has 1 bytes after its last field");
        // A short body is refused either as ending early or as a length running past its end.
        malformed(() -> decoder.apply(cut(frame, 1)), name);
    }

    @Test
    void aDamagedFrameIsCorruptionNamingTheStreamAndOffset() {
        byte[] frame = GoldenRepairFrames.frames().get("chunk.frame").clone();
        frame[20] ^= 0x10;
        CorruptionException e = assertThrows(CorruptionException.class, () -> RepairFrameFormat.verify(
                Arrays.copyOf(frame, 8), Arrays.copyOfRange(frame, 8, frame.length), "repair:127.0.0.1:7001",
                123_456));
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, e.report().kind());
        assertEquals("repair:127.0.0.1:7001", e.report().file().toString());
        assertEquals(123_456, e.report().offset());
        assertEquals(frame.length, e.report().length());
        assertTrue(e.getMessage().contains("at offset 123456"), e.getMessage());
        assertTrue(e.report().expected().isPresent() && e.report().actual().isPresent());
    }

    @Test
    void aBadLengthIsRefusedBeforeTheFrameIsRead() {
        for (int n : new int[] {0, -1, Integer.MIN_VALUE}) {
            byte[] header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(n).array();
            malformed(() -> RepairFrameFormat.frameLength(header, RepairFrameFormat.MAX_FRAME_BYTES), "below 1");
        }
        byte[] big = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(RepairFrameFormat.MAX_FRAME_BYTES + 1).array();
        RepairProtocolException e = assertThrows(RepairProtocolException.class,
                () -> RepairFrameFormat.frameLength(big, RepairFrameFormat.MAX_FRAME_BYTES));
        assertEquals(Problem.TOO_LARGE, e.problem());
        assertTrue(e.getMessage().contains("limit of " + RepairFrameFormat.MAX_FRAME_BYTES), e.getMessage());
        byte[] atLimit = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(RepairFrameFormat.MAX_FRAME_BYTES).array();
        assertEquals(RepairFrameFormat.MAX_FRAME_BYTES,
                RepairFrameFormat.frameLength(atLimit, RepairFrameFormat.MAX_FRAME_BYTES));
    }

    @Test
    void anUnknownTypePassesTheFormatForTheSessionToRefuse() {
        byte[] frame = RepairFrameFormat.frame(200, new byte[] {1});
        RepairFrameFormat.Frame f = RepairFrameFormat.verify(Arrays.copyOf(frame, 8),
                Arrays.copyOfRange(frame, 8, frame.length), "t", 0);
        assertEquals(200, f.type());
        assertEquals(1, f.body().remaining());
    }

    @Test
    void trailingBytesAndShortBodiesAreMalformedForEveryType() {
        var g = GoldenRepairFrames.frames();
        trailingAndTruncated("HELLO", g.get("hello.frame"), HandshakeFrames::decodeHello);
        trailingAndTruncated("WELCOME", g.get("welcome.frame"), HandshakeFrames::decodeWelcome);
        trailingAndTruncated("REQUEST", g.get("request.frame"), HandshakeFrames::decodeRequest);
        trailingAndTruncated("DIGEST", g.get("digest.frame"), DigestFrames::decodeDigest);
        trailingAndTruncated("DIGEST", g.get("digest-open-end.frame"), DigestFrames::decodeDigest);
        malformed(() -> DigestFrames.decodeDigest(withExtraByte(g.get("no-digest.frame"))), "after its last");
        trailingAndTruncated("CHUNK", g.get("chunk.frame"), ChunkFrames::decodeChunk);
        trailingAndTruncated("END", g.get("end.frame"), ChunkFrames::decodeEnd);
        trailingAndTruncated("ERROR", g.get("error.frame"), ErrorFrames::decodeError);
        malformed(() -> DigestFrames.decodeDigest(bytes()), "ends before");
    }

    @Test
    void proofsAndRequestsOutOfRangeAreMalformed() {
        byte[] welcome = GoldenRepairFrames.frames().get("welcome.frame");
        ByteBuffer w = body(welcome);
        w.put(34, (byte) 5);
        malformed(() -> HandshakeFrames.decodeWelcome(w), "proof length 5 is neither 0 nor 32");

        ByteBuffer kind = body(GoldenRepairFrames.frames().get("request.frame"));
        kind.put(0, (byte) 7);
        malformed(() -> HandshakeFrames.decodeRequest(kind), "REQUEST kind 7");
        ByteBuffer zero = body(GoldenRepairFrames.frames().get("request.frame"));
        zero.put(0, (byte) 0);
        malformed(() -> HandshakeFrames.decodeRequest(zero), "REQUEST kind 0");
        ByteBuffer seq = body(GoldenRepairFrames.frames().get("request.frame"));
        seq.putLong(1, -1);
        malformed(() -> HandshakeFrames.decodeRequest(seq), "sequence -1 is below 0");
    }

    @Test
    void digestFieldsOutOfRangeAreMalformed() {
        byte[] digest = GoldenRepairFrames.frames().get("digest.frame");
        ByteBuffer found = body(digest);
        found.put(0, (byte) 2);
        malformed(() -> DigestFrames.decodeDigest(found), "found flag 2");
        ByteBuffer status = body(digest);
        status.put(9, (byte) 9);
        malformed(() -> DigestFrames.decodeDigest(status), "unknown range digest status code 9");
        ByteBuffer flags = body(digest);
        flags.put(42, (byte) 0x82);
        malformed(() -> DigestFrames.decodeDigest(flags), "flags 0x82");
        ByteBuffer ns = body(digest);
        ns.put(44, (byte) 'O');
        malformed(() -> DigestFrames.decodeDigest(ns), "namespace name must match");
        ByteBuffer from = body(digest);
        from.putInt(50, Limits.MAX_KEY_LENGTH + 1);
        malformed(() -> DigestFrames.decodeDigest(from), "DIGEST from length 65537 is outside 0..65536");
        ByteBuffer count = body(digest);
        count.putLong(10, -4);
        malformed(() -> DigestFrames.decodeDigest(count), "must be at least 0");
    }

    @Test
    void chunkPairsOverTheStoreLimitsAreMalformedWithoutTheirBytes() {
        byte[] chunk = GoldenRepairFrames.frames().get("chunk.frame");
        ByteBuffer none = body(chunk);
        none.putInt(0, 0);
        malformed(() -> ChunkFrames.decodeChunk(none), "pair count 0 is below 1");
        ByteBuffer many = body(chunk);
        many.putInt(0, 1_000_000);
        malformed(() -> ChunkFrames.decodeChunk(many), "pair count 1000000");
        ByteBuffer key = body(chunk);
        key.putInt(4, Limits.MAX_KEY_LENGTH + 1);
        malformed(() -> ChunkFrames.decodeChunk(key), "CHUNK key 0 length 65537 is outside 0..65536");
        ByteBuffer value = body(chunk);
        value.putInt(10, Limits.MAX_VALUE_LENGTH + 1);
        malformed(() -> ChunkFrames.decodeChunk(value), "CHUNK value 0 length 16777217 is outside 0..16777216");
        ByteBuffer past = body(chunk);
        past.putInt(10, 1000);
        RepairProtocolException e = malformed(() -> ChunkFrames.decodeChunk(past), "runs past the end");
        assertFalse(e.getMessage().contains("k1"), e.getMessage());
    }

    @Test
    void endAndErrorFieldsOutOfRangeAreMalformed() {
        ByteBuffer end = body(GoldenRepairFrames.frames().get("end.frame"));
        end.putLong(8, -1);
        malformed(() -> ChunkFrames.decodeEnd(end), "below 0");
        ByteBuffer error = body(GoldenRepairFrames.frames().get("error.frame"));
        error.putShort(1, (short) 1025);
        malformed(() -> ErrorFrames.decodeError(error), "detail length 1025 exceeds 1024");
    }

    @Test
    void encodersRefuseWhatNoReceiverWouldAccept() {
        assertThrows(IllegalArgumentException.class, () -> ChunkFrames.chunk(List.of()));
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> ChunkFrames.chunk(
                List.of(new RangeEntry(new byte[Limits.MAX_KEY_LENGTH + 1], new byte[0]))));
        assertTrue(key.getMessage().contains("Limits.MAX_KEY_LENGTH"), key.getMessage());
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
                () -> ChunkFrames.chunk(List.of(new RangeEntry(new byte[1],
                        new byte[Limits.MAX_VALUE_LENGTH + 1]))));
        assertTrue(value.getMessage().contains("Limits.MAX_VALUE_LENGTH"), value.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HandshakeFrames.hello(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> HandshakeFrames.request(7, 1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> HandshakeFrames.request(1, -1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> HandshakeFrames.request(1, 1, new byte[7]));
        String longDetail = "x".repeat(RepairFrameFormat.MAX_DETAIL_BYTES + 1);
        assertThrows(IllegalArgumentException.class, () -> new RangeDigest("orders", new byte[0], null, 1, 0, 0,
                new Hash128(0, 0), RangeDigest.Status.OK, longDetail));
        // An ERROR's detail is cut, not refused: it explains a failure that is happening anyway.
        ErrorFrames.Error cut = ErrorFrames.decodeError(body(ErrorFrames.error(1, longDetail)));
        assertEquals(RepairFrameFormat.MAX_DETAIL_BYTES, cut.detail().length());
    }

    @Test
    void lineageQueryFieldsOutOfRangeAreMalformed() {
        var g = GoldenRepairFrames.frames();
        byte[] q = g.get("lineage-query.frame");
        trailingAndTruncated("LINEAGE_QUERY", q, LineageFrames::decodeLineageQuery);
        trailingAndTruncated("LINEAGE_QUERY", g.get("lineage-query-open.frame"), LineageFrames::decodeLineageQuery);
        // Body offsets: 0 r, 1..9 replica id, 10 n, 11..16 namespace, 17 flags, 18 from length, 22 from,
        // 24 to length, 28 to, 30 since seconds, 38 since nanoseconds, 42 proof length.
        ByteBuffer noReplica = body(q);
        noReplica.put(0, (byte) 0);
        malformed(() -> LineageFrames.decodeLineageQuery(noReplica), "source replica id length 0 is outside");
        ByteBuffer noNamespace = body(q);
        noNamespace.put(10, (byte) 0);
        malformed(() -> LineageFrames.decodeLineageQuery(noNamespace), "namespace length 0 is outside 1..64");
        ByteBuffer badName = body(q);
        badName.put(11, (byte) 'O');
        malformed(() -> LineageFrames.decodeLineageQuery(badName), "invalid request: a namespace name must match");
        ByteBuffer flags = body(q);
        flags.put(17, (byte) 7);
        malformed(() -> LineageFrames.decodeLineageQuery(flags), "flags 7 set bits other than 0 and 1");
        ByteBuffer longFrom = body(q);
        longFrom.putInt(18, RepairFrameFormat.MAX_FROM_LENGTH + 1);
        malformed(() -> LineageFrames.decodeLineageQuery(longFrom), "from length 65537 is outside 0..65536");
        ByteBuffer pastEnd = body(q);
        pastEnd.putInt(24, 1000);
        malformed(() -> LineageFrames.decodeLineageQuery(pastEnd), "to length 1000 runs past the end");
        ByteBuffer empty = body(q);
        empty.put(23, (byte) '9');
        malformed(() -> LineageFrames.decodeLineageQuery(empty), "range is empty");
        ByteBuffer nanos = body(q);
        nanos.putInt(38, 1_000_000_000);
        malformed(() -> LineageFrames.decodeLineageQuery(nanos), "nanoseconds 1000000000 is outside");
        ByteBuffer seconds = body(q);
        seconds.putLong(30, Long.MAX_VALUE);
        malformed(() -> LineageFrames.decodeLineageQuery(seconds), "outside the range of an instant");
        ByteBuffer proof = body(q);
        proof.put(42, (byte) 5);
        malformed(() -> LineageFrames.decodeLineageQuery(proof), "proof length 5 is neither 0 nor 32");
    }

    @Test
    void lineageRecordsOutOfRangeAreMalformedWithoutTheirBytes() {
        var g = GoldenRepairFrames.frames();
        byte[] r = g.get("lineage-records.frame");
        trailingAndTruncated("LINEAGE_RECORDS", r, LineageFrames::decodeLineageRecords);
        trailingAndTruncated("LINEAGE_RECORDS", g.get("lineage-records-empty.frame"),
                LineageFrames::decodeLineageRecords);
        // Body offsets: 0 count, 4 first record's length, 8 its payload (version, kind, flags, ...).
        ByteBuffer many = body(r);
        many.putInt(0, RepairFrameFormat.MAX_LINEAGE_RECORDS + 1);
        malformed(() -> LineageFrames.decodeLineageRecords(many), "count 4097 exceeds 4096");
        ByteBuffer zero = body(r);
        zero.putInt(4, 0);
        malformed(() -> LineageFrames.decodeLineageRecords(zero), "record 0 length 0 is outside 1..");
        ByteBuffer pastEnd = body(r);
        pastEnd.putInt(4, 4000);
        malformed(() -> LineageFrames.decodeLineageRecords(pastEnd), "record 0 length 4000 runs past the end");
        ByteBuffer kind = body(r);
        kind.put(9, (byte) 99);
        RepairProtocolException x = malformed(() -> LineageFrames.decodeLineageRecords(kind),
                "record 0 does not decode");
        // The record's bounds are user data: never in the message (the golden range starts with 'k', 0, 1).
        assertFalse(x.getMessage().contains("k\u0000"), x.getMessage());
        ByteBuffer more = body(r);
        more.putInt(0, 3);
        malformed(() -> LineageFrames.decodeLineageRecords(more), "LINEAGE_RECORDS");

        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> LineageFrames.lineageRecords(java.util.Collections.nCopies(
                        RepairFrameFormat.MAX_LINEAGE_RECORDS + 1, GoldenRepairFrames.lineageAnswer().get(1))));
        assertTrue(tooMany.getMessage().contains("MAX_LINEAGE_RECORDS"), tooMany.getMessage());
    }

    @Test
    void lineageRequestsRefuseWhatNoServerWouldAccept() {
        java.time.Instant t = java.time.Instant.EPOCH;
        assertThrows(IllegalArgumentException.class, () -> new LineageRequest("", "orders", null, null, t));
        assertThrows(IllegalArgumentException.class,
                () -> new LineageRequest("r".repeat(256), "orders", null, null, t));
        assertThrows(IllegalArgumentException.class, () -> new LineageRequest("r", "Orders", null, null, t));
        assertThrows(IllegalArgumentException.class, () -> new LineageRequest("r", "orders",
                new byte[Limits.MAX_KEY_LENGTH + 1], null, t));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new LineageRequest("r", "orders", "kq9".getBytes(), "kq1".getBytes(), t));
        assertFalse(empty.getMessage().contains("kq"), empty.getMessage());
        LineageRequest ok = new LineageRequest("r", "orders", "kq1".getBytes(), "kq9".getBytes(), t);
        assertFalse(ok.toString().contains("kq"), ok.toString());
    }

    @Test
    void aLargestPairFitsOneFrame() {
        RangeEntry largest = new RangeEntry(new byte[Limits.MAX_KEY_LENGTH], new byte[Limits.MAX_VALUE_LENGTH]);
        byte[] frame = ChunkFrames.chunk(List.of(largest));
        assertTrue(frame.length - 8 <= RepairFrameFormat.MAX_FRAME_BYTES);
        assertEquals(List.of(largest), ChunkFrames.decodeChunk(body(frame)));
    }

    @Test
    void aDigestNeverPrintsItsBounds() {
        RangeDigest d = new RangeDigest("orders", "kq0000001".getBytes(), "kq0000009".getBytes(), 5, 1, 2,
                new Hash128(1, 2), RangeDigest.Status.UNKNOWN, "");
        assertFalse(d.toString().contains("kq0"), d.toString());
        assertTrue(d.toString().contains("fromLength=9"), d.toString());
    }
}
