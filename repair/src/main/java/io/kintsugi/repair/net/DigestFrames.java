package io.kintsugi.repair.net;

import io.kintsugi.validation.Hash128;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.kintsugi.repair.net.FrameFields.buffer;
import static io.kintsugi.repair.net.FrameFields.bytes;
import static io.kintsugi.repair.net.FrameFields.detail;
import static io.kintsugi.repair.net.FrameFields.expectEnd;
import static io.kintsugi.repair.net.FrameFields.malformed;
import static io.kintsugi.repair.net.FrameFields.parse;
import static io.kintsugi.repair.net.FrameFields.sized;
import static io.kintsugi.repair.net.RepairFrameFormat.FLAG_OPEN_END;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_FROM_LENGTH;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_TO_LENGTH;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_DIGEST;
import static io.kintsugi.repair.net.RepairFrameFormat.frame;

/**
 * The DIGEST body of the repair protocol (docs/FORMAT.md 14.3): a range's digest, or that none is held. PULL carries
 * the same body as its expected digest, so {@link PullFrames} builds and reads it here too.
 */
final class DigestFrames {

    private DigestFrames() {
    }

    /** @return a DIGEST frame saying that no range is held at the sequence asked for */
    static byte[] noDigest() {
        return frame(TYPE_DIGEST, new byte[] {0});
    }

    /** @return a DIGEST frame carrying {@code d} */
    static byte[] digest(RangeDigest d) {
        byte[] ns = d.namespace().getBytes(StandardCharsets.US_ASCII);
        byte[] from = d.from();
        byte[] to = d.to();
        byte[] detail = d.detail().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = buffer(1 + 8 + 1 + 8 + 8 + 16 + 1 + 1 + ns.length + 4 + from.length
                + (to == null ? 0 : 4 + to.length) + 2 + detail.length);
        b.put((byte) 1);
        b.putLong(d.sequence());
        b.put((byte) d.status().code());
        b.putLong(d.count());
        b.putLong(d.bytes());
        b.putLong(d.hash().low());
        b.putLong(d.hash().high());
        b.put((byte) (to == null ? FLAG_OPEN_END : 0));
        b.put((byte) ns.length);
        b.put(ns);
        b.putInt(from.length);
        b.put(from);
        if (to != null) {
            b.putInt(to.length);
            b.put(to);
        }
        b.putShort((short) detail.length);
        b.put(detail);
        return frame(TYPE_DIGEST, b.array());
    }

    /**
     * @param b the body of a DIGEST frame
     * @return the digest, or null when the frame says that no range is held
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static RangeDigest decodeDigest(ByteBuffer b) {
        return parse("DIGEST", b, () -> {
            int found = b.get() & 0xFF;
            if (found == 0) {
                expectEnd("DIGEST", b);
                return null;
            }
            if (found != 1) {
                throw malformed("DIGEST found flag " + found + " is neither 0 nor 1");
            }
            long sequence = b.getLong();
            int statusCode = b.get() & 0xFF;
            long count = b.getLong();
            long bytes = b.getLong();
            long low = b.getLong();
            long high = b.getLong();
            int flags = b.get() & 0xFF;
            if ((flags & ~FLAG_OPEN_END) != 0) {
                throw malformed(String.format("DIGEST flags 0x%02x set bits other than bit 0", flags));
            }
            int nsLength = b.get() & 0xFF;
            String ns = new String(bytes(b, nsLength), StandardCharsets.US_ASCII);
            byte[] from = sized(b, "DIGEST from", MAX_FROM_LENGTH);
            byte[] to = (flags & FLAG_OPEN_END) != 0 ? null : sized(b, "DIGEST to", MAX_TO_LENGTH);
            String detail = detail("DIGEST", b);
            expectEnd("DIGEST", b);
            RangeDigest.Status status;
            try {
                status = RangeDigest.Status.ofCode(statusCode);
                return new RangeDigest(ns, from, to, sequence, count, bytes, new Hash128(high, low), status, detail);
            } catch (IllegalArgumentException e) {
                throw malformed("DIGEST holds an invalid digest: " + e.getMessage());
            }
        });
    }
}
