package io.kintsugi.validation;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A 128-bit hash value, as two longs. Its text form is 32 lowercase hex digits, high half first.
 *
 * @param high the upper 64 bits
 * @param low  the lower 64 bits
 */
public record Hash128(long high, long low) {

    /**
     * @param hex 32 hex digits, as {@link #toString()} writes them
     * @return the hash
     * @throws IllegalArgumentException if {@code hex} is not 32 hex digits
     */
    public static Hash128 parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        if (hex.length() != 32) {
            throw new IllegalArgumentException("a 128-bit hash is 32 hex digits, got " + hex.length() + " characters");
        }
        try {
            return new Hash128(Long.parseUnsignedLong(hex.substring(0, 16), 16),
                    Long.parseUnsignedLong(hex.substring(16), 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a 128-bit hash is 32 hex digits: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
    }
}
