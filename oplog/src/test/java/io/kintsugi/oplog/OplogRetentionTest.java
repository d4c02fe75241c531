package io.kintsugi.oplog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention drops whole sealed segments up to a safe sequence, durably, and never the active segment. */
class OplogRetentionTest {

    @TempDir
    Path dir;

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".oplog")).sorted().toList();
        }
    }

    private static long startOf(Path segment) {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    private Oplog openFilled(int records) {
        Oplog log = Oplog.open(dir, OplogOptions.builder().segmentSize(4096).build());
        for (int i = 0; i < records; i++) {
            log.append(1, 1, new byte[100]);
        }
        return log;
    }

    @Test
    void releasingDropsOnlyWholeSegmentsAtOrBelowTheSafeSequence() throws IOException {
        try (Oplog log = openFilled(200)) {
            List<Path> before = segments();
            long secondStart = startOf(before.get(1));
            long thirdStart = startOf(before.get(2));
            // Sequence thirdStart - 2 lies inside the second segment: only the first segment may go.
            assertEquals(secondStart, log.releaseThrough(thirdStart - 2));
            assertEquals(secondStart, log.firstSequence());
            assertEquals(before.subList(1, before.size()), segments());
            SequenceUnavailableException e = assertThrows(SequenceUnavailableException.class,
                    () -> log.reader(secondStart - 1));
            assertEquals(SequenceUnavailableException.Reason.NOT_RETAINED, e.reason());
            try (OplogReader r = log.reader(secondStart)) {
                assertEquals(secondStart, r.next().sequence());
            }
        }
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(200, log.lastSequence());
            assertTrue(log.firstSequence() > 1);
        }
    }

    @Test
    void theActiveSegmentIsNeverReleased() throws IOException {
        try (Oplog log = openFilled(200)) {
            long first = log.releaseThrough(Long.MAX_VALUE);
            assertEquals(1, segments().size());
            assertEquals(first, log.firstSequence());
            log.append(1, 1, new byte[1]);
            try (OplogReader r = log.reader(first)) {
                long n = 0;
                while (r.next() != null) {
                    n++;
                }
                assertEquals(201 - first + 1, n);
            }
        }
    }

    @Test
    void releasingNothingChangesNothing() throws IOException {
        try (Oplog log = openFilled(200)) {
            List<Path> before = segments();
            assertEquals(1, log.releaseThrough(0));
            assertEquals(before, segments());
            assertThrows(IllegalArgumentException.class, () -> log.releaseThrough(-1));
        }
    }

    @Test
    void aRetentionInterruptedBeforeDeletingFilesIsFinishedOnOpen() throws IOException {
        Path saved = dir.resolveSibling(dir.getFileName() + "-saved");
        Files.createDirectories(saved);
        Path first;
        try (Oplog log = openFilled(200)) {
            first = segments().get(0);
            Files.copy(first, saved.resolve(first.getFileName()));
            assertEquals(startOf(segments().get(1)), log.releaseThrough(startOf(segments().get(1)) - 1));
        }
        // Simulate a crash between the metadata update and the deletion: the file is back.
        Files.copy(saved.resolve(first.getFileName()), first, StandardCopyOption.REPLACE_EXISTING);
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(List.of(first), log.recoveryReport().finishedRetention());
            assertTrue(Files.notExists(first));
            assertThrows(SequenceUnavailableException.class, () -> log.reader(1));
            assertEquals(200, log.lastSequence());
        }
    }

    @Test
    void aReaderInsideAReleasedSegmentFinishesItButCannotGoBackBelowTheNewStart() throws IOException {
        try (Oplog log = openFilled(200); OplogReader r = log.reader(1)) {
            assertEquals(1, r.next().sequence());
            long secondStart = startOf(segments().get(1));
            long newFirst = log.releaseThrough(secondStart - 1);
            assertEquals(secondStart, newFirst);
            assertTrue(newFirst > 2);
            // The open file handle keeps the released segment readable to its end.
            for (long seq = 2; seq < newFirst; seq++) {
                assertEquals(seq, r.next().sequence());
            }
            assertEquals(newFirst, r.next().sequence());
            long n = newFirst;
            while (r.next() != null) {
                n++;
            }
            assertEquals(200, n);
            assertNull(r.next());
        }
    }
}
