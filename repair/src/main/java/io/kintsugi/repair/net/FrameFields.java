package io.kintsugi.repair.net;

import io.kintsugi.repair.net.RepairProtocolException.Problem;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import static io.kintsugi.repair.net.RepairFrameFormat.MAX_DETAIL_BYTES;
import static io.kintsugi.repair.net.RepairFrameFormat.NONCE_LENGTH;

/**
 * The field encodings every repair body shares (docs/FORMAT.md 14.3), little-endian: a proof (u8 length, 0 or 32
 * bytes), a detail text (u16 length, UTF-8), a sized byte string (u32 length), and the rule that a body ends exactly
 * after its last field. A body that breaks one is a {@code MALFORMED} frame. Kept apart from the frame families so
 * that each family's class holds only its own layout.
 */
final class FrameFields {

    private FrameFields() {
    }

    interface Parser<T> {
        T parse();
    }

    /** Runs a decoder, turning a body that ends before its last field into a MALFORMED frame. */
    static <T> T parse(String what, ByteBuffer b, Parser<T> p) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        try {
            return p.parse();
        } catch (BufferUnderflowException e) {
            throw malformed(what + " body ends before its last field");
        }
    }

    static void putProof(ByteBuffer b, byte[] proof) {
        if (proof.length != 0 && proof.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a proof is 0 or " + NONCE_LENGTH + " bytes, got " + proof.length);
        }
        b.put((byte) proof.length);
        b.put(proof);
    }

    static byte[] proof(String what, ByteBuffer b) {
        int m = b.get() & 0xFF;
        if (m != 0 && m != NONCE_LENGTH) {
            throw malformed(what + " proof length " + m + " is neither 0 nor " + NONCE_LENGTH);
        }
        return bytes(b, m);
    }

    static byte[] sized(ByteBuffer b, String what, int limit) {
        int n = b.getInt();
        if (n < 0 || n > limit) {
            throw malformed(what + " length " + n + " is outside 0.." + limit);
        }
        if (n > b.remaining()) {
            throw malformed(what + " length " + n + " runs past the end of the body (" + b.remaining()
                    + " bytes left)");
        }
        return bytes(b, n);
    }

    static String detail(String what, ByteBuffer b) {
        int k = b.getShort() & 0xFFFF;
        if (k > MAX_DETAIL_BYTES) {
            throw malformed(what + " detail length " + k + " exceeds " + MAX_DETAIL_BYTES);
        }
        byte[] text = bytes(b, k);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(text)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw malformed(what + " detail is not UTF-8");
        }
    }

    static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    static void expectEnd(String what, ByteBuffer b) {
        if (b.hasRemaining()) {
            throw malformed(what + " body has " + b.remaining() + " bytes after its last field");
        }
    }

    static RepairProtocolException malformed(String message) {
        return new RepairProtocolException(Problem.MALFORMED, message);
    }

    static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
