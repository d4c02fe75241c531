package io.kintsugi.engine;

/**
 * The documented size limits of the store. A violation is an {@link IllegalArgumentException} naming the limit.
 */
public final class Limits {

    /** Largest key: 64 KiB. */
    public static final int MAX_KEY_LENGTH = 64 << 10;
    /** Largest value: 16 MiB. */
    public static final int MAX_VALUE_LENGTH = 16 << 20;
    /** Largest number of operations in one {@link WriteBatch}. */
    public static final int MAX_BATCH_OPERATIONS = 1 << 20;
    /** Largest encoded size of one {@link WriteBatch}: 64 MiB. */
    public static final int MAX_BATCH_BYTES = 64 << 20;
    /** Namespace names: 1 to 64 characters from a-z, 0-9, '_', '.', '-'. */
    public static final String NAMESPACE_NAME_PATTERN = "[a-z0-9_.-]{1,64}";

    private static final java.util.regex.Pattern NAMESPACE_NAME = java.util.regex.Pattern.compile(NAMESPACE_NAME_PATTERN);

    private Limits() {
    }

    static void checkKey(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        if (key.length > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key of " + key.length + " bytes exceeds the limit of "
                    + MAX_KEY_LENGTH + " bytes (Limits.MAX_KEY_LENGTH)");
        }
    }

    static void checkValue(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        if (value.length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds the limit of "
                    + MAX_VALUE_LENGTH + " bytes (Limits.MAX_VALUE_LENGTH)");
        }
    }

    static void checkNamespaceName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("namespace name must not be null");
        }
        if (!NAMESPACE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("namespace name must match " + NAMESPACE_NAME_PATTERN
                    + " (1 to 64 characters from a-z, 0-9, '_', '.', '-'), was \"" + name + "\"");
        }
    }
}
