package io.kintsugi.engine;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Namespace names and their ids. Ids prefix every internal key (4 bytes, big-endian), so each namespace is one
 * contiguous key range. Id 0 is reserved for the store's own use.
 */
final class NamespaceTable {

    private final Map<String, Integer> idsByName = new ConcurrentHashMap<>();
    private final Map<Integer, String> namesById = new ConcurrentHashMap<>();

    /**
     * Registers a namespace; registering the same pair again does nothing.
     *
     * @return false if the id or the name is already registered with another partner
     */
    synchronized boolean register(int id, String name) {
        Integer existingId = idsByName.get(name);
        String existingName = namesById.get(id);
        if (existingId == null && existingName == null) {
            idsByName.put(name, id);
            namesById.put(id, name);
            return true;
        }
        return existingId != null && existingId == id && name.equals(existingName);
    }

    OptionalInt idOf(String name) {
        Integer id = idsByName.get(name);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    String nameOf(int id) {
        return namesById.get(id);
    }

    synchronized int nextId() {
        int max = 0;
        for (int id : namesById.keySet()) {
            max = Math.max(max, id);
        }
        return max + 1;
    }

    Map<Integer, String> snapshot() {
        return Map.copyOf(namesById);
    }

    /** @return the internal key: namespace id (big-endian, so namespaces sort as contiguous ranges) + user key */
    static byte[] internalKey(int namespace, byte[] key) {
        byte[] k = new byte[4 + key.length];
        k[0] = (byte) (namespace >>> 24);
        k[1] = (byte) (namespace >>> 16);
        k[2] = (byte) (namespace >>> 8);
        k[3] = (byte) namespace;
        System.arraycopy(key, 0, k, 4, key.length);
        return k;
    }

    /** @return the namespace id of an internal key */
    static int namespaceOf(byte[] internalKey) {
        return ((internalKey[0] & 0xFF) << 24) | ((internalKey[1] & 0xFF) << 16) | ((internalKey[2] & 0xFF) << 8)
                | (internalKey[3] & 0xFF);
    }

    /** @return the length of the user key inside an internal key */
    static int userKeyLength(byte[] internalKey) {
        return internalKey.length - 4;
    }

    /** @return the user key of an internal key */
    static byte[] userKey(byte[] internalKey) {
        byte[] k = new byte[userKeyLength(internalKey)];
        System.arraycopy(internalKey, 4, k, 0, k.length);
        return k;
    }

    /** @return the first internal key after every key of {@code namespace} */
    static byte[] namespaceEnd(int namespace) {
        return internalKey(namespace + 1, new byte[0]);
    }
}
