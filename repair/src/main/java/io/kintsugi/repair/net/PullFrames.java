package io.kintsugi.repair.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.kintsugi.repair.net.DigestFrames.decodeDigest;
import static io.kintsugi.repair.net.DigestFrames.digest;
import static io.kintsugi.repair.net.FrameFields.buffer;
import static io.kintsugi.repair.net.FrameFields.bytes;
import static io.kintsugi.repair.net.FrameFields.expectEnd;
import static io.kintsugi.repair.net.FrameFields.malformed;
import static io.kintsugi.repair.net.FrameFields.parse;
import static io.kintsugi.repair.net.FrameFields.proof;
import static io.kintsugi.repair.net.FrameFields.putProof;
import static io.kintsugi.repair.net.RepairFrameFormat.HEADER_LENGTH;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_PULL_NAME_BYTES;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_REPAIR_ID_BYTES;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_PULL;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_PULLED;
import static io.kintsugi.repair.net.RepairFrameFormat.frame;

/**
 * The bodies of a pull (docs/FORMAT.md 14.3): PULL, the client's order to the server's replica to fetch a range from
 * a source and check it against an expected digest, and PULLED, what came of it.
 */
final class PullFrames {

    private PullFrames() {
    }

    /**
     * PULL; {@code signedBody} is what the proof signs: the body before the proof length.
     *
     * @param order      what to pull
     * @param proof      the client's proof, or an empty array
     * @param signedBody the body bytes before the proof length
     */
    record Pull(PullOrder order, byte[] proof, byte[] signedBody) {
    }

    /**
     * @param order what the server's replica is to pull
     * @return the PULL body before the proof length: what the client's proof signs
     * @throws IllegalArgumentException if a name is empty or over {@link RepairFrameFormat#MAX_PULL_NAME_BYTES}
     *                                  bytes, or the repair id is over
     *                                  {@link RepairFrameFormat#MAX_REPAIR_ID_BYTES} bytes
     */
    static byte[] pullSignedBody(PullOrder order) {
        byte[] endpoint = name("source endpoint", order.sourceEndpoint(), StandardCharsets.US_ASCII, 1,
                MAX_PULL_NAME_BYTES);
        byte[] replica = name("source replica id", order.sourceReplica(), StandardCharsets.UTF_8, 1,
                MAX_PULL_NAME_BYTES);
        byte[] repairId = name("repair id", order.repairId(), StandardCharsets.US_ASCII, 0, MAX_REPAIR_ID_BYTES);
        byte[] digest = digest(order.expected());
        int digestBody = digest.length - HEADER_LENGTH - 1;
        ByteBuffer b = buffer(3 + endpoint.length + replica.length + repairId.length + 4 + digestBody);
        b.put((byte) endpoint.length).put(endpoint);
        b.put((byte) replica.length).put(replica);
        b.put((byte) repairId.length).put(repairId);
        b.putInt(digestBody);
        b.put(digest, HEADER_LENGTH + 1, digestBody);
        return b.array();
    }

    /**
     * @param signedBody what {@link #pullSignedBody} returned
     * @param proof      the client's proof, or an empty array
     * @return a PULL frame
     */
    static byte[] pull(byte[] signedBody, byte[] proof) {
        ByteBuffer b = buffer(signedBody.length + 1 + proof.length);
        b.put(signedBody);
        putProof(b, proof);
        return frame(TYPE_PULL, b.array());
    }

    /** @return a PULLED frame */
    static byte[] pulled(PullOutcome o) {
        ByteBuffer b = buffer(8 * 5 + 1);
        b.putLong(o.sequence());
        b.putLong(o.count());
        b.putLong(o.bytes());
        b.putLong(o.wireBytes());
        b.putLong(o.bytesWritten());
        b.put((byte) (o.stagedOnDisk() ? 1 : 0));
        return frame(TYPE_PULLED, b.array());
    }

    private static byte[] name(String what, String value, java.nio.charset.Charset charset, int min, int max) {
        byte[] bytes = value.getBytes(charset);
        if (bytes.length < min || bytes.length > max) {
            throw new IllegalArgumentException("a PULL frame's " + what + " of " + bytes.length
                    + " bytes is outside " + min + ".." + max);
        }
        return bytes;
    }

    /**
     * @param b the body of a PULL frame
     * @return the decoded PULL
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static Pull decodePull(ByteBuffer b) {
        return parse("PULL", b, () -> {
            int start = b.position();
            String endpoint = new String(bytes(b, pullName(b, "source endpoint", 1, MAX_PULL_NAME_BYTES)),
                    StandardCharsets.US_ASCII);
            String replica = new String(bytes(b, pullName(b, "source replica id", 1, MAX_PULL_NAME_BYTES)),
                    StandardCharsets.UTF_8);
            String repairId = new String(bytes(b, pullName(b, "repair id", 0, MAX_REPAIR_ID_BYTES)),
                    StandardCharsets.US_ASCII);
            int d = b.getInt();
            if (d < 1 || d > b.remaining()) {
                throw malformed("PULL digest length " + d + " is below 1 or runs past the end of the body ("
                        + b.remaining() + " bytes left)");
            }
            int digestStart = b.position();
            int proofLengthAt = digestStart + d;
            ByteBuffer digestBody = b.duplicate().position(digestStart).limit(proofLengthAt).slice();
            RangeDigest expected = decodeDigest(digestBody);
            if (expected == null) {
                throw malformed("PULL carries no expected digest (found flag 0)");
            }
            byte[] signed = new byte[proofLengthAt - start];
            b.duplicate().position(start).get(signed);
            b.position(proofLengthAt);
            byte[] proof = proof("PULL", b);
            expectEnd("PULL", b);
            try {
                return new Pull(new PullOrder(endpoint, replica, repairId, expected), proof, signed);
            } catch (IllegalArgumentException e) {
                throw malformed("PULL holds an invalid order: " + e.getMessage());
            }
        });
    }

    /**
     * @param b the body of a PULLED frame
     * @return the decoded PULLED
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static PullOutcome decodePulled(ByteBuffer b) {
        return parse("PULLED", b, () -> {
            long sequence = b.getLong();
            long count = b.getLong();
            long bytes = b.getLong();
            long wire = b.getLong();
            long written = b.getLong();
            int staged = b.get() & 0xFF;
            if (staged > 1) {
                throw malformed("PULLED staged flag " + staged + " is neither 0 nor 1");
            }
            expectEnd("PULLED", b);
            try {
                return new PullOutcome(sequence, count, bytes, wire, written, staged == 1);
            } catch (IllegalArgumentException e) {
                throw malformed("PULLED holds an invalid outcome: " + e.getMessage());
            }
        });
    }

    private static int pullName(ByteBuffer b, String what, int min, int max) {
        int n = b.get() & 0xFF;
        if (n < min || n > max) {
            throw malformed("PULL " + what + " length " + n + " is outside " + min + ".." + max);
        }
        return n;
    }
}
