package io.kintsugi.validation.scan;

import io.kintsugi.validation.Hash128;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes the golden files of the range-hash marker (FORMAT.md section 12: a scan batch's, one to the end of the
 * namespace and a probe's held marker) and the scan state file (section 13), and
 * holds the definition of what they contain, which {@link GoldenScanFormatsTest} checks the checked-in files
 * against. Regenerate only when a format version changes, into new directories named after the new version:
 *
 * <pre>
 * mvn -B -q -pl validation -am test-compile
 * java -cp "oplog/target/classes:engine/target/classes:validation/target/classes:validation/target/test-classes:$(ls ~/.m2/repository/net/openhft/zero-allocation-hashing/*&#47;*.jar | head -1)" \
 *     io.kintsugi.validation.scan.GoldenScanFormatsWriter validation/src/test/resources/golden
 * </pre>
 */
public final class GoldenScanFormatsWriter {

    static final UUID STORE_ID = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");
    static final RangeHashMarker MARKER = new RangeHashMarker(STORE_ID, 0x5ca1ab1eL, 7, 4242,
            HashAlgorithm.XXH3_128_CHAINED, "orders", bytes("k100"), bytes("k200"), 100, 12_345,
            new Hash128(0x0123456789abcdefL, 0xfedcba9876543210L));
    static final RangeHashMarker OPEN_END = new RangeHashMarker(STORE_ID, 0x5ca1ab1eL, 8, 4300,
            HashAlgorithm.XXH3_128_CHAINED, "orders", bytes("k200"), null, 0, 0,
            new Hash128(1, 2));
    /** A probe's marker: a closed range with the hold flag set. */
    static final RangeHashMarker PROBE = new RangeHashMarker(STORE_ID, 0x9b0be1dL, 0, 5000,
            HashAlgorithm.XXH3_128_CHAINED, "orders", bytes("k150"), bytes("k160"), 10, 1_234,
            new Hash128(0x1122334455667788L, 0x99aabbccddeeff00L), true);
    /** A probe's marker of a range the primary could not read: hold and primary-damaged flags, no hash. */
    static final RangeHashMarker PRIMARY_DAMAGED = new RangeHashMarker(STORE_ID, 0x9b0be1eL, 0, 5100,
            HashAlgorithm.XXH3_128_CHAINED, "orders", bytes("k170"), bytes("k180"), 0, 0, new Hash128(0, 0), true,
            true);
    static final ScanState STATE = new ScanState(0x5ca1ab1eL, "orders", bytes("a"), bytes("z"), "orders",
            bytes("k200"), 8, 100, 12_345);

    private GoldenScanFormatsWriter() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param args the golden root directory
     * @throws IOException if writing fails
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Path markers = Files.createDirectories(root.resolve("range-hash-marker-v1"));
        Files.write(markers.resolve("marker.bin"), RangeHashMarkerFormat.encode(MARKER), StandardOpenOption.CREATE_NEW);
        Files.write(markers.resolve("open-end.bin"), RangeHashMarkerFormat.encode(OPEN_END),
                StandardOpenOption.CREATE_NEW);
        Files.write(markers.resolve("probe.bin"), RangeHashMarkerFormat.encode(PROBE), StandardOpenOption.CREATE_NEW);
        Files.write(markers.resolve("primary-damaged.bin"), RangeHashMarkerFormat.encode(PRIMARY_DAMAGED),
                StandardOpenOption.CREATE_NEW);
        Path state = Files.createDirectories(root.resolve("scan-state-v1"));
        Files.write(state.resolve(ScanStateFormat.FILE_NAME), ScanStateFormat.encode(STORE_ID, STATE),
                StandardOpenOption.CREATE_NEW);
    }
}
