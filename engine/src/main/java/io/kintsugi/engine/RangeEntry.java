package io.kintsugi.engine;

import java.util.Objects;

/**
 * One key and its value in a range image handed to {@link Store#installRange}: the true contents of a key of the
 * range at the image's sequence, as a healthy replica holds them. Arrays are not copied here; the store copies the
 * value when it installs it.
 *
 * @param key   the user's key (no namespace prefix)
 * @param value the value
 */
public record RangeEntry(byte[] key, byte[] value) {

    /**
     * @throws NullPointerException if the key or the value is null
     */
    public RangeEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangeEntry e && java.util.Arrays.equals(key, e.key)
                && java.util.Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(key) * 31 + java.util.Arrays.hashCode(value);
    }

    /** Metadata only: key and value bytes are never printed. */
    @Override
    public String toString() {
        return "RangeEntry{keyLength=" + key.length + ", valueLength=" + value.length + '}';
    }
}
