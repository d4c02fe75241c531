package io.kintsugi.engine;

import io.kintsugi.engine.format.ReplicationFrameFormat;
import io.kintsugi.engine.replication.ReplicationConnection;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Frames ({@link ReplicationFrameFormat}) over one replication connection. Sending is thread-safe (a session's
 * sender and its acknowledgement reader may both send); receiving belongs to one thread.
 */
final class FrameChannel {

    /** Longest frame accepted before the peer has authenticated: a handshake holds at most a term history. */
    static final int HANDSHAKE_FRAME_LIMIT = 4 << 20;

    private final ReplicationConnection connection;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] header = new byte[ReplicationFrameFormat.HEADER_LENGTH];

    FrameChannel(ReplicationConnection connection) {
        this.connection = connection;
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
     * @throws io.kintsugi.engine.replication.ReplicationProtocolException if the frame is too long or fails its CRC
     */
    ReplicationFrameFormat.Frame receive(int maxFrame) throws IOException {
        readFully(header);
        int n = ReplicationFrameFormat.frameLength(header, maxFrame);
        byte[] content = new byte[n];
        readFully(content);
        return ReplicationFrameFormat.verify(header, content);
    }

    private void readFully(byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                throw new EOFException("the peer closed the connection" + (off > 0 ? " in the middle of a frame" : ""));
            }
            off += n;
        }
    }

    void close() {
        connection.close();
    }
}
