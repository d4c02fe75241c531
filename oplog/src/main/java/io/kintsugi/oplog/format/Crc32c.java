package io.kintsugi.oplog.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli) as stored in every Kintsugi file. The JDK's {@link CRC32C} uses the CPU's CRC instructions.
 *
 * <p>Stored checksums are <em>masked</em>: rotated right by 15 bits and offset by a constant. A CRC computed over
 * bytes that themselves contain CRCs, or over a run of zeros, is then unlikely to look valid: in particular an
 * all-zero region (a hole left by a crash or a zeroed block) never carries a matching masked CRC of zero.
 */
public final class Crc32c {

    private static final int MASK_DELTA = 0xa282ead8;

    private Crc32c() {
    }

    /**
     * @param crc an unmasked CRC32C
     * @return the value to store
     */
    public static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    /**
     * @param masked a stored, masked CRC32C
     * @return the CRC32C it stands for
     */
    public static int unmask(int masked) {
        int rot = masked - MASK_DELTA;
        return (rot >>> 17) | (rot << 15);
    }

    /**
     * The masked CRC32C of the remaining bytes of {@code buffer}, without moving its position.
     *
     * @param buffer the bytes to checksum, from position to limit
     * @return the masked CRC32C
     */
    public static int maskedOf(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate());
        return mask((int) crc.getValue());
    }

    /**
     * The masked CRC32C of {@code buffer[from, to)}, without moving its position.
     *
     * @param buffer the buffer
     * @param from   first byte covered, an absolute index
     * @param to     end of the covered range, exclusive
     * @return the masked CRC32C
     */
    public static int maskedOf(ByteBuffer buffer, int from, int to) {
        return maskedOf(buffer.duplicate().limit(to).position(from));
    }
}
