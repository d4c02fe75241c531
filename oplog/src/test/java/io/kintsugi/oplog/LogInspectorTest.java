package io.kintsugi.oplog;

import io.kintsugi.oplog.format.LogMetadataFormat;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read-only log check: every problem reported, the inspection goes on past damage, nothing is changed. */
class LogInspectorTest {

    @TempDir
    Path dir;

    private static final class Collected implements LogInspector.Listener {
        final List<Long> sequences = new ArrayList<>();
        final List<CorruptionReport> problems = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        long charged;

        @Override
        public void beforeRead(long bytes) {
            charged += bytes;
        }

        @Override
        public void record(Path segment, long offset, LogRecord record) {
            sequences.add(record.sequence());
        }

        @Override
        public void problem(CorruptionReport report) {
            problems.add(report);
        }

        @Override
        public void note(String text) {
            notes.add(text);
        }
    }

    private TreeMap<Long, Path> fill(int records) throws IOException {
        try (Oplog log = Oplog.open(dir, OplogOptions.builder().segmentSize(4096).build())) {
            for (int i = 0; i < records; i++) {
                log.append(1, 7, new byte[200 + i % 13]);
            }
        }
        Files.deleteIfExists(dir.resolve(Oplog.LOCK_FILE_NAME));
        TreeMap<Long, Path> segments = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                long first = SegmentHeaderFormat.parseFileName(p.getFileName().toString());
                if (first >= 0) {
                    segments.put(first, p);
                }
            });
        }
        return segments;
    }

    private Map<Path, byte[]> contents() throws IOException {
        Map<Path, byte[]> all = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                all.put(p, Files.readAllBytes(p));
            }
        }
        return all;
    }

    @Test
    void intactLogHasNoProblemAndIsNotChanged() throws IOException {
        TreeMap<Long, Path> segments = fill(60);
        assertTrue(segments.size() >= 3, "the test needs several segments");
        Map<Path, byte[]> before = contents();
        Collected c = new Collected();
        LogInspector.Summary s = LogInspector.inspect(dir, true, false, c);
        assertEquals(List.of(), c.problems);
        assertEquals(60, s.records());
        assertEquals(1, s.firstSequence());
        assertEquals(60, s.lastSequence());
        assertEquals(segments.size(), s.segments());
        assertEquals(60, c.sequences.size());
        assertTrue(c.charged > 0 && c.charged == s.bytesRead(), "every byte read was charged first");
        Map<Path, byte[]> after = contents();
        assertEquals(before.keySet(), after.keySet());
        before.forEach((p, b) -> assertArrayEquals(b, after.get(p), p.toString()));
    }

    @Test
    void damagedRecordInASealedSegmentIsReportedAndTheRestIsRead() throws IOException {
        TreeMap<Long, Path> segments = fill(60);
        Path sealed = segments.firstEntry().getValue();
        byte[] bytes = Files.readAllBytes(sealed);
        int second = SegmentHeaderFormat.LENGTH + RecordFormat.encodedLength(
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(SegmentHeaderFormat.LENGTH));
        Random random = new Random(31);
        bytes[second + RecordFormat.HEADER_LENGTH + random.nextInt(100)] ^= (byte) (1 << random.nextInt(8));
        Files.write(sealed, bytes);
        Collected c = new Collected();
        LogInspector.Summary s = LogInspector.inspect(dir, true, false, c);
        assertEquals(1, c.problems.size(), c.problems.toString());
        CorruptionReport r = c.problems.get(0);
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, r.kind());
        assertEquals(sealed, r.file());
        assertEquals(second, r.offset());
        assertEquals(59, s.records(), "every other record is read");
        assertTrue(!c.sequences.contains(2L) && c.sequences.contains(3L) && c.sequences.contains(60L));
    }

    @Test
    void missingMiddleSegmentAndHeadersOnlyMode() throws IOException {
        TreeMap<Long, Path> segments = fill(60);
        Long middle = segments.higherKey(segments.firstKey());
        Files.delete(segments.get(middle));
        Collected c = new Collected();
        LogInspector.inspect(dir, true, false, c);
        assertEquals(1, c.problems.size(), c.problems.toString());
        assertEquals(CorruptionKind.SEQUENCE_GAP, c.problems.get(0).kind());
        Collected quick = new Collected();
        LogInspector.Summary s = LogInspector.inspect(dir, false, false, quick);
        assertEquals(List.of(), quick.problems, "without records the gap is not visible");
        assertEquals(0, s.records());
        assertEquals(1, s.metadata().firstRetainedSequence());
    }

    @Test
    void tornTailIsANoteAndDamagedMetadataAProblem() throws IOException {
        TreeMap<Long, Path> segments = fill(20);
        Path last = segments.lastEntry().getValue();
        byte[] bytes = Files.readAllBytes(last);
        Files.write(last, Arrays.copyOf(bytes, bytes.length - 3));
        Collected c = new Collected();
        LogInspector.inspect(dir, true, false, c);
        assertEquals(List.of(), c.problems);
        assertTrue(c.notes.stream().anyMatch(n -> n.contains("torn tail")), c.notes.toString());

        Path meta = dir.resolve(LogMetadataFormat.FILE_NAME);
        byte[] m = Files.readAllBytes(meta);
        m[30] ^= 4;
        Files.write(meta, m);
        Collected d = new Collected();
        LogInspector.Summary s = LogInspector.inspect(dir, true, false, d);
        assertEquals(CorruptionKind.CHECKSUM_MISMATCH, d.problems.get(0).kind());
        assertEquals(meta, d.problems.get(0).file());
        assertEquals(null, s.metadata());
        assertEquals(19, s.records(), "records are still read");
    }
}
