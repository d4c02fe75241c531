package io.kintsugi.validation.faults;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.oplog.StorageException;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Finds the last record of a store's data oplog by walking the record lengths of its last segment, the way
 * recovery reads it, for {@link FaultInjector#tearOplogTail()}.
 *
 * @param segment the last segment file
 * @param start   the offset of its last record
 * @param length  the record's length on disk, header included
 */
record OplogTail(Path segment, long start, int length) {

    /**
     * @throws IllegalStateException if the store has no oplog segment or its last segment holds no whole record
     */
    static OplogTail of(Path storeDir) {
        Path dir = storeDir.resolve(StoreFiles.OPLOG_DIR);
        Path last = null;
        long lastFirst = -1;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                long first = SegmentHeaderFormat.parseFileName(f.getFileName().toString());
                if (first > lastFirst) {
                    lastFirst = first;
                    last = f;
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list the oplog directory " + dir, e);
        }
        if (last == null) {
            throw new IllegalStateException("the oplog directory " + dir + " holds no segment");
        }
        long size = FileBytes.size(last);
        long pos = SegmentHeaderFormat.LENGTH;
        long recordStart = -1;
        int recordLength = 0;
        while (pos + RecordFormat.HEADER_LENGTH <= size) {
            int payload = ByteBuffer.wrap(FileBytes.read(last, pos + RecordFormat.LENGTH_OFFSET, 4))
                    .order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (!RecordFormat.isPlausibleLength(payload) || pos + RecordFormat.encodedLength(payload) > size) {
                throw new IllegalStateException("the oplog segment " + last + " holds an impossible record length at"
                        + " offset " + pos + ": it is already damaged");
            }
            recordStart = pos;
            recordLength = RecordFormat.encodedLength(payload);
            pos += recordLength;
        }
        if (recordStart < 0) {
            throw new IllegalStateException("the last oplog segment " + last + " holds no record yet: write to the"
                    + " store before tearing its oplog tail");
        }
        return new OplogTail(last, recordStart, recordLength);
    }
}
