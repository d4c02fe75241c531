package io.kintsugi.repair.net;

import io.kintsugi.engine.replication.ReplicationConnection;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Frames ({@link RepairFrameFormat}) over one repair connection, counting the bytes received so that a damaged
 * frame is reported at its offset in the stream. Sending and receiving each belong to one thread.
 */
final class RepairChannel implements AutoCloseable {

    private final ReplicationConnection connection;
    private final String stream;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] header = new byte[RepairFrameFormat.HEADER_LENGTH];
    private long received;

    /**
     * @param connection the connection
     * @param stream     what a corruption report names as the file, e.g. {@code repair:127.0.0.1:7001}
     */
    RepairChannel(ReplicationConnection connection, String stream) {
        this.connection = connection;
        this.stream = stream;
        this.in = connection.input();
        this.out = connection.output();
    }

    ReplicationConnection connection() {
        return connection;
    }

    /** Writes one whole frame and flushes it. */
    void send(byte[] frame) throws IOException {
        synchronized (out) {
            out.write(frame);
            out.flush();
        }
    }

    /**
     * Reads one frame and verifies its checksum.
     *
     * @param maxFrame longest frame (type and body) accepted
     * @return the frame
     * @throws EOFException if the peer closed the connection
     * @throws RepairProtocolException if the frame's length is out of range
     * @throws io.kintsugi.oplog.CorruptionException if the frame fails its CRC, naming the stream and the offset
     */
    RepairFrameFormat.Frame receive(int maxFrame) throws IOException {
        long offset = received;
        readFully(header);
        int n = RepairFrameFormat.frameLength(header, maxFrame);
        byte[] content = new byte[n];
        readFully(content);
        return RepairFrameFormat.verify(header, content, stream, offset);
    }

    private void readFully(byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                throw new EOFException("the peer closed the connection" + (off > 0 ? " in the middle of a frame" : "")
                        + " after " + (received + off) + " bytes");
            }
            off += n;
        }
        received += b.length;
    }

    @Override
    public void close() {
        connection.close();
    }
}
