package io.kintsugi.repair.net;

import java.nio.ByteBuffer;

import static io.kintsugi.repair.net.FrameFields.buffer;
import static io.kintsugi.repair.net.FrameFields.bytes;
import static io.kintsugi.repair.net.FrameFields.expectEnd;
import static io.kintsugi.repair.net.FrameFields.malformed;
import static io.kintsugi.repair.net.FrameFields.parse;
import static io.kintsugi.repair.net.FrameFields.proof;
import static io.kintsugi.repair.net.FrameFields.putProof;
import static io.kintsugi.repair.net.RepairFrameFormat.KIND_DECIDE;
import static io.kintsugi.repair.net.RepairFrameFormat.KIND_DIGEST_AT;
import static io.kintsugi.repair.net.RepairFrameFormat.KIND_LINEAGE;
import static io.kintsugi.repair.net.RepairFrameFormat.KIND_PLANS;
import static io.kintsugi.repair.net.RepairFrameFormat.KIND_PULL;
import static io.kintsugi.repair.net.RepairFrameFormat.KIND_STREAM_RANGE;
import static io.kintsugi.repair.net.RepairFrameFormat.NONCE_LENGTH;
import static io.kintsugi.repair.net.RepairFrameFormat.PROTOCOL_VERSION;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_HELLO;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_REQUEST;
import static io.kintsugi.repair.net.RepairFrameFormat.TYPE_WELCOME;
import static io.kintsugi.repair.net.RepairFrameFormat.frame;
import static io.kintsugi.repair.net.RepairFrameFormat.isKind;

/**
 * The opening of every repair conversation (docs/FORMAT.md 14.3): HELLO, WELCOME and REQUEST. The frame, the type
 * codes, the request kinds and the limits are {@link RepairFrameFormat}'s; this class lays out these three bodies.
 */
final class HandshakeFrames {

    private HandshakeFrames() {
    }

    /** HELLO. */
    record Hello(int protocolVersion, byte[] nonce) {
    }

    /** WELCOME; {@code signedBody} is what the proof signs: the body before the proof length. */
    record Welcome(int protocolVersion, byte[] nonce, byte[] proof, byte[] signedBody) {
    }

    /** REQUEST. */
    record Request(int kind, long sequence, byte[] proof) {
    }

    /** @return a HELLO frame */
    static byte[] hello(byte[] nonce) {
        return frame(TYPE_HELLO, welcomeOrHelloBody(nonce));
    }

    /**
     * @param nonce the server's nonce
     * @return the WELCOME body before the proof length: what the server's proof signs
     */
    static byte[] welcomeSignedBody(byte[] nonce) {
        return welcomeOrHelloBody(nonce);
    }

    /**
     * @param signedBody what {@link #welcomeSignedBody} returned
     * @param proof      the server's proof, or an empty array
     * @return a WELCOME frame
     */
    static byte[] welcome(byte[] signedBody, byte[] proof) {
        ByteBuffer b = buffer(signedBody.length + 1 + proof.length);
        b.put(signedBody);
        putProof(b, proof);
        return frame(TYPE_WELCOME, b.array());
    }

    /**
     * @param kind     {@link RepairFrameFormat#KIND_DIGEST_AT} or {@link RepairFrameFormat#KIND_STREAM_RANGE}
     * @param sequence the sequence of the range, at least 0
     * @param proof    the client's proof, or an empty array
     * @return a REQUEST frame
     */
    static byte[] request(int kind, long sequence, byte[] proof) {
        checkKind(kind);
        if (sequence < 0) {
            throw new IllegalArgumentException("a request's sequence must be at least 0, was " + sequence);
        }
        ByteBuffer b = buffer(1 + 8 + 1 + proof.length);
        b.put((byte) kind);
        b.putLong(sequence);
        putProof(b, proof);
        return frame(TYPE_REQUEST, b.array());
    }

    /**
     * @param b the body of a frame of this type
     * @return the decoded HELLO
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static Hello decodeHello(ByteBuffer b) {
        return parse("HELLO", b, () -> {
            Hello h = new Hello(b.getShort() & 0xFFFF, bytes(b, NONCE_LENGTH));
            expectEnd("HELLO", b);
            return h;
        });
    }

    /**
     * @param b the body of a frame of this type
     * @return the decoded WELCOME
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static Welcome decodeWelcome(ByteBuffer b) {
        return parse("WELCOME", b, () -> {
            int start = b.position();
            int version = b.getShort() & 0xFFFF;
            byte[] nonce = bytes(b, NONCE_LENGTH);
            byte[] signed = new byte[b.position() - start];
            b.duplicate().position(start).get(signed);
            byte[] proof = proof("WELCOME", b);
            expectEnd("WELCOME", b);
            return new Welcome(version, nonce, proof, signed);
        });
    }

    /**
     * @param b the body of a frame of this type
     * @return the decoded REQUEST
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    static Request decodeRequest(ByteBuffer b) {
        return parse("REQUEST", b, () -> {
            int kind = b.get() & 0xFF;
            if (!isKind(kind)) {
                throw malformed("REQUEST kind " + kind + " is not " + KIND_DIGEST_AT + " (DIGEST_AT), "
                        + KIND_STREAM_RANGE + " (STREAM_RANGE), " + KIND_PULL + " (PULL), " + KIND_LINEAGE
                        + " (LINEAGE), " + KIND_PLANS + " (PLANS) or " + KIND_DECIDE + " (DECIDE)");
            }
            long sequence = b.getLong();
            if (sequence < 0) {
                throw malformed("REQUEST sequence " + sequence + " is below 0");
            }
            byte[] proof = proof("REQUEST", b);
            expectEnd("REQUEST", b);
            return new Request(kind, sequence, proof);
        });
    }

    private static void checkKind(int kind) {
        if (!isKind(kind)) {
            throw new IllegalArgumentException("request kind must be " + KIND_DIGEST_AT + " to " + KIND_DECIDE
                    + ", was " + kind);
        }
    }

    private static byte[] welcomeOrHelloBody(byte[] nonce) {
        ByteBuffer b = buffer(2 + NONCE_LENGTH);
        b.putShort((short) PROTOCOL_VERSION);
        b.put(checkNonce(nonce));
        return b.array();
    }

    private static byte[] checkNonce(byte[] nonce) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a nonce is " + NONCE_LENGTH + " bytes, got " + nonce.length);
        }
        return nonce;
    }
}
