package io.kintsugi.validation.verify;

import io.kintsugi.oplog.CorruptionKind;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON rendering: escaping and the documented shape. */
class ReportJsonTest {

    @Test
    void stringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001f\\u2028\"", ReportJson.quote("a\"b\\c\nd\te\u0001f\u2028"));
        assertEquals("\"plain /path/000000000001.seg\"", ReportJson.quote("plain /path/000000000001.seg"));
    }

    @Test
    void shapeIsTheDocumentedOne() {
        Map<VerifyComponent, VerifyStatus> components = new EnumMap<>(VerifyComponent.class);
        for (VerifyComponent c : VerifyComponent.values()) {
            components.put(c, VerifyStatus.OK);
        }
        components.put(VerifyComponent.SEGMENT_FILES, VerifyStatus.CORRUPT);
        Path file = Path.of("/s/000000000001.seg");
        VerifyReport r = new VerifyReport(Path.of("/s"), VerifyLevel.CHECKSUMS, false, components,
                List.of(new FileVerdict(file, VerifyComponent.SEGMENT_FILES, VerifyStatus.CORRUPT, 1)),
                new VerifyCounts(1, 2, 3, 0, 5),
                List.of(new VerifyProblem(file, 36, CorruptionKind.CHECKSUM_MISMATCH, VerifyComponent.SEGMENT_FILES,
                        "a \"quoted\" detail")), List.of("a note"));
        assertEquals(VerifyStatus.CORRUPT, r.status());
        String expected = "{\n"
                + "  \"version\": 1,\n"
                + "  \"store\": \"/s\",\n"
                + "  \"mode\": \"offline\",\n"
                + "  \"level\": \"CHECKSUMS\",\n"
                + "  \"status\": \"CORRUPT\",\n"
                + "  \"components\": {\"DIRECTORY\": \"OK\", \"MANIFEST\": \"OK\", \"SEGMENT_FILES\": \"CORRUPT\", "
                + "\"OPLOG\": \"OK\", \"TERM_HISTORY\": \"OK\", \"SCAN_STATE\": \"OK\", \"HEALTH_LOG\": \"OK\", "
                + "\"LINEAGE_LOG\": \"OK\"},\n"
                + "  \"counts\": {\"files\": 1, \"blocks\": 2, \"records\": 3, \"entries\": 0, \"bytesRead\": 5},\n"
                + "  \"files\": [\n"
                + "    {\"file\": \"/s/000000000001.seg\", \"component\": \"SEGMENT_FILES\", \"status\": \"CORRUPT\", "
                + "\"problems\": 1}\n"
                + "  ],\n"
                + "  \"problems\": [\n"
                + "    {\"file\": \"/s/000000000001.seg\", \"offset\": 36, \"kind\": \"CHECKSUM_MISMATCH\", "
                + "\"component\": \"SEGMENT_FILES\", \"message\": \"a \\\"quoted\\\" detail\"}\n"
                + "  ],\n"
                + "  \"notes\": [\n"
                + "    \"a note\"\n"
                + "  ]\n"
                + "}\n";
        assertEquals(expected, r.toJson());
        assertTrue(r.toText().contains("CHECKSUM_MISMATCH in /s/000000000001.seg at offset 36"), r.toText());
    }

    @Test
    void incompleteWithoutProblemsIsIncomplete() {
        Map<VerifyComponent, VerifyStatus> components = new EnumMap<>(VerifyComponent.class);
        for (VerifyComponent c : VerifyComponent.values()) {
            components.put(c, VerifyStatus.OK);
        }
        components.put(VerifyComponent.TERM_HISTORY, VerifyStatus.INCOMPLETE);
        VerifyReport r = new VerifyReport(Path.of("/s"), VerifyLevel.QUICK, true, components, List.of(),
                new VerifyCounts(0, 0, 0, 0, 0), List.of(), List.of());
        assertEquals(VerifyStatus.INCOMPLETE, r.status());
        assertTrue(r.toJson().contains("\"files\": [],\n  \"problems\": [],\n  \"notes\": []\n}"), r.toJson());
    }
}
