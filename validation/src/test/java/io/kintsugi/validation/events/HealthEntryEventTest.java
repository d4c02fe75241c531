package io.kintsugi.validation.events;

import io.kintsugi.validation.health.HealthEntry;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.health.TestEntries;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JFR event {@code io.kintsugi.HealthEntry}: one per appended entry, with every metadata field, and never a key
 * byte, read back from a dumped recording.
 */
class HealthEntryEventTest {

    @TempDir
    Path work;

    @Test
    void everyAppendedEntryIsRecordedWithItsMetadataAndNoKeyBytes() throws IOException {
        List<HealthEntry> entries = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            entries.add(i % 3 == 0 ? TestEntries.inconsistent(i) : i % 3 == 1 ? TestEntries.consistent(i)
                    : TestEntries.warning(i));
        }
        Path store = Files.createDirectories(work.resolve("store"));
        Path dump = work.resolve("health.jfr");
        try (Recording recording = new Recording()) {
            recording.enable(HealthEntryEvent.NAME);
            recording.start();
            try (HealthLog h = HealthLog.open(store)) {
                entries.forEach(h::append);
            }
            recording.stop();
            recording.dump(dump);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(dump).stream()
                .filter(e -> e.getEventType().getName().equals(HealthEntryEvent.NAME)).toList();
        assertEquals(entries.size(), events.size());
        for (int i = 0; i < entries.size(); i++) {
            HealthEntry entry = entries.get(i);
            RecordedEvent ev = events.get(i);
            assertEquals(entry.kind().name(), ev.getString("kind"));
            assertEquals(entry.verdict().name(), ev.getString("verdict"));
            assertEquals(entry.severity().name(), ev.getString("severity"));
            assertEquals(entry.replicaId(), ev.getString("replicaId"));
            assertEquals(entry.namespace(), ev.getString("namespace"));
            assertEquals(entry.rangeFingerprint(), ev.getString("rangeFingerprint"));
            assertEquals(entry.count(), ev.getLong("count"));
            assertEquals(entry.bytes(), ev.getLong("bytes"));
            assertEquals(entry.expected() == null ? "" : entry.expected().toString(), ev.getString("expected"));
            assertEquals(entry.found() == null ? "" : entry.found().toString(), ev.getString("found"));
            assertEquals(entry.sequence(), ev.getLong("sequence"));
            assertEquals(entry.detail(), ev.getString("detail"));
            for (ValueDescriptor field : ev.getFields()) {
                Object value = ev.getValue(field.getName());
                assertFalse(value instanceof byte[], field.getName() + " holds bytes");
                assertFalse(String.valueOf(value).contains(TestEntries.KEY_MARKER),
                        field.getName() + " holds key text: " + value);
            }
        }
        byte[] file = Files.readAllBytes(dump);
        for (HealthEntry e : entries) {
            if (e.minKey() != null) {
                assertEquals(-1, indexOf(file, e.minKey()), "a key's bytes appear in the recording file");
            }
        }
        assertEquals(-1, indexOf(file, TestEntries.KEY_MARKER.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theEventTypeIsDescribedAndItsFieldsAreExactlyTheMetadata() {
        EventType type = EventType.getEventType(HealthEntryEvent.class);
        assertEquals("io.kintsugi.HealthEntry", type.getName());
        assertEquals(List.of("Kintsugi", "Health"), type.getCategoryNames());
        assertEquals("Health Entry", type.getLabel());
        assertTrue(type.getDescription().contains("Metadata only"), type.getDescription());
        Set<String> own = type.getFields().stream().map(ValueDescriptor::getName)
                .filter(n -> !Set.of("startTime", "duration", "eventThread", "stackTrace").contains(n))
                .collect(Collectors.toSet());
        assertEquals(Set.of("kind", "verdict", "severity", "replicaId", "namespace", "rangeFingerprint", "count",
                "bytes", "expected", "found", "sequence", "detail"), own);
        for (ValueDescriptor f : type.getFields()) {
            assertTrue(f.getLabel() != null && !f.getLabel().isEmpty(), f.getName() + " has a label");
        }
    }

    @Test
    void theListenerViewHoldsNoBytes() {
        // HealthEvent is what listeners get: no component may carry bytes.
        assertTrue(Arrays.stream(HealthEvent.class.getRecordComponents())
                .noneMatch(c -> c.getType().isArray()), "a HealthEvent component is an array");
        assertEquals(13, HealthEvent.class.getRecordComponents().length);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
