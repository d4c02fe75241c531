package io.kintsugi.validation.health;

import io.kintsugi.oplog.Oplog;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps a health log's segment files within its size bound by releasing the oldest whole segments through the
 * oplog's prefix retention. The oplog remembers where the log now starts, so the number of entries dropped is that
 * start minus one, across restarts.
 *
 * <p>Listing the directory after every append would be wasteful, so appends are counted in an estimate that never
 * falls below the real size: each record's framed length, plus a segment header whenever the record could have
 * started a new segment. Only when the estimate passes the bound is the directory listed, segments released and the
 * estimate reset to the exact size. Called under the health log's append lock.
 */
final class SizeBound {

    private final Oplog log;
    private final long maxBytes;
    private final long segmentSize;
    private long estimate;
    private long activeEstimate;

    SizeBound(Oplog log, long maxBytes, long segmentSize) {
        this.log = log;
        this.maxBytes = maxBytes;
        this.segmentSize = segmentSize;
        enforce(); // the bound may have been lowered since the log was last open
    }

    /** Counts one appended record and drops old segments if the bound may have been passed. */
    void appended(int payloadLength) {
        int length = RecordFormat.encodedLength(payloadLength);
        if (activeEstimate + length > segmentSize) {
            // The oplog rolls before a record that would overflow the active segment (FORMAT.md 4.2).
            estimate += SegmentHeaderFormat.LENGTH;
            activeEstimate = SegmentHeaderFormat.LENGTH;
        }
        estimate += length;
        activeEstimate += length;
        if (estimate > maxBytes) {
            enforce();
        }
    }

    /** Releases the oldest sealed segments until the files fit the bound, and resets the estimate. */
    private void enforce() {
        TreeMap<Long, Long> segments = segmentSizes(log.directory());
        long total = segments.values().stream().mapToLong(Long::longValue).sum();
        long releaseThrough = -1;
        Map.Entry<Long, Long> oldest = segments.firstEntry();
        while (total > maxBytes && oldest != null && segments.higherKey(oldest.getKey()) != null) {
            long next = segments.higherKey(oldest.getKey());
            total -= oldest.getValue();
            releaseThrough = next - 1;
            oldest = segments.higherEntry(oldest.getKey());
        }
        if (releaseThrough >= 0) {
            log.releaseThrough(releaseThrough);
        }
        estimate = total;
        activeEstimate = segments.isEmpty() ? SegmentHeaderFormat.LENGTH : segments.lastEntry().getValue();
    }

    /**
     * @param dir an oplog directory
     * @return its segment files' sizes by first sequence
     * @throws StorageException if the directory cannot be listed
     */
    static TreeMap<Long, Long> segmentSizes(Path dir) {
        TreeMap<Long, Long> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                long first = SegmentHeaderFormat.parseFileName(p.getFileName().toString());
                if (first < 0) {
                    continue;
                }
                try {
                    out.put(first, Files.size(p));
                } catch (NoSuchFileException e) {
                    // released between the listing and the size: it no longer counts
                }
            }
        } catch (IOException e) {
            throw new StorageException("could not list the health log directory " + dir + ": " + e, e);
        }
        return out;
    }
}
