package io.kintsugi.engine;

import io.kintsugi.engine.replication.SharedSecret;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The shared-secret challenge of a replication connection. Each side sends a fresh random nonce; the primary proves
 * it knows the secret with an HMAC-SHA256 over the follower's nonce and its whole WELCOME, the follower with one over
 * both nonces, its id, the highest term it has seen and the sequence it asks for. A primary acts on a follower's
 * term (and steps down) only once that proof checked out. A recorded conversation is useless later (new nonces), and a
 * process without the secret can neither feed records to a follower nor read a primary's log.
 */
final class Authenticator {

    private static final byte[] WELCOME_LABEL = "kintsugi replication welcome v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FETCH_LABEL = "kintsugi replication fetch v1".getBytes(StandardCharsets.US_ASCII);

    private final SharedSecret secret;

    /** @param secret the shared secret, or null for none */
    Authenticator(byte[] secret) {
        this.secret = new SharedSecret(secret);
    }

    boolean enabled() {
        return secret.enabled();
    }

    static byte[] nonce() {
        return SharedSecret.nonce(32);
    }

    /** @return the primary's proof for a WELCOME, or an empty array without a secret */
    byte[] welcomeProof(byte[] followerNonce, byte[] signedWelcomeBody) {
        return secret.proof(WELCOME_LABEL, followerNonce, signedWelcomeBody);
    }

    /** @return the follower's proof for a FETCH, or an empty array without a secret */
    byte[] fetchProof(byte[] primaryNonce, byte[] followerNonce, UUID follower, long followerTerm,
                      long fromSequence) {
        if (!enabled()) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putLong(follower.getMostSignificantBits()).putLong(follower.getLeastSignificantBits())
                .putLong(followerTerm).putLong(fromSequence);
        return secret.proof(FETCH_LABEL, primaryNonce, followerNonce, b.array());
    }

    /** Compares in constant time, so that timing does not reveal how much of a forged proof was right. */
    static boolean matches(byte[] expected, byte[] actual) {
        return SharedSecret.matches(expected, actual);
    }
}
