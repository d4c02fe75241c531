package io.kintsugi.engine.table;

import io.kintsugi.oplog.format.Crc32c;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Appends to a new file and updates the whole-file CRC32C with every byte it writes, so that no write can be left
 * out of the checksum.
 */
final class ChecksummedOutput {

    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private long position;

    ChecksummedOutput(FileChannel channel) {
        this.channel = channel;
    }

    /** @return the number of bytes written so far: the offset of the next byte */
    long position() {
        return position;
    }

    /** @return the masked CRC32C of every byte written so far */
    int maskedCrc() {
        return Crc32c.mask((int) crc.getValue());
    }

    /** @return the CRC32C, not masked, of every byte written so far */
    int crc() {
        return (int) crc.getValue();
    }

    void write(byte[] b, int off, int len) throws IOException {
        crc.update(b, off, len);
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
            position += channel.write(buf, position);
        }
    }
}
