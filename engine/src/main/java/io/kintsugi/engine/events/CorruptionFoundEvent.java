package io.kintsugi.engine.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JDK Flight Recorder event {@value #NAME}, committed every time a store records damage it found while reading
 * (a checksum failure, a malformed block, an invariant violation), so that a recording taken in production shows
 * corruption beside GC and I/O. Metadata only: file, offset, kind, namespace name; never key or value bytes.
 *
 * <p>Enabled by default, as JFR events are; it costs nothing unless a recording is running. Fields are package
 * private because JFR reads them reflectively; the engine sets them through {@link #commit(String, long, long, long,
 * String, String, String)}.
 */
@Name(CorruptionFoundEvent.NAME)
@Category({"Kintsugi", "Corruption"})
@Label("Corruption Found")
@Description("A Kintsugi store found damaged data while reading: the file, the offset of the damaged structure, the"
        + " kind of damage and the namespace. Metadata only.")
@StackTrace(false)
public final class CorruptionFoundEvent extends Event {

    /** The event's name in recordings. */
    public static final String NAME = "io.kintsugi.CorruptionFound";

    @Label("File")
    @Description("The damaged file's path")
    String file;

    @Label("File Number")
    @Description("The segment file's number, -1 when the damage is not in a segment file")
    long fileNumber;

    @Label("Offset")
    @Description("Byte offset of the damaged structure (a block's offset), -1 when the whole file is concerned")
    long offset;

    @Label("Length")
    @Description("Length of the damaged structure in bytes, -1 when unknown")
    long length;

    @Label("Kind")
    @Description("The CorruptionKind: CHECKSUM_MISMATCH, INVARIANT_VIOLATION, ...")
    String kind;

    @Label("Namespace")
    @Description("The namespace whose keys the damaged range holds, empty when unknown")
    String namespace;

    @Label("Operation")
    @Description("What found the damage: get, scan, compaction")
    String operation;

    /**
     * Commits one event if the event is enabled in a running recording; does nothing otherwise.
     *
     * @param file       the damaged file
     * @param fileNumber the segment file's number, or -1
     * @param offset     the damaged structure's offset, or -1
     * @param length     its length, or -1
     * @param kind       the corruption kind's name
     * @param namespace  the namespace name, or null when unknown
     * @param operation  what found it
     */
    public static void commit(String file, long fileNumber, long offset, long length, String kind, String namespace,
                              String operation) {
        CorruptionFoundEvent e = new CorruptionFoundEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.file = file;
        e.fileNumber = fileNumber;
        e.offset = offset;
        e.length = length;
        e.kind = kind;
        e.namespace = namespace == null ? "" : namespace;
        e.operation = operation;
        e.commit();
    }
}
