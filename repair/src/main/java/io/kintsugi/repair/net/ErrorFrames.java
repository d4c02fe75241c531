package io.kintsugi.repair.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.kintsugi.repair.net.FrameFields.buffer;
import static io.kintsugi.repair.net.FrameFields.detail;
import static io.kintsugi.repair.net.FrameFields.expectEnd;
import static io.kintsugi.repair.net.FrameFields.parse;
import static io.kintsugi.repair.net.RepairFrameFormat.MAX_DETAIL_BYTES;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_ERROR;
import static io.kintsugi.repair.net.RepairFrameFormat.frame;

/**
 * The ERROR body of the repair protocol (docs/FORMAT.md 14.3): either side ends the conversation and says why, with
 * a reason from {@link RepairFrameFormat}'s REASON_ constants and a detail that is metadata only.
 */
final class ErrorFrames {

    private ErrorFrames() {
    }

    /** ERROR. */
    record Error(int reason, String detail) {
    }

    /**
     * @param reason one of the REASON_ constants
     * @param detail why, metadata only; cut to {@value RepairFrameFormat#MAX_DETAIL_BYTES} bytes
     * @return an ERROR frame
     */
    static byte[] error(int reason, String detail) {
        byte[] text = detail.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_DETAIL_BYTES);
        ByteBuffer b = buffer(1 + 2 + n);
        b.put((byte) reason);
        b.putShort((short) n);
        b.put(text, 0, n);
        return frame(TYPE_ERROR, b.array());
    }

    /**
     * @param b the body of an ERROR frame
     * @return the decoded ERROR; its detail is decoded leniently (a cut text may end inside a character)
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static Error decodeError(ByteBuffer b) {
        return parse("ERROR", b, () -> {
            int reason = b.get() & 0xFF;
            String detail = detail("ERROR", b);
            expectEnd("ERROR", b);
            return new Error(reason, detail);
        });
    }
}
