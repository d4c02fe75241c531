package io.kintsugi.repair.net;

import io.kintsugi.oplog.StorageException;
import io.kintsugi.repair.lineage.LineageRecord;
import io.kintsugi.repair.lineage.LineageRecordFormat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.kintsugi.repair.net.FrameFields.buffer;
import static io.kintsugi.repair.net.FrameFields.bytes;
import static io.kintsugi.repair.net.FrameFields.expectEnd;
import static io.kintsugi.repair.net.FrameFields.malformed;
import static io.kintsugi.repair.net.FrameFields.parse;
import static io.kintsugi.repair.net.FrameFields.proof;
import static io.kintsugi.repair.net.FrameFields.putProof;
import static io.kintsugi.repair.net.FrameFields.sized;
import static io.kintsugi.repair.net.RepairFrameFormat.LINEAGE_FLAG_FROM;
import static io.kintsugi.repair.net.RepairFrameFormat.LINEAGE_FLAG_TO;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_FRAME_BYTES;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_FROM_LENGTH;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_LINEAGE_RECORDS;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_NAMESPACE_NAME_BYTES;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_PULL_NAME_BYTES;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_TO_LENGTH;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_LINEAGE_QUERY;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_LINEAGE_RECORDS;
import static io.kintsugi.repair.net.RepairFrameFormat.frame;

/**
 * The bodies of a lineage question (docs/FORMAT.md 14.3): LINEAGE_QUERY, which copies of a range the server's
 * replica took from a given replica since a time, and LINEAGE_RECORDS, the answer as lineage record payloads
 * (FORMAT.md 15).
 */
final class LineageFrames {

    private LineageFrames() {
    }

    /**
     * LINEAGE_QUERY; {@code signedBody} is what the proof signs: the body before the proof length.
     *
     * @param request    the question
     * @param proof      the client's proof, or an empty array
     * @param signedBody the body bytes before the proof length
     */
    record LineageQuery(LineageRequest request, byte[] proof, byte[] signedBody) {
    }

    /**
     * @param request the question
     * @return the LINEAGE_QUERY body before the proof length: what the client's proof signs
     */
    static byte[] lineageQuerySignedBody(LineageRequest request) {
        byte[] replica = request.sourceReplica().getBytes(StandardCharsets.UTF_8);
        byte[] ns = request.namespace().getBytes(StandardCharsets.US_ASCII);
        byte[] from = request.from();
        byte[] to = request.to();
        ByteBuffer b = buffer(1 + replica.length + 1 + ns.length + 1 + (from == null ? 0 : 4 + from.length)
                + (to == null ? 0 : 4 + to.length) + 8 + 4);
        b.put((byte) replica.length).put(replica);
        b.put((byte) ns.length).put(ns);
        b.put((byte) ((from == null ? 0 : LINEAGE_FLAG_FROM) | (to == null ? 0 : LINEAGE_FLAG_TO)));
        if (from != null) {
            b.putInt(from.length).put(from);
        }
        if (to != null) {
            b.putInt(to.length).put(to);
        }
        b.putLong(request.since().getEpochSecond());
        b.putInt(request.since().getNano());
        return b.array();
    }

    /**
     * @param signedBody what {@link #lineageQuerySignedBody} returned
     * @param proof      the client's proof, or an empty array
     * @return a LINEAGE_QUERY frame
     */
    static byte[] lineageQuery(byte[] signedBody, byte[] proof) {
        ByteBuffer b = buffer(signedBody.length + 1 + proof.length);
        b.put(signedBody);
        putProof(b, proof);
        return frame(TYPE_LINEAGE_QUERY, b.array());
    }

    /**
     * @param records the answer, oldest first
     * @return a LINEAGE_RECORDS frame
     * @throws IllegalArgumentException if there are more than {@link RepairFrameFormat#MAX_LINEAGE_RECORDS}
     *                                  records or the frame would exceed {@link RepairFrameFormat#MAX_FRAME_BYTES},
     *                                  or a record breaks a limit of FORMAT.md 15
     */
    static byte[] lineageRecords(List<LineageRecord> records) {
        if (records.size() > MAX_LINEAGE_RECORDS) {
            throw new IllegalArgumentException("an answer of " + records.size() + " lineage records exceeds the limit "
                    + "of " + MAX_LINEAGE_RECORDS + " records (RepairFrameFormat.MAX_LINEAGE_RECORDS)");
        }
        List<byte[]> payloads = new ArrayList<>(records.size());
        long length = 4;
        for (LineageRecord r : records) {
            byte[] p = LineageRecordFormat.encode(r);
            payloads.add(p);
            length += 4 + p.length;
        }
        if (length + 1 > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("an answer of " + records.size() + " lineage records takes " + length
                    + " bytes, over the frame limit of " + MAX_FRAME_BYTES
                    + " bytes (RepairFrameFormat.MAX_FRAME_BYTES)");
        }
        ByteBuffer b = buffer((int) length);
        b.putInt(records.size());
        for (byte[] p : payloads) {
            b.putInt(p.length).put(p);
        }
        return frame(TYPE_LINEAGE_RECORDS, b.array());
    }

    /**
     * @param b the body of a LINEAGE_QUERY frame
     * @return the decoded query
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static LineageQuery decodeLineageQuery(ByteBuffer b) {
        return parse("LINEAGE_QUERY", b, () -> {
            int start = b.position();
            int r = b.get() & 0xFF;
            if (r < 1) {
                throw malformed("LINEAGE_QUERY source replica id length 0 is outside 1.." + MAX_PULL_NAME_BYTES);
            }
            String replica = new String(bytes(b, r), StandardCharsets.UTF_8);
            int n = b.get() & 0xFF;
            if (n < 1 || n > MAX_NAMESPACE_NAME_BYTES) {
                throw malformed("LINEAGE_QUERY namespace length " + n + " is outside 1.."
                        + MAX_NAMESPACE_NAME_BYTES);
            }
            String ns = new String(bytes(b, n), StandardCharsets.US_ASCII);
            int flags = b.get() & 0xFF;
            if ((flags & ~(LINEAGE_FLAG_FROM | LINEAGE_FLAG_TO)) != 0) {
                throw malformed("LINEAGE_QUERY flags " + flags + " set bits other than 0 and 1");
            }
            byte[] from = (flags & LINEAGE_FLAG_FROM) != 0 ? sized(b, "LINEAGE_QUERY from", MAX_FROM_LENGTH) : null;
            byte[] to = (flags & LINEAGE_FLAG_TO) != 0 ? sized(b, "LINEAGE_QUERY to", MAX_TO_LENGTH) : null;
            long seconds = b.getLong();
            int nanos = b.getInt();
            if (nanos < 0 || nanos > 999_999_999) {
                throw malformed("LINEAGE_QUERY since nanoseconds " + nanos + " is outside 0..999999999");
            }
            Instant since;
            try {
                since = Instant.ofEpochSecond(seconds, nanos);
            } catch (java.time.DateTimeException e) {
                throw malformed("LINEAGE_QUERY since seconds " + seconds + " is outside the range of an instant");
            }
            byte[] signed = new byte[b.position() - start];
            b.duplicate().position(start).get(signed);
            byte[] proof = proof("LINEAGE_QUERY", b);
            expectEnd("LINEAGE_QUERY", b);
            try {
                return new LineageQuery(new LineageRequest(replica, ns, from, to, since), proof, signed);
            } catch (IllegalArgumentException e) {
                throw malformed("LINEAGE_QUERY holds an invalid request: " + e.getMessage());
            }
        });
    }

    /**
     * @param b the body of a LINEAGE_RECORDS frame
     * @return the records, in the order sent
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3 or a record
     *                                 does not decode as FORMAT.md 15 says
     */
    static List<LineageRecord> decodeLineageRecords(ByteBuffer b) {
        return parse("LINEAGE_RECORDS", b, () -> {
            long c = b.getInt() & 0xFFFFFFFFL;
            if (c > MAX_LINEAGE_RECORDS) {
                throw malformed("LINEAGE_RECORDS count " + c + " exceeds " + MAX_LINEAGE_RECORDS);
            }
            List<LineageRecord> out = new ArrayList<>((int) c);
            for (int i = 0; i < c; i++) {
                int length = b.getInt();
                int max = LineageRecordFormat.MAX_ENCODED_LENGTH;
                if (length < 1 || length > max) {
                    throw malformed("LINEAGE_RECORDS record " + i + " length " + length + " is outside 1.." + max);
                }
                if (length > b.remaining()) {
                    throw malformed("LINEAGE_RECORDS record " + i + " length " + length + " runs past the end of "
                            + "the body (" + b.remaining() + " bytes left)");
                }
                byte[] payload = bytes(b, length);
                try {
                    out.add(LineageRecordFormat.decode(payload, Path.of("lineage-records"),
                            i));
                } catch (StorageException | IllegalArgumentException e) {
                    // A record whose frame passed its CRC but does not decode was sent wrong: a protocol error.
                    throw malformed("LINEAGE_RECORDS record " + i + " does not decode: " + e.getMessage());
                }
            }
            expectEnd("LINEAGE_RECORDS", b);
            return out;
        });
    }
}
