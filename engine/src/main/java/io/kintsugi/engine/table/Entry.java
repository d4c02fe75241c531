package io.kintsugi.engine.table;

import java.util.Objects;

/**
 * One version of one key: the key (namespace prefix included), the sequence number of the write that made it, its
 * kind, and for {@link EntryKind#PUT} the value.
 *
 * <p>Entries are ordered by {@link InternalKeys#COMPARATOR}: keys ascending as unsigned bytes, and for equal keys
 * the newest (highest sequence) first. Arrays are not copied: callers must not change them.
 *
 * @param key      the internal key: namespace id prefix followed by the user's key
 * @param sequence sequence number of the write
 * @param kind     put or delete
 * @param value    the value of a put; an empty array for a delete
 */
public record Entry(byte[] key, long sequence, EntryKind kind, byte[] value) {

    private static final byte[] NO_VALUE = new byte[0];

    /**
     * @throws NullPointerException if a component is null
     */
    public Entry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /**
     * @param key      internal key
     * @param sequence sequence of the write
     * @param value    the value
     * @return a put entry
     */
    public static Entry put(byte[] key, long sequence, byte[] value) {
        return new Entry(key, sequence, EntryKind.PUT, value);
    }

    /**
     * @param key      internal key
     * @param sequence sequence of the delete
     * @return a tombstone
     */
    public static Entry delete(byte[] key, long sequence) {
        return new Entry(key, sequence, EntryKind.DELETE, NO_VALUE);
    }

    /** @return whether this entry is a tombstone */
    public boolean isDelete() {
        return kind == EntryKind.DELETE;
    }

    /** Metadata only: key and value bytes are never printed. */
    @Override
    public String toString() {
        return "Entry{keyLength=" + key.length + ", sequence=" + sequence + ", kind=" + kind + ", valueLength="
                + value.length + '}';
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && sequence == e.sequence && kind == e.kind
                && java.util.Arrays.equals(key, e.key) && java.util.Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(key) * 31 + Long.hashCode(sequence);
    }
}
