package io.kintsugi.engine.format;

import io.kintsugi.engine.table.EntryKind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The payload of the store's oplog records. The oplog frames and checksums each record; this class defines what is
 * inside. Every write, single put or batch, is one {@link #TYPE_WRITE_BATCH} record, so that after a crash a batch
 * is either all there or not at all, and replication ships exactly what the primary applied.
 *
 * <p>Record types (the oplog's type byte):
 * <ul>
 *   <li>{@value #TYPE_WRITE_BATCH} write batch; layout (little-endian):
 * <pre>
 * offset size field
 *      0    4 count      number of operations, 1..{@code Limits.MAX_BATCH_OPERATIONS}
 *      4      operations, each:
 *           1   kind         {@link EntryKind#code()}: 1 put, 2 delete
 *           4   namespace    namespace id, unsigned, at least 1
 *           4   key length   0..65536
 *           n   key
 *           4   value length (put only) 0..16 MiB
 *           m   value        (put only)
 * </pre>
 *   </li>
 *   <li>{@value #TYPE_NAMESPACE} namespace created; layout: 4-byte namespace id, 1-byte name length, name in ASCII.
 *       Replaying it for an id that already has this name is a no-op.</li>
 *   <li>{@value #TYPE_LOG_MARKER} log marker: a record that changes no data but marks a point in the log for a store
 *       extension (the validation module's range-hash markers). The engine neither decodes nor applies its payload;
 *       it hands the payload, with a snapshot of the store at exactly that point, to the store's
 *       {@code StoreExtension}s.</li>
 * </ul>
 * Operations apply in order; when one batch writes a key twice, the later operation wins.
 */
public final class WriteBatchFormat {

    /** Oplog record type of a write batch. */
    public static final int TYPE_WRITE_BATCH = 1;
    /** Oplog record type of a namespace creation. */
    public static final int TYPE_NAMESPACE = 2;
    /** Oplog record type of a log marker, whose payload belongs to a store extension. */
    public static final int TYPE_LOG_MARKER = 3;

    public static final int COUNT_OFFSET = 0;
    public static final int OPERATIONS_OFFSET = COUNT_OFFSET + 4;
    /** Bytes of an operation besides its key and value: kind, namespace, key length, value length. */
    public static final int OPERATION_OVERHEAD = 1 + 4 + 4 + 4;

    private WriteBatchFormat() {
    }

    /**
     * One decoded operation.
     *
     * @param kind      put or delete
     * @param namespace namespace id
     * @param key       the user's key (without namespace prefix)
     * @param value     the value; empty for a delete
     */
    public record Operation(EntryKind kind, int namespace, byte[] key, byte[] value) {
    }

    /**
     * @param ops operations in order
     * @return the encoded payload
     */
    public static byte[] encode(List<Operation> ops) {
        long size = OPERATIONS_OFFSET;
        for (Operation op : ops) {
            size += OPERATION_OVERHEAD + op.key().length + op.value().length;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("write batch of " + size + " bytes is too large");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(ops.size());
        for (Operation op : ops) {
            b.put((byte) op.kind().code());
            b.putInt(op.namespace());
            b.putInt(op.key().length);
            b.put(op.key());
            if (op.kind() == EntryKind.PUT) {
                b.putInt(op.value().length);
                b.put(op.value());
            }
        }
        if (b.hasRemaining()) {
            // deletes carry no value length: hand back exactly the bytes written
            byte[] exact = new byte[b.position()];
            System.arraycopy(b.array(), 0, exact, 0, exact.length);
            return exact;
        }
        return b.array();
    }

    /** Receives the keys of a write batch in place, without copies. */
    @FunctionalInterface
    public interface KeyVisitor {
        /**
         * @param namespace namespace id of the operation
         * @param payload   the whole payload; the key is {@code payload[offset .. offset + length)}
         * @param offset    where the key starts
         * @param length    the key's length
         */
        void key(int namespace, byte[] payload, int offset, int length);
    }

    /**
     * Walks a write batch payload and hands each operation's key to {@code visitor} in place: the cheap path for
     * code that only needs to know which keys a record touched (it runs on the oplog's writer thread), with the
     * same checks as {@link #decode}.
     *
     * @param payload the payload of a {@link #TYPE_WRITE_BATCH} record
     * @param visitor receives every key in order
     * @throws MalformedPayloadException if a field is out of range or the lengths do not add up
     */
    public static void forEachKey(byte[] payload, KeyVisitor visitor) {
        walk(payload, (kind, ns, keyOffset, keyLength, valueOffset, valueLength) ->
                visitor.key(ns, payload, keyOffset, keyLength));
    }

    /**
     * Decodes and validates a write batch payload.
     *
     * @param payload the payload of a {@link #TYPE_WRITE_BATCH} record
     * @return the operations in order
     * @throws MalformedPayloadException if a field is out of range or the lengths do not add up
     */
    public static List<Operation> decode(byte[] payload) {
        List<Operation> ops = new ArrayList<>();
        walk(payload, (kind, ns, keyOffset, keyLength, valueOffset, valueLength) -> ops.add(new Operation(kind, ns,
                Arrays.copyOfRange(payload, keyOffset, keyOffset + keyLength),
                Arrays.copyOfRange(payload, valueOffset, valueOffset + valueLength))));
        return ops;
    }

    /** One operation of a payload, in place: a delete has an empty value at the end of its key. */
    @FunctionalInterface
    private interface OperationVisitor {
        void operation(EntryKind kind, int namespace, int keyOffset, int keyLength, int valueOffset, int valueLength);
    }

    /** The one reader of the layout: checks every field and hands each operation over in place. */
    private static void walk(byte[] payload, OperationVisitor visitor) {
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        int count = readInt(b, "operation count");
        if (count < 1 || count > (1 << 20)) {
            throw new MalformedPayloadException("operation count " + count + " is outside 1.." + (1 << 20));
        }
        for (int i = 0; i < count; i++) {
            if (!b.hasRemaining()) {
                throw new MalformedPayloadException("operation " + i + " of " + count + " is missing");
            }
            int code = b.get() & 0xFF;
            EntryKind kind = EntryKind.ofCode(code);
            if (kind == null) {
                throw new MalformedPayloadException("operation " + i + " has unknown kind " + code);
            }
            int ns = readInt(b, "namespace id");
            if (ns < 1) {
                throw new MalformedPayloadException("operation " + i + " has namespace id " + ns);
            }
            int keyLength = skipBytes(b, 64 << 10, "key", i);
            int keyOffset = b.position() - keyLength;
            int valueLength = kind == EntryKind.PUT ? skipBytes(b, 16 << 20, "value", i) : 0;
            visitor.operation(kind, ns, keyOffset, keyLength, b.position() - valueLength, valueLength);
        }
        if (b.hasRemaining()) {
            throw new MalformedPayloadException(b.remaining() + " bytes follow the last of " + count + " operations");
        }
    }

    /**
     * @param id   namespace id
     * @param name namespace name (ASCII, at most 64 characters)
     * @return the payload of a {@link #TYPE_NAMESPACE} record
     */
    public static byte[] encodeNamespace(int id, String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(5 + n.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(id).put((byte) n.length).put(n);
        return b.array();
    }

    /**
     * A decoded namespace creation.
     *
     * @param id   namespace id
     * @param name namespace name
     */
    public record NamespaceRecord(int id, String name) {
    }

    /**
     * @param payload the payload of a {@link #TYPE_NAMESPACE} record
     * @return the namespace id and name
     * @throws MalformedPayloadException if the payload is malformed
     */
    public static NamespaceRecord decodeNamespace(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        int id = readInt(b, "namespace id");
        if (!b.hasRemaining()) {
            throw new MalformedPayloadException("namespace record has no name length");
        }
        int len = b.get() & 0xFF;
        if (id < 1 || len < 1 || len > 64 || b.remaining() != len) {
            throw new MalformedPayloadException("namespace record with id " + id + ", name length " + len + " and "
                    + b.remaining() + " name bytes is malformed");
        }
        byte[] n = new byte[len];
        b.get(n);
        return new NamespaceRecord(id, new String(n, java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static int readInt(ByteBuffer b, String what) {
        if (b.remaining() < 4) {
            throw new MalformedPayloadException(what + " needs 4 bytes, " + b.remaining() + " remain");
        }
        return b.getInt();
    }

    /** Checks a length-prefixed field (length in range, bytes present) and moves past it; returns its length. */
    private static int skipBytes(ByteBuffer b, int max, String what, int op) {
        int len = readInt(b, what + " length");
        if (len < 0 || len > max) {
            throw new MalformedPayloadException("operation " + op + " has " + what + " length " + len
                    + " outside 0.." + max);
        }
        if (b.remaining() < len) {
            throw new MalformedPayloadException("operation " + op + " " + what + " of " + len + " bytes runs past "
                    + "the payload (" + b.remaining() + " bytes remain)");
        }
        b.position(b.position() + len);
        return len;
    }

    /**
     * A record payload that passed its oplog checksum but does not decode: written by a buggy or foreign writer.
     * The engine turns it into a {@code CorruptionException} naming the record's sequence.
     */
    public static final class MalformedPayloadException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /**
         * @param message what is wrong (metadata only)
         */
        public MalformedPayloadException(String message) {
            super(message);
        }
    }
}
