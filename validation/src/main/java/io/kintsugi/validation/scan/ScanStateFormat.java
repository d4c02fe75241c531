package io.kintsugi.validation.scan;

import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.FileHeader;
import io.kintsugi.oplog.format.FileKind;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The scan state file, {@value #FILE_NAME} in the store directory: where the store's range-hash scan stands
 * ({@link ScanState}). Small, rewritten whole and atomically after every batch.
 *
 * <p>Layout (little-endian):
 * <pre>
 * offset size field
 *      0   24 common header   {@link FileHeader}, kind {@link FileKind#SCAN_STATE}, version {@value #VERSION_CURRENT},
 *                             owner id = the store id
 *     24    8 scan id
 *     32    8 batches          0 or more
 *     40    8 keys             0 or more
 *     48    8 bytes            0 or more
 *     56    1 flags            bit 0: the target is one namespace; bit 1: the target has an end key; others 0
 *     57      target namespace (only with flag bit 0): 1-byte length 1..64, ASCII name
 *             target from      4-byte length 0..65536, key
 *             target to        (only with flag bit 1) 4-byte length 0..65536, key
 *             current namespace 1-byte length 1..64, ASCII name
 *             next from        4-byte length 0..65537, key
 *          4 crc              masked CRC32C of every byte before it
 * </pre>
 */
public final class ScanStateFormat {

    /** The file's name in the store directory. */
    public static final String FILE_NAME = "scan-state";
    public static final int VERSION_START = 1;
    public static final int VERSION_CURRENT = 1;
    public static final int SCAN_ID_OFFSET = FileHeader.LENGTH;
    public static final int FLAGS_OFFSET = SCAN_ID_OFFSET + 32;
    public static final int FLAG_ONE_NAMESPACE = 1;
    public static final int FLAG_END_KEY = 2;
    private static final int MAX_KEY = RangeHashMarkerFormat.MAX_KEY_LENGTH;

    private ScanStateFormat() {
    }

    /**
     * @param storeId the owning store
     * @param s       the state
     * @return the file's bytes
     */
    public static byte[] encode(UUID storeId, ScanState s) {
        byte[] target = s.targetNamespace() == null ? null : s.targetNamespace().getBytes(StandardCharsets.US_ASCII);
        byte[] current = s.currentNamespace().getBytes(StandardCharsets.US_ASCII);
        byte[] from = s.targetFrom();
        byte[] to = s.targetTo();
        byte[] next = s.nextFrom();
        int length = FLAGS_OFFSET + 1 + (target == null ? 0 : 1 + target.length) + 4 + from.length
                + (to == null ? 0 : 4 + to.length) + 1 + current.length + 4 + next.length + 4;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        FileHeader.write(b, FileKind.SCAN_STATE, VERSION_CURRENT, storeId);
        b.position(SCAN_ID_OFFSET);
        b.putLong(s.scanId()).putLong(s.batches()).putLong(s.keys()).putLong(s.bytes());
        b.put((byte) ((target == null ? 0 : FLAG_ONE_NAMESPACE) | (to == null ? 0 : FLAG_END_KEY)));
        if (target != null) {
            b.put((byte) target.length).put(target);
        }
        b.putInt(from.length).put(from);
        if (to != null) {
            b.putInt(to.length).put(to);
        }
        b.put((byte) current.length).put(current);
        b.putInt(next.length).put(next);
        b.putInt(Crc32c.maskedOf(b, 0, b.position()));
        return b.array();
    }

    /**
     * @param bytes   the file's content
     * @param file    the file, for reports
     * @param storeId the store it must belong to
     * @return the state
     * @throws CorruptionException if the checksum, the header, the owner or a field is wrong
     */
    public static ScanState decode(byte[] bytes, Path file, UUID storeId) {
        if (bytes.length < FLAGS_OFFSET + 1 + 4 + 1 + 1 + 4 + 4) {
            throw new CorruptionException(CorruptionReport.of(file, 0, bytes.length, CorruptionKind.TRUNCATED,
                    "the scan state file has only " + bytes.length + " bytes"));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int end = bytes.length - 4;
        int stored = b.getInt(end);
        int actual = Crc32c.maskedOf(b, 0, end);
        if (stored != actual) {
            throw new CorruptionException(CorruptionReport.checksum(file, 0, bytes.length, stored, actual,
                    "the scan state file does not match its checksum"));
        }
        UUID owner = FileHeader.check(b, file, FileKind.SCAN_STATE, VERSION_START, VERSION_CURRENT);
        if (!owner.equals(storeId)) {
            throw new CorruptionException(CorruptionReport.of(file, FileHeader.OWNER_ID_OFFSET, 16,
                    CorruptionKind.FOREIGN_FILE, "the scan state file belongs to store " + owner + ", not to "
                            + storeId));
        }
        try {
            b.position(SCAN_ID_OFFSET);
            long scanId = b.getLong();
            long batches = b.getLong();
            long keys = b.getLong();
            long total = b.getLong();
            int flags = b.get() & 0xff;
            if (batches < 0 || keys < 0 || total < 0 || (flags & ~(FLAG_ONE_NAMESPACE | FLAG_END_KEY)) != 0
                    || (flags == FLAG_END_KEY)) {
                throw invalid(file, "negative totals or invalid flags " + flags);
            }
            String target = (flags & FLAG_ONE_NAMESPACE) != 0 ? name(b, file) : null;
            byte[] from = key(b, MAX_KEY, file);
            byte[] to = (flags & FLAG_END_KEY) != 0 ? key(b, MAX_KEY, file) : null;
            String current = name(b, file);
            byte[] next = key(b, MAX_KEY + 1, file);
            if (b.position() != end) {
                throw invalid(file, (end - b.position()) + " bytes follow the last field");
            }
            return new ScanState(scanId, target, from, to, current, next, batches, keys, total);
        } catch (BufferUnderflowException e) {
            throw invalid(file, "a field runs past the end of the file");
        }
    }

    private static String name(ByteBuffer b, Path file) {
        int n = b.get() & 0xff;
        if (n < 1 || n > 64 || n > b.remaining()) {
            throw invalid(file, "a namespace name length of " + n + " is outside 1..64");
        }
        byte[] name = new byte[n];
        b.get(name);
        String s = new String(name, StandardCharsets.US_ASCII);
        if (!s.matches("[a-z0-9_.-]{1,64}")) {
            throw invalid(file, "a namespace name has characters outside [a-z0-9_.-]");
        }
        return s;
    }

    private static byte[] key(ByteBuffer b, int max, Path file) {
        int n = b.getInt();
        if (n < 0 || n > max || n > b.remaining()) {
            throw invalid(file, "a key length of " + Integer.toUnsignedString(n) + " is outside 0.." + max);
        }
        byte[] k = new byte[n];
        b.get(k);
        return k;
    }

    private static CorruptionException invalid(Path file, String detail) {
        return new CorruptionException(CorruptionReport.of(file, -1, -1, CorruptionKind.INVALID_CONTENT,
                "the scan state file passed its checksum but is invalid: " + detail));
    }
}
