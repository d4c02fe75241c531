package io.kintsugi.engine.format;

import java.util.Arrays;

/**
 * A growable little-endian byte array that format classes encode into. Not thread-safe.
 */
public final class ByteSink {

    private byte[] buf;
    private int size;

    /**
     * @param initialCapacity bytes to allocate up front
     */
    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** @return the number of bytes written */
    public int size() {
        return size;
    }

    /** Forgets every byte written, keeping the allocated array. */
    public void reset() {
        size = 0;
    }

    /**
     * The internal array; bytes {@code [0, size())} are the content. Valid until the next write.
     *
     * @return the internal array, not a copy
     */
    public byte[] array() {
        return buf;
    }

    /** @return a copy of the content */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** @param v the byte to append (low 8 bits) */
    public void putByte(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    /** @param v the int to append, little-endian */
    public void putInt(int v) {
        ensure(4);
        putIntAt(size, v);
        size += 4;
    }

    /** @param v the long to append, little-endian */
    public void putLong(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
    }

    /**
     * Appends an unsigned LEB128 varint: 7 bits per byte, least significant group first, high bit set on every
     * byte but the last; 1 to 5 bytes.
     *
     * @param v a non-negative int
     */
    public void putVarint(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("varints hold non-negative ints, got " + v);
        }
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    /** @param b the bytes to append */
    public void putBytes(byte[] b) {
        putBytes(b, 0, b.length);
    }

    /**
     * @param b   source array
     * @param off first byte to append
     * @param len number of bytes
     */
    public void putBytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /**
     * Overwrites four bytes already written.
     *
     * @param index absolute index
     * @param v     the int, little-endian
     */
    public void putIntAt(int index, int v) {
        for (int i = 0; i < 4; i++) {
            buf[index + i] = (byte) (v >>> (8 * i));
        }
    }

    /** @return the number of bytes {@link #putVarint} writes for {@code v} */
    public static int varintLength(int v) {
        int n = 1;
        while ((v & ~0x7F) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > buf.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a block cannot exceed 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, buf.length * 2L)));
        }
    }
}
