package io.kintsugi.oplog;

import io.kintsugi.oplog.format.LogMetadataFormat;
import io.kintsugi.oplog.format.LogMetadataFormat.Metadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The states a crash can leave between the steps of a roll, and what the next open makes of them: a segment the
 * metadata does not name yet is adopted and named before anything is appended to it, so that losing it later is
 * noticed; a metadata file that lags more than one roll behind is a stale copy.
 */
class OplogCrashWindowTest {

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

    private Metadata readMetadata() throws IOException {
        Path p = dir.resolve(LogMetadataFormat.FILE_NAME);
        return LogMetadataFormat.decode(ByteBuffer.wrap(Files.readAllBytes(p)), p);
    }

    /** Rewrites oplog.meta as a crash before the roll's metadata update would have left it. */
    private void nameAsLastSegment(long sequence) throws IOException {
        Metadata m = readMetadata();
        Metadata older = new Metadata(m.logId(), m.term(), m.firstRetainedSequence(), sequence);
        Files.write(dir.resolve(LogMetadataFormat.FILE_NAME), LogMetadataFormat.encode(older).array());
    }

    private void fill(int records, long term) {
        try (Oplog log = Oplog.open(dir, OplogOptions.builder().segmentSize(4096).build())) {
            for (int i = 0; i < records; i++) {
                log.append(term, 1, new byte[100]);
            }
        }
    }

    @Test
    void aSegmentTheMetadataDoesNotNameYetIsNamedOnOpenSoItsLossIsNoticedLater() throws IOException {
        fill(100, 1);
        List<Path> segs = segments();
        nameAsLastSegment(startOf(segs.get(segs.size() - 2)));
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(100, log.lastSequence());
            log.append(1, 1, new byte[100]);
        }
        assertEquals(startOf(segs.get(segs.size() - 1)), readMetadata().lastSegmentSequence());
        Files.delete(segs.get(segs.size() - 1));
        CorruptionException e = assertThrows(CorruptionException.class, () -> Oplog.open(dir));
        assertEquals(CorruptionException.class, e.getClass());
        assertEquals(CorruptionKind.MISSING_FILE, e.report().kind());
        assertEquals(segs.get(segs.size() - 1), e.report().file());
    }

    @Test
    void metadataThatLagsMoreThanOneRollBehindIsAStaleCopy() throws IOException {
        fill(100, 1);
        List<Path> segs = segments();
        assertTrue(segs.size() >= 3);
        nameAsLastSegment(startOf(segs.get(segs.size() - 3)));
        CorruptionException e = assertThrows(CorruptionException.class, () -> Oplog.open(dir));
        assertEquals(CorruptionException.class, e.getClass());
        assertEquals(CorruptionKind.STALE_FILE, e.report().kind());
        assertEquals(dir.resolve(LogMetadataFormat.FILE_NAME), e.report().file());
    }

    @Test
    void aTermCarriedOnlyByRecordsSurvivesRetentionOfEveryOlderSegment() throws IOException {
        fill(100, 5);
        try (Oplog log = Oplog.open(dir)) {
            log.releaseThrough(Long.MAX_VALUE);
        }
        assertTrue(readMetadata().term() >= 5, "a roll copies the current term into the metadata");
        try (Oplog log = Oplog.open(dir)) {
            assertEquals(5, log.currentTerm());
            assertThrows(StaleTermException.class, () -> log.append(4, 1, new byte[1]));
        }
    }
}
