package io.kintsugi.repair.net;

import java.util.Arrays;

/**
 * A range bound as the health log shows it: the key's length and a 32-bit hash of it ({@link Arrays#hashCode(byte[])}),
 * never its bytes. Enough to match a plan to the health entries that flagged its range; not enough to recover a key.
 *
 * @param length the key's length in bytes, 0 to {@link io.kintsugi.engine.Limits#MAX_KEY_LENGTH} + 1
 * @param hash   {@code Arrays.hashCode(key)}
 */
public record KeyFingerprint(int length, int hash) {

    /** @throws IllegalArgumentException if the length is outside 0 to the longest bound */
    public KeyFingerprint {
        if (length < 0 || length > RepairFrameFormat.MAX_TO_LENGTH) {
            throw new IllegalArgumentException("a key fingerprint's length must be from 0 to "
                    + RepairFrameFormat.MAX_TO_LENGTH + ", was " + length);
        }
    }

    /**
     * @param key a key or bound, or null for an open bound
     * @return its fingerprint, or null for null
     */
    public static KeyFingerprint of(byte[] key) {
        return key == null ? null : new KeyFingerprint(key.length, Arrays.hashCode(key));
    }

    /**
     * @param from the range's first key (inclusive), or null for the start of the namespace
     * @param to   the range's end (exclusive), or null for the end of the namespace
     * @return the range as health entries print it: {@code [key#1a2b3c4d/16B .. end)}
     */
    public static String range(KeyFingerprint from, KeyFingerprint to) {
        return "[" + (from == null ? "start" : from) + " .. " + (to == null ? "end" : to) + ")";
    }

    /** @return {@code key#<hash as 8 hex digits>/<length>B} */
    @Override
    public String toString() {
        return "key#" + String.format("%08x", hash) + "/" + length + "B";
    }
}
