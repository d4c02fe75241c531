package io.kintsugi.validation.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JDK Flight Recorder event {@value #NAME}, committed for every entry a health log appends, so that a
 * recording taken in production shows scan verdicts and checksum failures beside GC and I/O. Metadata only, like
 * {@link HealthEvent}: the key range appears as a fingerprint.
 *
 * <p>Enabled by default, as JFR events are; it costs nothing unless a recording is running. Enable or disable it in
 * a recording's settings by its name.
 */
@Name(HealthEntryEvent.NAME)
@Category({"Kintsugi", "Health"})
@Label("Health Entry")
@Description("An entry appended to a Kintsugi replica's health log: a scan verdict, a checksum failure, an invariant"
        + " violation, a verify summary or a repair step. Metadata only: the key range appears as a fingerprint.")
@StackTrace(false)
public final class HealthEntryEvent extends Event {

    /** The event's name in recordings. */
    public static final String NAME = "io.kintsugi.HealthEntry";

    @Label("Kind")
    @Description("What the entry records: SCAN_BATCH, CHECKSUM_FAILURE, INVARIANT_VIOLATION, VERIFY or REPAIR")
    String kind;

    @Label("Verdict")
    @Description("CONSISTENT, INCONSISTENT, DAMAGED, NOT_CHECKED or NONE")
    String verdict;

    @Label("Severity")
    @Description("INFO, WARNING or ERROR")
    String severity;

    @Label("Replica Id")
    @Description("The id of the store that made the entry")
    String replicaId;

    @Label("Namespace")
    @Description("The namespace, empty when none applies")
    String namespace;

    @Label("Range Fingerprint")
    @Description("The key range as bound lengths and fingerprints; never key bytes")
    String rangeFingerprint;

    @Label("Count")
    @Description("Live keys in the range, -1 when unknown")
    long count;

    @Label("Bytes")
    @Description("Logical bytes of keys and values in the range, -1 when unknown")
    long bytes;

    @Label("Expected Hash")
    @Description("The hash the primary recorded, 32 hex digits; empty when none")
    String expected;

    @Label("Found Hash")
    @Description("The hash found on this replica, 32 hex digits; empty when none")
    String found;

    @Label("Sequence")
    @Description("The store oplog sequence the entry is about, -1 when none")
    long sequence;

    @Label("Detail")
    @Description("Metadata-only text: file, offset, kind, counts")
    String detail;

    /**
     * Commits one event for {@code e}, if a recording has the event enabled.
     *
     * @param e the entry's metadata
     */
    public static void commit(HealthEvent e) {
        HealthEntryEvent j = new HealthEntryEvent();
        if (!j.isEnabled()) {
            return;
        }
        j.kind = e.kind().name();
        j.verdict = e.verdict().name();
        j.severity = e.severity().name();
        j.replicaId = e.replicaId();
        j.namespace = e.namespace();
        j.rangeFingerprint = e.rangeFingerprint();
        j.count = e.count();
        j.bytes = e.bytes();
        j.expected = e.expected() == null ? "" : e.expected().toString();
        j.found = e.found() == null ? "" : e.found().toString();
        j.sequence = e.sequence();
        j.detail = e.detail();
        j.commit();
    }
}
