package io.kintsugi.engine.format;

import io.kintsugi.engine.replication.TermHistory;
import io.kintsugi.oplog.LogRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes the golden replication frames {@code engine/src/test/resources/golden/replication-frames-v1/}, one file per
 * frame type, and holds the definition of what they contain, which {@link GoldenReplicationFrameTest} checks the
 * checked-in files against.
 *
 * <p>The files pin the replication protocol, version 1 ({@code docs/FORMAT.md}, section 10). Regenerate them
 * <em>only</em> when the protocol version changes, into a new directory named after the new version, and keep the
 * old directory while the old version is still spoken:
 *
 * <pre>
 * mvn -B -q -pl engine -am test-compile
 * java -cp oplog/target/classes:engine/target/classes:engine/target/test-classes \
 *     io.kintsugi.engine.format.GoldenReplicationFrameWriter engine/src/test/resources/golden/replication-frames-vN
 * </pre>
 *
 * <p>The output is deterministic: ids, nonces, proofs and records are fixed. The nonces and proofs are fixed byte
 * patterns, not random values or real HMACs: the frame format carries them without interpreting them.
 */
public final class GoldenReplicationFrameWriter {

    /** The primary: the store of the golden term history file. */
    public static final UUID PRIMARY = GoldenTermHistoryWriter.STORE_ID;
    /** The follower. */
    public static final UUID FOLLOWER = UUID.fromString("76543210-fedc-ba98-8000-00000000f011");
    /** The follower's highest term in its HELLO. */
    public static final long FOLLOWER_TERM = 6;
    /** The primary's term. */
    public static final long TERM = 7;
    /** The primary's first retained sequence, in WELCOME. */
    public static final long FIRST_SEQUENCE = 1;
    /** The primary's last sequence in WELCOME. */
    public static final long WELCOME_LAST_SEQUENCE = 4244;
    /** The sequence the follower asks for. */
    public static final long FETCH_FROM = 4243;
    /** The primary's last sequence in RECORDS and HEARTBEAT, and what the ACK reports. */
    public static final long LAST_SEQUENCE = 4245;
    /** The primary's term history in WELCOME: the golden term history file's. */
    public static final TermHistory HISTORY = GoldenTermHistoryWriter.HISTORY;
    /** The follower's nonce: bytes 0x00 to 0x1f. */
    public static final byte[] FOLLOWER_NONCE = pattern(0x00);
    /** The primary's nonce: bytes 0x20 to 0x3f. */
    public static final byte[] PRIMARY_NONCE = pattern(0x20);
    /** The proof in WELCOME: bytes 0xa0 to 0xbf. */
    public static final byte[] WELCOME_PROOF = pattern(0xa0);
    /** The proof in FETCH: bytes 0xc0 to 0xdf. */
    public static final byte[] FETCH_PROOF = pattern(0xc0);
    /**
     * The records of the RECORDS frame: a write batch (a put of "k1" = "v" in namespace 1 and a delete of "k1" in
     * namespace 2, docs/FORMAT.md section 8), a namespace record (7 "orders"), and an empty record of type 255.
     */
    public static final List<LogRecord> RECORDS = List.of(
            new LogRecord(4243, TERM, 1, HexFormat.of().parseHex(
                    "02000000" + "01" + "01000000" + "02000000" + "6b31" + "01000000" + "76"
                            + "02" + "02000000" + "02000000" + "6b31")),
            new LogRecord(4244, TERM, 2, HexFormat.of().parseHex("07000000" + "06" + "6f7264657273")),
            new LogRecord(4245, TERM, 255, new byte[0]));
    /** The REJECT's reason. */
    public static final int REJECT_REASON = ReplicationFrameFormat.REASON_STALE_TERM;
    /** The REJECT's term. */
    public static final long REJECT_TERM = 9;
    /** The REJECT's detail; the dash is three bytes in UTF-8. */
    public static final String REJECT_DETAIL = "term 7 < 9 \u2014 step down";

    private GoldenReplicationFrameWriter() {
    }

    /** @return 32 bytes counting up from {@code first} */
    private static byte[] pattern(int first) {
        byte[] b = new byte[ReplicationFrameFormat.NONCE_LENGTH];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    /** @return the golden files, by name, in frame type order, as the current code encodes them */
    public static Map<String, byte[]> frames() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("hello.frame", ReplicationFrameFormat.hello(FOLLOWER, FOLLOWER_TERM, FOLLOWER_NONCE));
        m.put("welcome.frame", ReplicationFrameFormat.welcome(ReplicationFrameFormat.welcomeSignedBody(PRIMARY, TERM,
                FIRST_SEQUENCE, WELCOME_LAST_SEQUENCE, PRIMARY_NONCE, HISTORY), WELCOME_PROOF));
        m.put("fetch.frame", ReplicationFrameFormat.fetch(FETCH_FROM, FETCH_PROOF));
        m.put("records.frame", ReplicationFrameFormat.records(LAST_SEQUENCE, RECORDS));
        m.put("heartbeat.frame", ReplicationFrameFormat.heartbeat(LAST_SEQUENCE, TERM));
        m.put("ack.frame", ReplicationFrameFormat.ack(LAST_SEQUENCE));
        m.put("reject.frame", ReplicationFrameFormat.reject(REJECT_REASON, REJECT_TERM, REJECT_DETAIL));
        return m;
    }

    /**
     * Writes the golden frames into {@code args[0]}.
     *
     * @param args the target directory; it must not hold any of the files already
     * @throws IOException if writing fails
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GoldenReplicationFrameWriter <target directory>");
        }
        Path dir = Paths.get(args[0]).toAbsolutePath();
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : frames().entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue(), StandardOpenOption.CREATE_NEW);
        }
        System.out.println("wrote the golden replication frames to " + dir);
    }
}
