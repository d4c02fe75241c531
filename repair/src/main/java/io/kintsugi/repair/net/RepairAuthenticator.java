package io.kintsugi.repair.net;

import io.kintsugi.engine.replication.SharedSecret;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The shared-secret challenge of a repair connection, in the manner of replication's: each side sends a fresh
 * random nonce; the server proves it knows the secret with an HMAC-SHA256 over the client's nonce and its WELCOME,
 * the client with one over both nonces, the request kind and the sequence. A process without the secret can neither
 * read a replica's ranges nor feed a client a range; a recorded conversation is useless later (new nonces). The
 * labels differ from replication's so that a proof of one protocol is never accepted by the other.
 */
final class RepairAuthenticator {

    private static final byte[] WELCOME_LABEL = "kintsugi repair welcome v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_LABEL = "kintsugi repair request v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PULL_LABEL = "kintsugi repair pull v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LINEAGE_LABEL = "kintsugi repair lineage v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DECISION_LABEL = "kintsugi repair decision v1".getBytes(StandardCharsets.US_ASCII);

    private final SharedSecret secret;

    /** @param secret the shared secret, or null for none */
    RepairAuthenticator(byte[] secret) {
        this.secret = new SharedSecret(secret);
    }

    boolean enabled() {
        return secret.enabled();
    }

    static byte[] nonce() {
        return SharedSecret.nonce(RepairFrameFormat.NONCE_LENGTH);
    }

    /** @return the server's proof for a WELCOME, or an empty array without a secret */
    byte[] welcomeProof(byte[] clientNonce, byte[] signedWelcomeBody) {
        return secret.proof(WELCOME_LABEL, clientNonce, signedWelcomeBody);
    }

    /** @return the client's proof for a REQUEST, or an empty array without a secret */
    byte[] requestProof(byte[] serverNonce, byte[] clientNonce, int kind, long sequence) {
        if (!enabled()) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate(9); // big-endian, as replication's proofs
        b.put((byte) kind).putLong(sequence);
        return secret.proof(REQUEST_LABEL, serverNonce, clientNonce, b.array());
    }

    /**
     * @return the client's proof for a PULL frame (over both nonces and the whole order, so that no one without the
     *         secret can point a replica at another source or digest), or an empty array without a secret
     */
    byte[] pullProof(byte[] serverNonce, byte[] clientNonce, byte[] signedPullBody) {
        return secret.proof(PULL_LABEL, serverNonce, clientNonce, signedPullBody);
    }

    /**
     * @return the client's proof for a LINEAGE_QUERY frame (over both nonces and the whole query, so that an answer
     *         cannot be made to fit another question), or an empty array without a secret
     */
    byte[] lineageProof(byte[] serverNonce, byte[] clientNonce, byte[] signedQueryBody) {
        return secret.proof(LINEAGE_LABEL, serverNonce, clientNonce, signedQueryBody);
    }

    /**
     * @return the client's proof for a DECISION frame (over both nonces and the whole decision, so that no one
     *         without the secret can approve or reject a plan, nor replay a decision on another connection), or an
     *         empty array without a secret
     */
    byte[] decisionProof(byte[] serverNonce, byte[] clientNonce, byte[] signedDecisionBody) {
        return secret.proof(DECISION_LABEL, serverNonce, clientNonce, signedDecisionBody);
    }

    /**
     * Whether {@code actual} is the proof this side expects. Without a secret only an empty proof matches; with
     * one, only the right HMAC, compared in constant time so that timing does not reveal how much of a forged
     * proof was right.
     */
    static boolean matches(byte[] expected, byte[] actual) {
        return SharedSecret.matches(expected, actual);
    }
}
