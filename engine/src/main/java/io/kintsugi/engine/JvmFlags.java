package io.kintsugi.engine;

import io.kintsugi.oplog.StorageException;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks that the JVM was started with the flags that memory-mapped reads of immutable files need, so that a
 * missing flag fails {@code Store.open} at once with the exact flags to add, instead of failing later deep in a read.
 */
final class JvmFlags {

    /** The flags, as they must appear on the java command line. */
    static final List<String> REQUIRED = List.of(
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");

    private JvmFlags() {
    }

    /** @return the required flags this JVM lacks */
    static List<String> missing() {
        Module base = Object.class.getModule();
        Module self = JvmFlags.class.getModule();
        List<String> missing = new ArrayList<>();
        if (!base.isOpen("java.lang.reflect", self)) {
            missing.add(REQUIRED.get(0));
        }
        if (!base.isExported("sun.nio.ch", self)) {
            missing.add(REQUIRED.get(1));
        }
        if (!base.isExported("jdk.internal.ref", self)) {
            missing.add(REQUIRED.get(2));
        }
        return missing;
    }

    /** @throws StorageException naming every required flag if any is missing */
    static void check() {
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            throw new StorageException("the JVM lacks flags Kintsugi needs: " + String.join(" ", missing)
                    + ". Start java with all of: " + String.join(" ", REQUIRED)
                    + " (on JDK 22+ also --enable-native-access=ALL-UNNAMED, on JDK 23+ also "
                    + "--sun-misc-unsafe-memory-access=allow)");
        }
    }
}
