package io.kintsugi.engine.replication;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives of a shared-secret challenge between replicas: fresh random nonces, HMAC-SHA256 proofs over a
 * protocol's own label and fields, and a constant-time comparison. Replication and repair each build their proofs on
 * it with labels of their own, so that a proof of one protocol is never accepted by the other.
 */
public final class SharedSecret {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] secret;

    /** @param secret the shared secret, or null for none (then every proof is empty) */
    public SharedSecret(byte[] secret) {
        this.secret = secret == null ? null : secret.clone();
    }

    /** @return whether there is a secret, so that proofs are made and checked */
    public boolean enabled() {
        return secret != null;
    }

    /**
     * @param length the nonce's length in bytes
     * @return fresh random bytes from a {@link SecureRandom}
     */
    public static byte[] nonce(int length) {
        byte[] n = new byte[length];
        RANDOM.nextBytes(n);
        return n;
    }

    /**
     * @param parts the label, then the fields the proof covers, in order
     * @return HMAC-SHA256 over the parts, or an empty array without a secret
     */
    public byte[] proof(byte[]... parts) {
        if (!enabled()) {
            return new byte[0];
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            // Every Java platform must provide HmacSHA256.
            throw new IllegalStateException("HmacSHA256 is not available: " + e, e);
        }
    }

    /**
     * Compares in constant time, so that timing does not reveal how much of a forged proof was right.
     *
     * @param expected the proof this side computed
     * @param actual   the proof the peer sent
     * @return whether they are equal
     */
    public static boolean matches(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }
}
