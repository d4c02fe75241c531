package io.kintsugi.oplog;

import io.kintsugi.oplog.format.Crc32c;
import io.kintsugi.oplog.format.LogMetadataFormat;
import io.kintsugi.oplog.format.RecordFormat;
import io.kintsugi.oplog.format.SegmentHeaderFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded corruption of an oplog on disk, and the exact outcome each kind of damage must have.
 *
 * <p>One fixture log is written once (four segments of up to {@value #SEGMENT_SIZE} bytes, records of 0 to 5000
 * payload bytes, three terms) and its bytes, the payloads written (the oracle) and the offset of every record are
 * kept in memory. Every test copies the fixture into a fresh directory, damages it, and asserts what the design's
 * recovery rule ({@code DESIGN.md}, "Recovery and the difference between a crash and corruption") says must
 * happen, decided from where the damage landed:
 * <ul>
 *   <li>damage that leaves only the end of the <em>last</em> segment unreadable, with no intact record after it, is
 *       a torn write: {@link Oplog#open} succeeds, {@link RecoveryReport#tornTail()} reports the exact offset, bytes
 *       dropped, last valid sequence and cause, the file is cut there and nothing else changes. "After it" follows
 *       the record format: after the bad record's end when its header checksum matches (its length is trusted),
 *       after its first byte when it does not;</li>
 *   <li>anything else (a bad record followed by an intact one, any bad record of a sealed segment, a bad or
 *       truncated segment header, a segment of another log or under another segment's name, a missing or gapped
 *       segment, a damaged, missing or foreign {@code oplog.meta}) makes {@code Oplog.open} throw exactly
 *       {@link CorruptionException}, whose report names the damaged file, the kind of damage and, where the
 *       damage is a structure in a file, its offset; and no file in the directory is changed.</li>
 * </ul>
 * After every successful open every retained record is read back and compared with the oracle: the log never
 * returns a record with wrong bytes.
 *
 * <p>Covered damage: bit flips in segment headers and in every field of records (both checksums included), in sealed
 * segments and in the last one; a length rewritten together with a matching header checksum; zeroed and junk 4 KiB
 * regions (aligned and not), and zeros or junk appended; truncation inside a segment header, exactly at a record
 * boundary, inside a record header and inside a payload, of the last and of sealed segments; a segment overwritten with
 * another segment's content, two segments exchanged, a segment of another log, a stale copy of a segment, a record
 * copied over another, a record rewritten with a valid checksum but a lower term; the first, a middle, the last or
 * every segment deleted; {@code oplog.meta} bit-flipped (every bit), zeroed, junk, truncated, extended, deleted,
 * replaced by another log's or by a stale copy of itself. Damage found by a reader of an open log is covered too: the
 * reader throws at the damaged record and never skips it, while reads elsewhere keep working.
 *
 * <p>The random cases are seeded: case {@code i} uses seed {@value #BASE_SEED} + {@code i}, and the number of cases
 * is {@code -Dkintsugi.corruption.cases} (200 by default, 3000 in the stress profile). Every assertion message
 * starts with the seed; {@code -Dkintsugi.corruption.seed=<seed>} runs just that case again. The fixture itself
 * is deterministic (fixed seed and log id), so a seed reproduces the same damage to the same bytes. Messages carry
 * metadata only, never payload bytes.
 */
class OplogCorruptionTest {

    /** Seed of random case 0; case i uses BASE_SEED + i. */
    static final long BASE_SEED = 7_305_217_400_000L;
    /** Seed of random reader case 0. */
    static final long READER_BASE_SEED = 9_113_004_500_000L;
    static final int CASES = Integer.getInteger("kintsugi.corruption.cases", 200);
    /** When set, the random tests run only this seed. */
    static final String SEED_PROPERTY = "kintsugi.corruption.seed";

    static final int SEGMENT_SIZE = 16 << 10;
    static final int REGION = 4 << 10;
    static final int SEGMENT_HEADER = SegmentHeaderFormat.LENGTH;
    static final int RECORD_HEADER = RecordFormat.HEADER_LENGTH;
    static final long FIXTURE_SEED = 20_250_101L;
    static final UUID LOG_ID = new UUID(0x4B696E7473756769L, 0x0000000000000001L);
    static final UUID FOREIGN_LOG_ID = new UUID(0x4B696E7473756769L, 0x00000000000000F0L);
    static final OplogOptions OPTIONS = OplogOptions.builder()
            .segmentSize(SEGMENT_SIZE)
            .durability(Durability.NONE)
            .build();
    /** Expected offset meaning "not checked": the report's offset is not a fixed property of the damage. */
    static final long ANY_OFFSET = Long.MIN_VALUE;

    private static Fixture fixture;
    private static Fixture foreign;
    private static byte[] foreignMetaStartingInside;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------------------------
    // Seeded random damage to one segment file
    // ------------------------------------------------------------------------------------------------------------

    static LongStream seeds() {
        String only = System.getProperty(SEED_PROPERTY);
        if (only != null && !only.isBlank()) {
            return LongStream.of(Long.decode(only.trim()));
        }
        return LongStream.range(0, CASES).map(i -> BASE_SEED + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void seededDamageToASegmentIsATornTailOrACorruptionExceptionAndNeverWrongData(long seed) {
        Fixture f = fixture();
        SplittableRandom rnd = new SplittableRandom(seed);
        int segIndex = (int) Math.floorMod(seed, (long) f.segments.size());
        SegmentImage seg = f.segments.get(segIndex);
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        String what = damageRandomly(rnd, f, seg, file);
        Expect expect = expectAfterDamage(f, segIndex, dir, FileCorruptor.read(file));
        String ctx = "seed " + seed + " (rerun with -D" + SEED_PROPERTY + "=" + seed + "): " + what + " in "
                + f.describeSegment(segIndex) + "; " + expect.why;
        check(expect, ctx, rnd);
    }

    /** Applies one random damage to {@code file} and describes it (offsets and sizes only). */
    private static String damageRandomly(SplittableRandom rnd, Fixture f, SegmentImage seg, Path file) {
        int size = seg.bytes.length;
        boolean last = seg == f.last();
        int pick = rnd.nextInt(100);
        if (pick < 55) {
            long offset;
            int where = rnd.nextInt(10);
            if (where == 0) {
                offset = rnd.nextInt(SEGMENT_HEADER);
            } else if (where <= 2 && last) {
                int r = seg.count() - 1;
                offset = seg.start(r) + rnd.nextInt(seg.end(r) - seg.start(r));
            } else if (where == 3) {
                offset = seg.start(rnd.nextInt(seg.count())) + rnd.nextInt(RECORD_HEADER);
            } else {
                offset = rnd.nextInt(size);
            }
            int bit = rnd.nextInt(8);
            FileCorruptor.flipBit(file, offset, bit);
            return "flipped bit " + bit + " of byte " + offset + " (" + seg.describeOffset(offset) + ")";
        }
        if (pick < 80) {
            boolean junk = pick >= 67;
            int start = rnd.nextBoolean()
                    ? REGION * rnd.nextInt((size + REGION - 1) / REGION)
                    : rnd.nextInt(size);
            int length = Math.min(REGION, size - start);
            byte[] bytes = new byte[length];
            if (junk) {
                rnd.nextBytes(bytes);
            }
            FileCorruptor.overwrite(file, start, bytes);
            return (junk ? "junk" : "zeroed") + " 4 KiB region [" + start + ", " + (start + length) + ")"
                    + (length < REGION ? " (clipped at the end of the file)" : "") + " starting in "
                    + seg.describeOffset(start);
        }
        int cut;
        int how = rnd.nextInt(4);
        if (how == 0) {
            cut = seg.start(rnd.nextInt(seg.count()));
        } else if (how == 1) {
            cut = rnd.nextInt(SEGMENT_HEADER + 1);
        } else {
            cut = rnd.nextInt(size);
        }
        FileCorruptor.truncate(file, cut);
        return "truncated from " + size + " to " + cut + " bytes (" + seg.describeOffset(cut) + ")";
    }

    // ------------------------------------------------------------------------------------------------------------
    // Bit flips
    // ------------------------------------------------------------------------------------------------------------

    /** The fields of a record a deterministic bit flip can land in, and which of the two CRCs catches a flip. */
    enum Field {
        LENGTH(RecordFormat.LENGTH_OFFSET, true),
        HEADER_CRC(RecordFormat.HEADER_CRC_OFFSET, true),
        CRC(RecordFormat.CRC_OFFSET, false),
        SEQUENCE(RecordFormat.SEQUENCE_OFFSET, true),
        TERM(RecordFormat.TERM_OFFSET, true),
        TYPE(RecordFormat.TYPE_OFFSET, true),
        PAYLOAD(RecordFormat.HEADER_LENGTH, false);

        final int offset;
        /** Whether a flip fails the header CRC (the length is then untrusted) rather than the record CRC. */
        final boolean header;

        Field(int offset, boolean header) {
            this.offset = offset;
            this.header = header;
        }
    }

    @ParameterizedTest(name = "flip in the {0} field")
    @EnumSource(Field.class)
    void aBitFlipInTheLastSegmentIsATornTailOnlyInItsLastRecord(Field field) {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        int flipped = 0;
        for (int r = 0; r < seg.count(); r++) {
            if (field == Field.PAYLOAD && seg.payloadLength(r) == 0) {
                continue;
            }
            Path d = dir.resolve("record-" + r);
            f.materialize(d);
            Path file = d.resolve(seg.name);
            // Bit 1 of the first byte of the field: for the length this changes it by 2, keeping it plausible.
            FileCorruptor.flipBit(file, seg.start(r) + field.offset, 1);
            String ctx = "bit flip in the " + field + " field of record " + seg.sequence(r) + " at offset "
                    + seg.start(r) + " of the last segment " + seg.name;
            if (r == seg.count() - 1) {
                // Every byte is covered by one of the two CRCs: whichever field it is, a flip is a checksum failure.
                assertOpensWithTornTail(d, seg, r, seg.bytes.length - seg.start(r), CorruptionKind.CHECKSUM_MISMATCH,
                        ctx + " (the last record, nothing valid after it)");
            } else {
                byte[] damaged = FileCorruptor.read(file);
                CorruptionReport report = assertOpenFails(d, file, CorruptionKind.CORRUPT_BEFORE_VALID_DATA,
                        seg.start(r), ctx + " (intact records follow, so this is acknowledged data)");
                assertCrcValues(report, damaged, seg.start(r), field.header, ctx);
            }
            flipped++;
        }
        assertTrue(flipped >= 5, "the fixture's last segment has too few records for this test: " + flipped);
    }

    @Test
    void aTornLastRecordIsCutAwayAndAppendingResumesAtItsSequence() {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        int r = seg.count() - 1;
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        FileCorruptor.flipBit(file, seg.start(r) + RECORD_HEADER + seg.payloadLength(r) / 2, 4);
        assertOpensWithTornTail(dir, seg, r, seg.end(r) - seg.start(r), CorruptionKind.CHECKSUM_MISMATCH,
                "bit flip in the payload of the log's last record");
        assertAppendResumesAt(dir, seg.sequence(r), "after cutting a torn last record");
    }

    @ParameterizedTest(name = "sealed segment {0}")
    @MethodSource("sealedSegmentIndexes")
    void aBitFlipInASealedSegmentIsAChecksumMismatchEvenInItsLastRecord(int segIndex) {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(segIndex);
        for (int r : new int[] {0, seg.count() / 2, seg.count() - 1}) {
            for (Field field : Field.values()) {
                if (field == Field.PAYLOAD && seg.payloadLength(r) == 0) {
                    continue;
                }
                Path d = dir.resolve("r" + r + "-" + field);
                f.materialize(d);
                Path file = d.resolve(seg.name);
                FileCorruptor.flipBit(file, seg.start(r) + field.offset, 0);
                String ctx = "bit flip in the " + field + " field of record " + seg.sequence(r) + " (record " + r
                        + " of " + seg.count() + ") of sealed segment " + seg.name;
                byte[] damaged = FileCorruptor.read(file);
                CorruptionReport report = assertOpenFails(d, file, CorruptionKind.CHECKSUM_MISMATCH, seg.start(r), ctx);
                assertCrcValues(report, damaged, seg.start(r), field.header, ctx);
            }
        }
    }

    @ParameterizedTest(name = "segment {0}")
    @MethodSource("allSegmentIndexes")
    void aBitFlipInAnySegmentHeaderIsAChecksumMismatchAtOffsetZero(int segIndex) {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(segIndex);
        for (int offset = 0; offset < SEGMENT_HEADER; offset += 3) {
            Path d = dir.resolve("byte-" + offset);
            f.materialize(d);
            Path file = d.resolve(seg.name);
            FileCorruptor.flipBit(file, offset, offset % 8);
            assertOpenFails(d, file, CorruptionKind.CHECKSUM_MISMATCH, 0,
                    "bit flip at byte " + offset + " of the header of " + f.describeSegment(segIndex));
        }
    }

    @Test
    void aFlippedSignBitOfTheLengthIsAHeaderChecksumMismatchInASealedSegmentAndATornTailAtTheEnd() {
        Fixture f = fixture();
        SegmentImage sealed = f.segments.get(1);
        int r = sealed.count() / 2;
        Path d1 = dir.resolve("sealed");
        f.materialize(d1);
        FileCorruptor.flipBit(d1.resolve(sealed.name), sealed.start(r) + RecordFormat.LENGTH_OFFSET + 3, 7);
        String ctx = "sign bit of the length of record " + sealed.sequence(r) + " flipped in sealed segment "
                + sealed.name;
        byte[] damaged = FileCorruptor.read(d1.resolve(sealed.name));
        CorruptionReport report = assertOpenFails(d1, d1.resolve(sealed.name), CorruptionKind.CHECKSUM_MISMATCH,
                sealed.start(r), ctx);
        assertCrcValues(report, damaged, sealed.start(r), true, ctx);

        SegmentImage last = f.last();
        int lr = last.count() - 1;
        Path d2 = dir.resolve("last");
        f.materialize(d2);
        FileCorruptor.flipBit(d2.resolve(last.name), last.start(lr) + RecordFormat.LENGTH_OFFSET + 3, 7);
        assertOpensWithTornTail(d2, last, lr, last.end(lr) - last.start(lr), CorruptionKind.CHECKSUM_MISMATCH,
                "sign bit of the length of the log's last record flipped");
    }

    @Test
    void aNegativeLengthUnderAMatchingHeaderChecksumIsABadLength() {
        // Only a writer bug produces this: the header checksum vouches for a length the format does not allow.
        Fixture f = fixture();
        SegmentImage sealed = f.segments.get(1);
        int r = sealed.count() / 2;
        Path d1 = dir.resolve("sealed");
        f.materialize(d1);
        forgeLength(d1.resolve(sealed.name), sealed.start(r), -sealed.payloadLength(r) - 1);
        assertOpenFails(d1, d1.resolve(sealed.name), CorruptionKind.BAD_LENGTH, sealed.start(r),
                "length of record " + sealed.sequence(r) + " of sealed segment " + sealed.name
                        + " rewritten negative with a matching header checksum");

        SegmentImage last = f.last();
        int lr = last.count() - 1;
        Path d2 = dir.resolve("last");
        f.materialize(d2);
        forgeLength(d2.resolve(last.name), last.start(lr), Integer.MIN_VALUE);
        assertOpensWithTornTail(d2, last, lr, last.end(lr) - last.start(lr), CorruptionKind.BAD_LENGTH,
                "length of the log's last record rewritten negative with a matching header checksum");

        // The length is unusable, so every byte after the record's start is searched and the next record found.
        int mr = last.count() / 2;
        Path d3 = dir.resolve("middle");
        f.materialize(d3);
        forgeLength(d3.resolve(last.name), last.start(mr), RecordFormat.MAX_PAYLOAD_LENGTH + 1);
        assertOpenFails(d3, d3.resolve(last.name), CorruptionKind.CORRUPT_BEFORE_VALID_DATA, last.start(mr),
                "length of record " + last.sequence(mr) + " of the last segment rewritten out of range with a "
                        + "matching header checksum, intact records after it");
    }

    @Test
    void aLengthFieldPointingPastTheEndOfASealedSegmentIsCorruption() {
        Fixture f = fixture();
        SegmentImage sealed = f.segments.get(0);
        int r = sealed.count() - 2;
        Path d1 = dir.resolve("flipped");
        f.materialize(d1);
        Path file = d1.resolve(sealed.name);
        // + 16 KiB: more than the rest of the segment, within the format's limit. The header checksum catches it.
        FileCorruptor.flipBit(file, sealed.start(r) + RecordFormat.LENGTH_OFFSET + 1, 6);
        assertOpenFails(d1, file, CorruptionKind.CHECKSUM_MISMATCH, sealed.start(r),
                "length of record " + sealed.sequence(r) + " of sealed segment " + sealed.name
                        + " made to point past the end of the segment by a bit flip");

        Path d2 = dir.resolve("forged");
        f.materialize(d2);
        file = d2.resolve(sealed.name);
        forgeLength(file, sealed.start(r), sealed.payloadLength(r) + (16 << 10));
        assertOpenFails(d2, file, CorruptionKind.TRUNCATED, sealed.start(r),
                "length of record " + sealed.sequence(r) + " of sealed segment " + sealed.name
                        + " made to point past the end of the segment, with a matching header checksum");
    }

    @Test
    void aLengthUnderAMatchingHeaderChecksumIsTrustedInTheLastSegmentEvenWhereItRunsPastTheEnd() {
        // The rule that lets a crash tear a record holding record-like bytes: a header whose checksum matches is
        // believed, so a record running past the end of the file is the one being written when the crash came.
        // Only a writer bug could write such a header over acknowledged records; this pins what recovery then does.
        Fixture f = fixture();
        SegmentImage last = f.last();
        int r = last.count() - 3;
        f.materialize(dir);
        Path file = dir.resolve(last.name);
        forgeLength(file, last.start(r), last.bytes.length - last.start(r));
        assertOpensWithTornTail(dir, last, r, last.bytes.length - last.start(r), CorruptionKind.TRUNCATED,
                "length of record " + last.sequence(r) + " of the last segment rewritten, with a matching header "
                        + "checksum, to end past the end of the file");
    }

    /** Rewrites the length of the record at {@code start} and gives it a matching header checksum. */
    private static void forgeLength(Path file, int start, int length) {
        ByteBuffer header = ByteBuffer.wrap(Arrays.copyOfRange(FileCorruptor.read(file), start, start + RECORD_HEADER))
                .order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(RecordFormat.LENGTH_OFFSET, length);
        header.putInt(RecordFormat.HEADER_CRC_OFFSET, maskedCrcWithoutCrcFields(header.array(), 0, RECORD_HEADER));
        FileCorruptor.overwrite(file, start, Arrays.copyOf(header.array(), RecordFormat.CRC_OFFSET));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Zeroed and junk regions
    // ------------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "junk: {0}")
    @ValueSource(booleans = {false, true})
    void aZeroedOrJunkRegionAtTheEndOfTheLastSegmentIsATornTail(boolean junk) {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        int start = seg.bytes.length - REGION;
        int r = seg.recordAt(start);
        assertTrue(r >= 1, "the fixture's last segment must be longer than one region plus a record");
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        byte[] region = regionBytes(junk, REGION, 11);
        FileCorruptor.overwrite(file, start, region);
        byte[] damaged = FileCorruptor.read(file);
        String ctx = (junk ? "junk" : "zeroed") + " last 4 KiB of the last segment " + seg.name
                + ", first damaged record " + seg.sequence(r);
        assertOpensWithTornTail(dir, seg, r, damaged.length - seg.start(r), scanOutcome(damaged, seg.start(r)), ctx);
        assertAppendResumesAt(dir, seg.sequence(r), ctx);
    }

    @ParameterizedTest(name = "junk: {0}")
    @ValueSource(booleans = {false, true})
    void zerosOrJunkAppendedAfterTheLastRecordAreATornTail(boolean junk) {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        byte[] tail = regionBytes(junk, REGION, 12);
        FileCorruptor.append(file, tail);
        byte[] damaged = FileCorruptor.read(file);
        RecoveryReport.TornTail torn = new RecoveryReport.TornTail(file, seg.bytes.length, REGION,
                f.lastSequence(), scanOutcome(damaged, seg.bytes.length));
        assertOpens(dir, f.lastSequence(), torn, (junk ? "junk" : "zeros") + " appended to the last segment");
        assertAppendResumesAt(dir, f.lastSequence() + 1, "after cutting appended " + (junk ? "junk" : "zeros"));
    }

    @ParameterizedTest(name = "junk: {0}")
    @ValueSource(booleans = {false, true})
    void aZeroedOrJunkRegionFollowedByIntactRecordsInTheLastSegmentIsCorruptBeforeValidData(boolean junk) {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        int lastStart = seg.start(seg.count() - 1);
        int start = Math.max(SEGMENT_HEADER, lastStart - REGION);
        int r = seg.recordAt(start);
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        FileCorruptor.overwrite(file, start, regionBytes(junk, lastStart - start, 13));
        assertOpenFails(dir, file, CorruptionKind.CORRUPT_BEFORE_VALID_DATA, seg.start(r),
                (junk ? "junk" : "zeroed") + " region [" + start + ", " + lastStart + ") of the last segment "
                        + seg.name + " before its intact last record");
    }

    static Stream<Arguments> sealedSegmentsWithZerosOrJunk() {
        return sealedSegmentIndexes().boxed()
                .flatMap(i -> Stream.of(Arguments.of(i, false), Arguments.of(i, true)));
    }

    @ParameterizedTest(name = "sealed segment {0}, junk: {1}")
    @MethodSource("sealedSegmentsWithZerosOrJunk")
    void aZeroedOrJunkAlignedBlockInASealedSegmentIsCorruptionAtTheFirstDamagedRecord(int segIndex, boolean junk) {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(segIndex);
        for (int start = REGION; start < seg.bytes.length; start += REGION) {
            Path d = dir.resolve("at-" + start);
            f.materialize(d);
            Path file = d.resolve(seg.name);
            int length = Math.min(REGION, seg.bytes.length - start);
            FileCorruptor.overwrite(file, start, regionBytes(junk, length, start));
            Expect expect = expectAfterDamage(f, segIndex, d, FileCorruptor.read(file));
            int r = seg.recordAt(start);
            assertEquals(seg.start(r), expect.offset, "the first damaged record is the one holding the region start");
            assertOpenFails(d, file, expect.kind, seg.start(r), (junk ? "junk" : "zeroed") + " 4 KiB block ["
                    + start + ", " + (start + length) + ") of sealed segment " + seg.name + "; " + expect.why);
        }
    }

    @Test
    void zerosAppendedToASealedSegmentAreAChecksumMismatchThere() {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(1);
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        FileCorruptor.append(file, new byte[REGION]);
        assertOpenFails(dir, file, CorruptionKind.CHECKSUM_MISMATCH, seg.bytes.length,
                "4 KiB of zeros appended to sealed segment " + seg.name);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Truncation
    // ------------------------------------------------------------------------------------------------------------

    static Stream<Arguments> everySegmentWithCutsInsideTheHeader() {
        return allSegmentIndexes().boxed()
                .flatMap(i -> IntStream.of(0, 1, 24, SEGMENT_HEADER - 1).mapToObj(cut -> Arguments.of(i, cut)));
    }

    @ParameterizedTest(name = "segment {0} cut to {1} bytes")
    @MethodSource("everySegmentWithCutsInsideTheHeader")
    void aSegmentTruncatedInsideItsHeaderIsTruncatedCorruption(int segIndex, int cut) {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(segIndex);
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        FileCorruptor.truncate(file, cut);
        assertOpenFails(dir, file, CorruptionKind.TRUNCATED, 0,
                f.describeSegment(segIndex) + " cut to " + cut + " bytes, inside its header (segment headers are "
                        + "written before the segment gets its name, so a crash cannot cut one)");
    }

    @Test
    void theLastSegmentTruncatedAtARecordBoundaryOpensWithEveryRecordBeforeIt() {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        for (int r : new int[] {0, seg.count() / 2, seg.count() - 1}) {
            Path d = dir.resolve("at-record-" + r);
            f.materialize(d);
            FileCorruptor.truncate(d.resolve(seg.name), seg.start(r));
            String ctx = "last segment " + seg.name + " cut at the start of record " + seg.sequence(r)
                    + " (offset " + seg.start(r) + "): a clean end, as after a crash that lost unsynced appends";
            assertOpens(d, seg.sequence(r) - 1, null, ctx);
            assertAppendResumesAt(d, seg.sequence(r), ctx);
        }
    }

    @ParameterizedTest(name = "cut {0} bytes into the record header")
    @ValueSource(ints = {1, 4, 8, 12, 20, 28})
    void theLastSegmentTruncatedInsideARecordHeaderIsATornTail(int into) {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        int r = seg.count() / 2;
        f.materialize(dir);
        FileCorruptor.truncate(dir.resolve(seg.name), seg.start(r) + into);
        String ctx = "last segment " + seg.name + " cut " + into + " bytes into the header of record "
                + seg.sequence(r);
        assertOpensWithTornTail(dir, seg, r, into, CorruptionKind.TRUNCATED, ctx);
        assertAppendResumesAt(dir, seg.sequence(r), ctx);
    }

    @Test
    void theLastSegmentTruncatedInsideAPayloadIsATornTail() {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        int r = seg.recordWithPayloadNear(seg.count() / 2);
        int into = RECORD_HEADER + seg.payloadLength(r) / 2;
        f.materialize(dir);
        FileCorruptor.truncate(dir.resolve(seg.name), seg.start(r) + into);
        String ctx = "last segment " + seg.name + " cut inside the payload of record " + seg.sequence(r);
        assertOpensWithTornTail(dir, seg, r, into, CorruptionKind.TRUNCATED, ctx);
        assertAppendResumesAt(dir, seg.sequence(r), ctx);
    }

    @ParameterizedTest(name = "sealed segment {0}")
    @MethodSource("sealedSegmentIndexes")
    void aSealedSegmentTruncatedAtARecordBoundaryIsASequenceGapAtTheNextSegment(int segIndex) {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(segIndex);
        SegmentImage next = f.segments.get(segIndex + 1);
        for (int cut : new int[] {SEGMENT_HEADER, seg.start(seg.count() / 2), seg.start(seg.count() - 1)}) {
            Path d = dir.resolve("cut-" + cut);
            f.materialize(d);
            FileCorruptor.truncate(d.resolve(seg.name), cut);
            // The segments that remain no longer follow each other; the gap is reported where the next one starts.
            assertOpenFails(d, d.resolve(next.name), CorruptionKind.SEQUENCE_GAP,
                    SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET, "sealed segment " + seg.name + " cut at record "
                            + "boundary " + cut + ", so it ends before " + next.name + " starts");
        }
    }

    @ParameterizedTest(name = "sealed segment {0}")
    @MethodSource("sealedSegmentIndexes")
    void aSealedSegmentTruncatedInsideARecordIsTruncatedCorruption(int segIndex) {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(segIndex);
        int r = seg.recordWithPayloadNear(seg.count() - 1);
        int[] intos = {1, RECORD_HEADER - 1, RECORD_HEADER, RECORD_HEADER + seg.payloadLength(r) / 2,
                seg.end(r) - seg.start(r) - 1};
        for (int into : intos) {
            Path d = dir.resolve("into-" + into);
            f.materialize(d);
            Path file = d.resolve(seg.name);
            FileCorruptor.truncate(file, seg.start(r) + into);
            assertOpenFails(d, file, CorruptionKind.TRUNCATED, seg.start(r), "sealed segment " + seg.name + " cut "
                    + into + " bytes into record " + seg.sequence(r) + " (a sealed segment is synced before the "
                    + "next one starts, so this is not a torn write)");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Whole segments swapped, foreign, stale, deleted; records copied
    // ------------------------------------------------------------------------------------------------------------

    static Stream<Arguments> orderedSegmentPairs() {
        int n = fixture().segments.size();
        return IntStream.range(0, n).boxed()
                .flatMap(a -> IntStream.range(0, n).filter(b -> b != a).mapToObj(b -> Arguments.of(a, b)));
    }

    @ParameterizedTest(name = "segment {0} copied over segment {1}")
    @MethodSource("orderedSegmentPairs")
    void aSegmentOverwrittenWithAnotherSegmentsContentIsABadHeader(int source, int target) {
        Fixture f = fixture();
        f.materialize(dir);
        Path targetFile = dir.resolve(f.segments.get(target).name);
        FileCorruptor.copyOver(dir.resolve(f.segments.get(source).name), targetFile);
        assertOpenFails(dir, targetFile, CorruptionKind.BAD_HEADER, SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET,
                "content of " + f.describeSegment(source) + " copied over " + f.describeSegment(target));
    }

    static Stream<Arguments> unorderedSegmentPairs() {
        return orderedSegmentPairs().filter(p -> (int) p.get()[0] < (int) p.get()[1]);
    }

    @ParameterizedTest(name = "segments {0} and {1} exchanged")
    @MethodSource("unorderedSegmentPairs")
    void twoExchangedSegmentsAreABadHeaderAtTheFirstOfThem(int a, int b) {
        Fixture f = fixture();
        f.materialize(dir);
        Path first = dir.resolve(f.segments.get(a).name);
        FileCorruptor.exchange(first, dir.resolve(f.segments.get(b).name));
        assertOpenFails(dir, first, CorruptionKind.BAD_HEADER, SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET,
                "contents of " + f.describeSegment(a) + " and " + f.describeSegment(b) + " exchanged");
    }

    @ParameterizedTest(name = "segment {0}")
    @MethodSource("allSegmentIndexes")
    void aSegmentOfAnotherLogInPlaceOfOneOfOursIsAForeignFile(int segIndex) {
        Fixture f = fixture();
        Fixture other = foreign();
        SegmentImage seg = f.segments.get(segIndex);
        assertEquals(seg.name, other.segments.get(segIndex).name, "the foreign log has the same layout");
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        FileCorruptor.overwrite(file, 0, other.segments.get(segIndex).bytes);
        assertOpenFails(dir, file, CorruptionKind.FOREIGN_FILE, 0,
                f.describeSegment(segIndex) + " replaced by the same-named segment of another log");
    }

    @Test
    void aStaleCopyOfASealedSegmentIsASequenceGapAtTheNextSegment() {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(1);
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        writeTo(file, f.staleSecondSegment);
        assertOpenFails(dir, dir.resolve(f.segments.get(2).name), CorruptionKind.SEQUENCE_GAP,
                SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET, "sealed segment " + seg.name + " replaced by a copy "
                        + "taken while it held " + f.staleSecondSegmentRecords + " records");
    }

    @ParameterizedTest(name = "segment {0}")
    @MethodSource("allSegmentIndexes")
    void aRecordCopiedOverALaterRecordOfTheSameLengthIsASequenceGap(int segIndex) {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(segIndex);
        int[] pair = seg.laterRecordOfSameLength();
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        FileCorruptor.overwrite(file, seg.start(pair[1]),
                Arrays.copyOfRange(seg.bytes, seg.start(pair[0]), seg.end(pair[0])));
        // An intact record with the wrong sequence is not a torn write, not even at the very end of the log.
        assertOpenFails(dir, file, CorruptionKind.SEQUENCE_GAP, seg.start(pair[1]),
                "record " + seg.sequence(pair[0]) + " copied over record " + seg.sequence(pair[1]) + " in "
                        + f.describeSegment(segIndex));
    }

    @ParameterizedTest(name = "segment {0}")
    @MethodSource("allSegmentIndexes")
    void aRecordRewrittenWithAValidChecksumButALowerTermIsATermRegression(int segIndex) {
        Fixture f = fixture();
        SegmentImage seg = f.segments.get(segIndex);
        int r = seg.count() - 1;
        Written w = f.oracle.get((int) (seg.sequence(r) - 1));
        long lowerTerm = f.oracle.get((int) (seg.sequence(r) - 2)).term - 1;
        ByteBuffer forged = ByteBuffer.allocate(RecordFormat.encodedLength(w.payload.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        RecordFormat.encode(forged, w.sequence, lowerTerm, w.type, w.payload);
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        FileCorruptor.overwrite(file, seg.start(r), forged.array());
        // The record is intact as far as its checksum goes, so it is not a torn write even at the end of the log.
        assertOpenFails(dir, file, CorruptionKind.TERM_REGRESSION, seg.start(r), "last record " + w.sequence
                + " of " + f.describeSegment(segIndex) + " rewritten with term " + lowerTerm
                + ", lower than the term before it");
    }

    @Test
    void deletingTheFirstSegmentIsAMissingFile() {
        Fixture f = fixture();
        f.materialize(dir);
        Path first = dir.resolve(f.segments.get(0).name);
        FileCorruptor.delete(first);
        assertOpenFails(dir, first, CorruptionKind.MISSING_FILE, -1, "first segment deleted");
    }

    @ParameterizedTest(name = "segment {0}")
    @MethodSource("middleSegmentIndexes")
    void deletingAMiddleSegmentIsASequenceGapAtTheSegmentAfterIt(int segIndex) {
        Fixture f = fixture();
        f.materialize(dir);
        FileCorruptor.delete(dir.resolve(f.segments.get(segIndex).name));
        // The metadata names only the first and the last segment; the hole shows as a gap in the sequences.
        assertOpenFails(dir, dir.resolve(f.segments.get(segIndex + 1).name), CorruptionKind.SEQUENCE_GAP,
                SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET, f.describeSegment(segIndex) + " deleted");
    }

    @Test
    void deletingTheLastSegmentIsAMissingFile() {
        Fixture f = fixture();
        f.materialize(dir);
        Path last = dir.resolve(f.last().name);
        FileCorruptor.delete(last);
        assertOpenFails(dir, last, CorruptionKind.MISSING_FILE, -1, "last segment deleted");
    }

    @Test
    void deletingEverySegmentIsAMissingFileAndCreatesNoNewLog() {
        Fixture f = fixture();
        f.materialize(dir);
        for (SegmentImage s : f.segments) {
            FileCorruptor.delete(dir.resolve(s.name));
        }
        assertOpenFails(dir, dir.resolve(f.segments.get(0).name), CorruptionKind.MISSING_FILE, -1,
                "every segment deleted, metadata left");
    }

    // ------------------------------------------------------------------------------------------------------------
    // oplog.meta
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void everySingleBitFlipInTheMetadataIsAChecksumMismatch() {
        Fixture f = fixture();
        for (int offset = 0; offset < LogMetadataFormat.LENGTH; offset++) {
            for (int bit = 0; bit < 8; bit++) {
                Path d = dir.resolve(offset + "-" + bit);
                f.materialize(d);
                Path meta = d.resolve(LogMetadataFormat.FILE_NAME);
                FileCorruptor.flipBit(meta, offset, bit);
                assertOpenFails(d, meta, CorruptionKind.CHECKSUM_MISMATCH, 0,
                        "bit " + bit + " of byte " + offset + " of " + LogMetadataFormat.FILE_NAME + " flipped");
            }
        }
    }

    @ParameterizedTest(name = "junk: {0}")
    @ValueSource(booleans = {false, true})
    void zeroedOrJunkMetadataOfTheRightSizeIsAChecksumMismatch(boolean junk) {
        Fixture f = fixture();
        f.materialize(dir);
        Path meta = dir.resolve(LogMetadataFormat.FILE_NAME);
        FileCorruptor.overwrite(meta, 0, regionBytes(junk, LogMetadataFormat.LENGTH, 14));
        assertOpenFails(dir, meta, CorruptionKind.CHECKSUM_MISMATCH, 0,
                LogMetadataFormat.FILE_NAME + " overwritten with " + (junk ? "junk" : "zeros"));
    }

    @ParameterizedTest(name = "junk: {0}")
    @ValueSource(booleans = {false, true})
    void metadataOverwrittenByAZeroedOrJunk4KiBRegionIsABadLength(boolean junk) {
        Fixture f = fixture();
        f.materialize(dir);
        Path meta = dir.resolve(LogMetadataFormat.FILE_NAME);
        FileCorruptor.overwrite(meta, 0, regionBytes(junk, REGION, 15));
        assertOpenFails(dir, meta, CorruptionKind.BAD_LENGTH, 0,
                LogMetadataFormat.FILE_NAME + " overwritten with a 4 KiB " + (junk ? "junk" : "zeroed") + " block");
    }

    @ParameterizedTest(name = "cut to {0} bytes")
    @ValueSource(ints = {0, 1, 24, LogMetadataFormat.LENGTH - 1})
    void truncatedMetadataIsTruncated(int cut) {
        Fixture f = fixture();
        f.materialize(dir);
        Path meta = dir.resolve(LogMetadataFormat.FILE_NAME);
        FileCorruptor.truncate(meta, cut);
        assertOpenFails(dir, meta, CorruptionKind.TRUNCATED, 0,
                LogMetadataFormat.FILE_NAME + " cut to " + cut + " bytes");
    }

    @Test
    void deletedMetadataIsAMissingFile() {
        Fixture f = fixture();
        f.materialize(dir);
        Path meta = dir.resolve(LogMetadataFormat.FILE_NAME);
        FileCorruptor.delete(meta);
        assertOpenFails(dir, meta, CorruptionKind.MISSING_FILE, -1,
                LogMetadataFormat.FILE_NAME + " deleted while segments with records exist");
    }

    @ParameterizedTest(name = "foreign log starts inside ours: {0}")
    @ValueSource(booleans = {false, true})
    void metadataOfAnotherLogIsAForeignFileAndNoSegmentIsDeleted(boolean startsInside) {
        Fixture f = fixture();
        f.materialize(dir);
        Path meta = dir.resolve(LogMetadataFormat.FILE_NAME);
        writeTo(meta, startsInside ? foreignMetaStartingInside() : foreign().meta);
        assertOpenFails(dir, meta, CorruptionKind.FOREIGN_FILE, ANY_OFFSET, LogMetadataFormat.FILE_NAME
                + " replaced by the metadata of another log"
                + (startsInside ? " whose first retained sequence lies inside this log" : ""));
    }

    @Test
    void aStaleCopyOfTheMetadataThatMissesTwoLaterSegmentsIsAStaleFile() {
        Fixture f = fixture();
        f.materialize(dir);
        Path meta = dir.resolve(LogMetadataFormat.FILE_NAME);
        writeTo(meta, f.staleMeta);
        // A crash during a roll leaves at most one segment the metadata does not name yet.
        assertOpenFails(dir, meta, CorruptionKind.STALE_FILE, -1, LogMetadataFormat.FILE_NAME
                + " replaced by a copy taken while " + f.segments.get(1).name + " was the last of "
                + f.segments.size() + " segments");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Damage found by readers of an open log
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void aBitFlipInASealedSegmentAfterOpenFailsTheReaderThereWhileOtherReadsKeepWorking() {
        Fixture f = fixture();
        int segIndex = 1;
        SegmentImage seg = f.segments.get(segIndex);
        int r = seg.recordWithPayloadNear(seg.count() / 2);
        long badSeq = seg.sequence(r);
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        try (Oplog log = Oplog.open(dir, OPTIONS)) {
            FileCorruptor.flipBit(file, seg.start(r) + RECORD_HEADER, 3);
            String ctx = "bit flip in the payload of record " + badSeq + " of sealed segment " + seg.name
                    + " after open";
            try (OplogReader reader = log.reader(1)) {
                readExactly(reader, 1, badSeq - 1, ctx);
                assertReaderFails(reader, file, CorruptionKind.CHECKSUM_MISMATCH, seg.start(r), ctx);
                // A reader that failed stays at the damaged record: it never skips it.
                assertReaderFails(reader, file, CorruptionKind.CHECKSUM_MISMATCH, seg.start(r),
                        ctx + ", read again");
                assertEquals(badSeq, reader.nextSequence(), ctx + ": the reader must not move past the damage");
            }
            try (OplogReader reader = log.reader(f.segments.get(segIndex + 1).firstSequence)) {
                readExactly(reader, f.segments.get(segIndex + 1).firstSequence, f.lastSequence(), ctx
                        + ", reading the segments after it");
                assertNull(reader.next(), ctx + ": nothing after the last record");
            }
            try (OplogReader reader = log.reader(seg.firstSequence)) {
                readExactly(reader, seg.firstSequence, badSeq - 1, ctx + ", reading from the segment's start");
                assertReaderFails(reader, file, CorruptionKind.CHECKSUM_MISMATCH, seg.start(r),
                        ctx + ", reading from the segment's start");
            }
        }
    }

    @Test
    void aBitFlipInTheActiveSegmentAfterOpenFailsTheReaderThereEvenInTheLastRecord() {
        Fixture f = fixture();
        SegmentImage seg = f.last();
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        try (Oplog log = Oplog.open(dir, OPTIONS)) {
            for (int r : new int[] {seg.count() - 1, seg.count() / 2}) {
                FileCorruptor.flipBit(file, seg.start(r) + RecordFormat.SEQUENCE_OFFSET, 0);
                String ctx = "bit flip in the sequence of record " + seg.sequence(r) + " of the active segment "
                        + seg.name + " after open (a reader never truncates)";
                try (OplogReader reader = log.reader(seg.firstSequence)) {
                    readExactly(reader, seg.firstSequence, seg.sequence(r) - 1, ctx);
                    assertReaderFails(reader, file, CorruptionKind.CHECKSUM_MISMATCH, seg.start(r), ctx);
                }
            }
        }
    }

    static LongStream readerSeeds() {
        String only = System.getProperty(SEED_PROPERTY);
        if (only != null && !only.isBlank()) {
            return LongStream.of(Long.decode(only.trim()));
        }
        return LongStream.range(0, Math.max(1, CASES / 4)).map(i -> READER_BASE_SEED + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("readerSeeds")
    void seededBitFlipAfterOpenIsThrownByReadersAndNeverReturned(long seed) {
        Fixture f = fixture();
        SplittableRandom rnd = new SplittableRandom(seed);
        int segIndex = (int) Math.floorMod(seed, (long) f.segments.size());
        SegmentImage seg = f.segments.get(segIndex);
        f.materialize(dir);
        Path file = dir.resolve(seg.name);
        try (Oplog log = Oplog.open(dir, OPTIONS)) {
            int r = rnd.nextInt(10) == 0 ? -1 : rnd.nextInt(seg.count());
            long offset = r < 0 ? rnd.nextInt(SEGMENT_HEADER) : seg.start(r) + rnd.nextInt(seg.end(r) - seg.start(r));
            int bit = rnd.nextInt(8);
            FileCorruptor.flipBit(file, offset, bit);
            String ctx = "seed " + seed + " (rerun with -D" + SEED_PROPERTY + "=" + seed + "): flipped bit " + bit
                    + " of byte " + offset + " (" + seg.describeOffset(offset) + ") of " + f.describeSegment(segIndex)
                    + " after open";
            long from = 1 + rnd.nextInt((int) f.lastSequence());
            if (r < 0) {
                // Readers do not read segment headers after open; every record is still intact.
                try (OplogReader reader = log.reader(1)) {
                    readExactly(reader, 1, f.lastSequence(), ctx);
                    assertNull(reader.next(), ctx);
                }
                return;
            }
            long badSeq = seg.sequence(r);
            CorruptionKind kind = scanOutcome(FileCorruptor.read(file), seg.start(r));
            try (OplogReader reader = log.reader(1)) {
                readExactly(reader, 1, badSeq - 1, ctx + ", reading from sequence 1");
                assertReaderFails(reader, file, kind, seg.start(r), ctx + ", reading from sequence 1");
                assertReaderFails(reader, file, kind, seg.start(r), ctx + ", reading from sequence 1 again");
            }
            String fromCtx = ctx + ", reading from sequence " + from;
            try (OplogReader reader = log.reader(from)) {
                if (from <= badSeq) {
                    readExactly(reader, from, badSeq - 1, fromCtx);
                    assertReaderFails(reader, file, kind, seg.start(r), fromCtx);
                } else if (f.segmentIndexOf(from) > segIndex) {
                    readExactly(reader, from, f.lastSequence(), fromCtx);
                    assertNull(reader.next(), fromCtx);
                } else {
                    // Starting after the damage in the same segment: the reader may start scanning before the
                    // damaged record (from an index entry); then it must throw there, else return exact records.
                    for (long s = from; s <= f.lastSequence(); s++) {
                        LogRecord rec;
                        try {
                            rec = reader.next();
                        } catch (RuntimeException e) {
                            assertCorruption(e, file, kind, seg.start(r), fromCtx + ", at sequence " + s);
                            return;
                        }
                        assertMatchesOracle(f, rec, s, fromCtx);
                    }
                    assertNull(reader.next(), fromCtx);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The expected outcome of damage to one segment, decided from where it landed
    // ------------------------------------------------------------------------------------------------------------

    /** What opening a damaged directory must do, and why. */
    static final class Expect {
        final boolean opens;
        final long lastSequence;
        final RecoveryReport.TornTail torn;
        final Path file;
        final CorruptionKind kind;
        final long offset;
        final String why;

        private Expect(boolean opens, long lastSequence, RecoveryReport.TornTail torn, Path file,
                       CorruptionKind kind, long offset, String why) {
            this.opens = opens;
            this.lastSequence = lastSequence;
            this.torn = torn;
            this.file = file;
            this.kind = kind;
            this.offset = offset;
            this.why = why;
        }

        static Expect opens(long lastSequence, RecoveryReport.TornTail torn, String why) {
            return new Expect(true, lastSequence, torn, null, null, ANY_OFFSET, why);
        }

        static Expect fails(Path file, CorruptionKind kind, long offset, String why) {
            return new Expect(false, -1, null, file, kind, offset, why);
        }
    }

    /**
     * Decides what opening the fixture in {@code dir} must do after segment {@code segIndex}, and no other file,
     * was changed to {@code damaged}: the first record whose bytes changed (or that the file no longer holds whole)
     * is the bad record; in a sealed segment it is corruption; in the last segment it is a torn tail unless an
     * intact record starts at or after {@link #searchStart} (past the bad record when its header checksum matches,
     * one byte into it when not). Segment headers are always complete on disk, so any damage to one is corruption.
     */
    private static Expect expectAfterDamage(Fixture f, int segIndex, Path dir, byte[] damaged) {
        SegmentImage seg = f.segments.get(segIndex);
        boolean last = segIndex == f.segments.size() - 1;
        Path file = dir.resolve(seg.name);
        byte[] o = seg.bytes;
        if (damaged.length < SEGMENT_HEADER) {
            return Expect.fails(file, CorruptionKind.TRUNCATED, 0, "the segment header is cut: TRUNCATED");
        }
        if (!Arrays.equals(o, 0, SEGMENT_HEADER, damaged, 0, SEGMENT_HEADER)) {
            return Expect.fails(file, CorruptionKind.CHECKSUM_MISMATCH, 0,
                    "the segment header changed: CHECKSUM_MISMATCH at offset 0");
        }
        int bad = -1;
        for (int r = 0; r < seg.count(); r++) {
            if (!seg.intactIn(r, damaged)) {
                bad = r;
                break;
            }
        }
        int badOffset;
        long lastGood;
        if (bad < 0) {
            if (damaged.length == o.length) {
                return Expect.opens(f.lastSequence(), null, "the damage changed no byte");
            }
            badOffset = o.length;
            lastGood = seg.firstSequence + seg.count() - 1;
        } else {
            badOffset = seg.start(bad);
            lastGood = seg.sequence(bad) - 1;
            if (damaged.length == badOffset) {
                if (last) {
                    return Expect.opens(lastGood, null, "the last segment now ends cleanly at record boundary "
                            + badOffset + " after sequence " + lastGood + ": opens, no torn tail");
                }
                return Expect.fails(dir.resolve(f.segments.get(segIndex + 1).name), CorruptionKind.SEQUENCE_GAP,
                        SegmentHeaderFormat.FIRST_SEQUENCE_OFFSET, "the sealed segment now ends at sequence "
                                + lastGood + ", before the next segment starts: SEQUENCE_GAP at the next segment");
            }
        }
        CorruptionKind kind = scanOutcome(damaged, badOffset);
        String where = "first bad record at offset " + badOffset + " (after sequence " + lastGood + ") reads as "
                + kind;
        if (!last) {
            return Expect.fails(file, kind, badOffset, where + " in a sealed segment: corruption");
        }
        long searchFrom = searchStart(damaged, badOffset);
        for (int r = bad + 1; bad >= 0 && r < seg.count(); r++) {
            if (seg.start(r) >= searchFrom && seg.intactIn(r, damaged)) {
                return Expect.fails(file, CorruptionKind.CORRUPT_BEFORE_VALID_DATA, badOffset, where
                        + ", the search for intact records starts at " + searchFrom + " and record "
                        + seg.sequence(r) + " at " + seg.start(r) + " is intact: CORRUPT_BEFORE_VALID_DATA");
            }
        }
        return Expect.opens(lastGood, new RecoveryReport.TornTail(file, badOffset, damaged.length - badOffset,
                lastGood, kind), where + " at the end of the last segment with nothing intact from offset "
                        + searchFrom + " on: torn tail");
    }

    /**
     * What a scanner finds at {@code offset} of {@code bytes} when the record there is not intact, from the
     * record format, in the order a reader checks: too few bytes for a header, a header checksum mismatch, a length
     * outside the format's limits (under a matching header checksum), a length that runs past the end, or else a
     * record checksum mismatch.
     */
    static CorruptionKind scanOutcome(byte[] bytes, int offset) {
        long available = bytes.length - (long) offset;
        if (available < RECORD_HEADER) {
            return CorruptionKind.TRUNCATED;
        }
        if (!headerChecksumMatches(bytes, offset)) {
            return CorruptionKind.CHECKSUM_MISMATCH;
        }
        int length = getIntLe(bytes, offset + RecordFormat.LENGTH_OFFSET);
        if (length < 0 || length > RecordFormat.MAX_PAYLOAD_LENGTH) {
            return CorruptionKind.BAD_LENGTH;
        }
        if (available < (long) RECORD_HEADER + length) {
            return CorruptionKind.TRUNCATED;
        }
        return CorruptionKind.CHECKSUM_MISMATCH;
    }

    /**
     * Where recovery must look for intact records after the bad record at {@code offset} of the last segment:
     * nowhere (the end of the file) when not even a header is left; the bad record's end when its header checksum
     * matches and its length is in range, since its extent is then known (past the end of the file when the record
     * is cut short); else the byte after its start, since its length says nothing.
     */
    static long searchStart(byte[] bytes, int offset) {
        if (bytes.length - (long) offset < RECORD_HEADER) {
            return bytes.length;
        }
        int length = getIntLe(bytes, offset + RecordFormat.LENGTH_OFFSET);
        if (headerChecksumMatches(bytes, offset) && length >= 0 && length <= RecordFormat.MAX_PAYLOAD_LENGTH) {
            return (long) offset + RECORD_HEADER + length;
        }
        return offset + 1L;
    }

    /** Whether the header checksum stored at {@code offset} matches the header there. */
    static boolean headerChecksumMatches(byte[] bytes, int offset) {
        return getIntLe(bytes, offset + RecordFormat.HEADER_CRC_OFFSET)
                == maskedCrcWithoutCrcFields(bytes, offset, offset + RECORD_HEADER);
    }

    /**
     * The masked CRC32C of {@code bytes[start, end)} with the two CRC fields of the record at {@code start} cut
     * out, computed here rather than by the format class: over the header it is the header checksum, over the
     * whole record the record checksum.
     */
    static int maskedCrcWithoutCrcFields(byte[] bytes, int start, int end) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, start + RecordFormat.LENGTH_OFFSET, RecordFormat.HEADER_CRC_OFFSET);
        crc.update(bytes, start + RecordFormat.SEQUENCE_OFFSET, end - start - RecordFormat.SEQUENCE_OFFSET);
        return Crc32c.mask((int) crc.getValue());
    }

    static int getIntLe(byte[] bytes, int at) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    /**
     * Asserts that the report of a bad record at {@code start} of {@code damaged} carries the stored and computed
     * values, and the extent, of the CRC that failed: the header CRC over the header when a header field or the
     * header CRC changed, else the record CRC over the whole record.
     */
    private static void assertCrcValues(CorruptionReport report, byte[] damaged, int start, boolean header,
                                        String ctx) {
        int end = header ? start + RECORD_HEADER
                : start + RECORD_HEADER + getIntLe(damaged, start + RecordFormat.LENGTH_OFFSET);
        int stored = getIntLe(damaged, start + (header ? RecordFormat.HEADER_CRC_OFFSET : RecordFormat.CRC_OFFSET));
        int computed = maskedCrcWithoutCrcFields(damaged, start, end);
        assertEquals(OptionalLong.of(Integer.toUnsignedLong(stored)), report.expected(),
                () -> ctx + ": stored checksum in the report: " + report.describe());
        assertEquals(OptionalLong.of(Integer.toUnsignedLong(computed)), report.actual(),
                () -> ctx + ": computed checksum in the report: " + report.describe());
        assertEquals(end - start, report.length(), () -> ctx + ": length in the report: " + report.describe());
        String what = header ? "record header checksum mismatch" : "record checksum mismatch";
        assertTrue(report.detail().startsWith(what), () -> ctx + ": the detail must say " + what + ": "
                + report.describe());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Assertions
    // ------------------------------------------------------------------------------------------------------------

    private void check(Expect expect, String ctx, SplittableRandom rnd) {
        if (expect.opens) {
            assertOpens(dir, expect.lastSequence, expect.torn, ctx);
            if (rnd != null && expect.lastSequence >= 1) {
                long from = 1 + rnd.nextInt((int) expect.lastSequence);
                try (Oplog log = open(dir, ctx); OplogReader reader = log.reader(from)) {
                    readExactly(reader, from, expect.lastSequence, ctx + ", reading from sequence " + from);
                    assertNull(reader.next(), ctx + ", reading from sequence " + from);
                }
            }
        } else {
            assertOpenFails(dir, expect.file, expect.kind, expect.offset, ctx);
        }
    }

    private void assertOpensWithTornTail(Path d, SegmentImage seg, int r, long dropped, CorruptionKind cause,
                                         String ctx) {
        RecoveryReport.TornTail torn = new RecoveryReport.TornTail(d.resolve(seg.name), seg.start(r), dropped,
                seg.sequence(r) - 1, cause);
        assertOpens(d, seg.sequence(r) - 1, torn, ctx);
    }

    /**
     * Opens {@code d} and asserts the recovery report (torn tail or none), the last sequence, that every record
     * reads back as written, and that on disk only the torn segment changed, cut exactly at the reported offset.
     */
    private static void assertOpens(Path d, long lastSequence, RecoveryReport.TornTail torn, String ctx) {
        Fixture f = fixture();
        Map<String, byte[]> before = FileCorruptor.snapshot(d);
        try (Oplog log = open(d, ctx)) {
            RecoveryReport report = log.recoveryReport();
            if (torn == null) {
                assertTrue(report.tornTail().isEmpty(),
                        () -> ctx + ": expected no torn tail, but open truncated " + report.tornTail().get());
            } else {
                RecoveryReport.TornTail t = report.tornTail().orElseThrow(() -> new AssertionFailedError(ctx
                        + ": expected a torn tail at offset " + torn.offset() + " to be truncated and reported, "
                        + "but the recovery report has none"));
                assertEquals(torn.file(), t.file(), () -> ctx + ": torn tail file");
                assertEquals(torn.offset(), t.offset(), () -> ctx + ": torn tail offset");
                assertEquals(torn.bytesDropped(), t.bytesDropped(), () -> ctx + ": torn tail bytes dropped");
                assertEquals(torn.lastValidSequence(), t.lastValidSequence(),
                        () -> ctx + ": last valid sequence before the torn tail");
                assertEquals(torn.cause(), t.cause(), () -> ctx + ": torn tail cause");
            }
            assertEquals(lastSequence, log.lastSequence(), () -> ctx + ": last sequence after open");
            assertEquals(lastSequence, report.lastSequence(), () -> ctx + ": last sequence in the recovery report");
            assertEquals(f.oracle.get(0).sequence, log.firstSequence(), () -> ctx + ": first sequence");
            try (OplogReader reader = log.reader(1)) {
                readExactly(reader, 1, lastSequence, ctx);
                assertNull(reader.next(), () -> ctx + ": a reader returned a record after sequence " + lastSequence);
            }
        }
        Map<String, byte[]> after = FileCorruptor.snapshot(d);
        assertEquals(before.keySet(), after.keySet(), () -> ctx + ": open added or removed files");
        for (var e : before.entrySet()) {
            byte[] expected = torn != null && e.getKey().equals(torn.file().getFileName().toString())
                    ? Arrays.copyOf(e.getValue(), (int) torn.offset()) : e.getValue();
            assertTrue(Arrays.equals(expected, after.get(e.getKey())), () -> ctx + ": " + e.getKey()
                    + (torn != null && e.getKey().equals(torn.file().getFileName().toString())
                    ? " must be cut exactly at the torn tail's offset " + torn.offset() + ", its size is now "
                    + after.get(e.getKey()).length
                    : " was changed by open"));
        }
    }

    /** Opens {@code d}, appends one record, reopens, and checks the log continues at {@code nextSequence}. */
    private static void assertAppendResumesAt(Path d, long nextSequence, String ctx) {
        byte[] payload = new byte[77];
        new SplittableRandom(nextSequence).nextBytes(payload);
        long term;
        try (Oplog log = open(d, ctx)) {
            term = log.currentTerm();
            assertEquals(nextSequence, log.append(term, 9, payload), () -> ctx + ": sequence of the next append");
        }
        try (Oplog log = open(d, ctx)) {
            assertTrue(log.recoveryReport().tornTail().isEmpty(),
                    () -> ctx + ": reopening after an append found a torn tail: " + log.recoveryReport().tornTail());
            assertEquals(nextSequence, log.lastSequence(), () -> ctx + ": last sequence after append and reopen");
            try (OplogReader reader = log.reader(1)) {
                readExactly(reader, 1, nextSequence - 1, ctx + ", after append and reopen");
                LogRecord rec = reader.next();
                assertNotNull(rec, () -> ctx + ": the appended record is missing after reopen");
                assertEquals(nextSequence, rec.sequence(), () -> ctx + ": appended record's sequence");
                assertEquals(term, rec.term(), () -> ctx + ": appended record's term");
                assertTrue(Arrays.equals(payload, rec.payload()), () -> ctx + ": appended record's payload differs");
                assertNull(reader.next(), () -> ctx + ": a record after the appended one");
            }
        }
    }

    private static Oplog open(Path d, String ctx) {
        try {
            return Oplog.open(d, OPTIONS);
        } catch (RuntimeException e) {
            throw new AssertionFailedError(ctx + ": expected open to succeed, but it threw " + e, e);
        }
    }

    /**
     * Asserts that opening {@code d} throws exactly {@link CorruptionException} naming {@code file} with
     * {@code kind} (and {@code offset}, unless {@link #ANY_OFFSET}), and that the failed open changed no file.
     *
     * @return the report of the exception
     */
    private static CorruptionReport assertOpenFails(Path d, Path file, CorruptionKind kind, long offset,
                                                    String ctx) {
        Map<String, byte[]> before = FileCorruptor.snapshot(d);
        Oplog opened = null;
        RuntimeException thrown = null;
        try {
            opened = Oplog.open(d, OPTIONS);
        } catch (RuntimeException e) {
            thrown = e;
        }
        if (opened != null) {
            String report = opened.recoveryReport().toString();
            opened.close();
            fail(ctx + ": expected CorruptionException " + kind + " in " + file.getFileName()
                    + ", but open succeeded: " + report);
        }
        assertExactlyCorruption(thrown, file, kind, ctx + ": opening");
        // Corruption is reported, never repaired by dropping data: the failed open must have changed nothing.
        Map<String, byte[]> after = FileCorruptor.snapshot(d);
        String failure = thrown.getMessage();
        assertEquals(before.keySet(), after.keySet(), () -> ctx + ": a failed open (" + failure
                + ") added or removed files");
        for (var e : before.entrySet()) {
            assertArrayEqualsQuietly(e.getValue(), after.get(e.getKey()),
                    ctx + ": a failed open changed " + e.getKey());
        }
        assertCorruption(thrown, file, kind, offset, ctx + ": opening");
        return ((CorruptionException) thrown).report();
    }

    private static void assertCorruption(RuntimeException thrown, Path file, CorruptionKind kind, long offset,
                                         String ctx) {
        assertExactlyCorruption(thrown, file, kind, ctx);
        CorruptionReport report = ((CorruptionException) thrown).report();
        assertEquals(file, report.file(), () -> ctx + ": the report must name the damaged file; report: "
                + report.describe());
        assertEquals(kind, report.kind(), () -> ctx + ": kind of damage; report: " + report.describe());
        if (offset != ANY_OFFSET) {
            assertEquals(offset, report.offset(), () -> ctx + ": offset of the damage; report: " + report.describe());
        }
    }

    private static void assertExactlyCorruption(RuntimeException thrown, Path file, CorruptionKind kind,
                                                String ctx) {
        try {
            assertEquals(CorruptionException.class, thrown.getClass(),
                    () -> ctx + ": expected exactly CorruptionException (" + kind + " in " + file.getFileName()
                            + "), got " + thrown);
        } catch (AssertionFailedError e) {
            e.addSuppressed(thrown);
            throw e;
        }
    }

    private static void assertReaderFails(OplogReader reader, Path file, CorruptionKind kind, long offset,
                                          String ctx) {
        long seq = reader.nextSequence();
        LogRecord rec;
        try {
            rec = reader.next();
        } catch (RuntimeException e) {
            assertCorruption(e, file, kind, offset, ctx + ": reading sequence " + seq);
            return;
        }
        fail(ctx + ": reading damaged sequence " + seq + " returned " + rec + " instead of throwing");
    }

    /** Reads sequences {@code from}..{@code to} and compares each with the oracle. */
    private static void readExactly(OplogReader reader, long from, long to, String ctx) {
        Fixture f = fixture();
        for (long s = from; s <= to; s++) {
            LogRecord rec;
            try {
                rec = reader.next();
            } catch (RuntimeException e) {
                throw new AssertionFailedError(ctx + ": reading intact sequence " + s + " threw " + e, e);
            }
            assertMatchesOracle(f, rec, s, ctx);
        }
    }

    private static void assertMatchesOracle(Fixture f, LogRecord rec, long seq, String ctx) {
        assertNotNull(rec, () -> ctx + ": the reader ended before sequence " + seq);
        Written w = f.oracle.get((int) (seq - 1));
        assertEquals(seq, rec.sequence(), () -> ctx + ": sequence of the record read");
        assertEquals(w.term, rec.term(), () -> ctx + ": term of record " + seq);
        assertEquals(w.type, rec.type(), () -> ctx + ": type of record " + seq);
        assertTrue(Arrays.equals(w.payload, rec.payload()), () -> ctx + ": payload of record " + seq
                + " differs from what was written (length " + rec.payload().length + ", written "
                + w.payload.length + ", first difference at byte " + Arrays.mismatch(w.payload, rec.payload()) + ")");
    }

    /** Like assertArrayEquals, but the message never shows the bytes. */
    private static void assertArrayEqualsQuietly(byte[] expected, byte[] actual, String message) {
        if (!Arrays.equals(expected, actual)) {
            fail(message + " (size " + expected.length + " -> " + (actual == null ? "missing" : actual.length)
                    + (actual == null ? "" : ", first difference at byte " + Arrays.mismatch(expected, actual)) + ")");
        }
    }

    private static byte[] regionBytes(boolean junk, int length, long seed) {
        byte[] b = new byte[length];
        if (junk) {
            new SplittableRandom(seed).nextBytes(b);
        }
        return b;
    }

    private static Path writeTo(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The fixture
    // ------------------------------------------------------------------------------------------------------------

    static IntStream allSegmentIndexes() {
        return IntStream.range(0, fixture().segments.size());
    }

    static IntStream sealedSegmentIndexes() {
        return IntStream.range(0, fixture().segments.size() - 1);
    }

    static IntStream middleSegmentIndexes() {
        return IntStream.range(1, fixture().segments.size() - 1);
    }

    /** A record as it was appended. */
    record Written(long sequence, long term, int type, byte[] payload) {
    }

    /** One segment file as written, and where each of its records lies. */
    static final class SegmentImage {
        final String name;
        final long firstSequence;
        final byte[] bytes;
        /** Start offset of each record; record i has sequence firstSequence + i. */
        final int[] starts;

        SegmentImage(String name, long firstSequence, byte[] bytes, int[] starts) {
            this.name = name;
            this.firstSequence = firstSequence;
            this.bytes = bytes;
            this.starts = starts;
        }

        int count() {
            return starts.length;
        }

        int start(int r) {
            return starts[r];
        }

        int end(int r) {
            return r + 1 < starts.length ? starts[r + 1] : bytes.length;
        }

        long sequence(int r) {
            return firstSequence + r;
        }

        int payloadLength(int r) {
            return end(r) - start(r) - RECORD_HEADER;
        }

        /** @return the record holding byte {@code offset}, or -1 for the segment header */
        int recordAt(long offset) {
            for (int r = count() - 1; r >= 0; r--) {
                if (offset >= starts[r]) {
                    return r;
                }
            }
            return -1;
        }

        /** @return whether record {@code r} is still whole and unchanged in {@code damaged} */
        boolean intactIn(int r, byte[] damaged) {
            return damaged.length >= end(r) && Arrays.equals(bytes, start(r), end(r), damaged, start(r), end(r));
        }

        /** @return the record nearest to {@code r} with at least two payload bytes */
        int recordWithPayloadNear(int r) {
            for (int d = 0; d < count(); d++) {
                for (int c : new int[] {r - d, r + d}) {
                    if (c >= 0 && c < count() && payloadLength(c) >= 2) {
                        return c;
                    }
                }
            }
            throw new IllegalStateException("no record with a payload in " + name);
        }

        /** @return {earlier, later} indexes of two records of equal length, the later one as late as possible */
        int[] laterRecordOfSameLength() {
            for (int later = count() - 1; later > 0; later--) {
                for (int earlier = 0; earlier < later; earlier++) {
                    if (payloadLength(earlier) == payloadLength(later)) {
                        return new int[] {earlier, later};
                    }
                }
            }
            throw new IllegalStateException("no two records of equal length in " + name);
        }

        String describeOffset(long offset) {
            if (offset >= bytes.length) {
                return "at the end of the segment";
            }
            int r = recordAt(offset);
            if (r < 0) {
                return "segment header";
            }
            long in = offset - start(r);
            String field = in < RecordFormat.HEADER_CRC_OFFSET ? "length"
                    : in < RecordFormat.CRC_OFFSET ? "header crc" : in < RecordFormat.SEQUENCE_OFFSET ? "crc"
                    : in < RecordFormat.TERM_OFFSET ? "sequence" : in < RecordFormat.TYPE_OFFSET ? "term"
                    : in < RECORD_HEADER ? "type" : "payload";
            return "record " + sequence(r) + " [" + start(r) + ", " + end(r) + "), " + field + " field";
        }
    }

    /** The fixture log: its files' bytes, the oracle of what was appended, and the layout of every segment. */
    static final class Fixture {
        final List<Written> oracle;
        final List<SegmentImage> segments;
        final byte[] meta;
        final byte[] staleSecondSegment;
        final int staleSecondSegmentRecords;
        /** The metadata as it was while the second segment was the last one. */
        final byte[] staleMeta;

        Fixture(List<Written> oracle, List<SegmentImage> segments, byte[] meta, byte[] staleSecondSegment,
                int staleSecondSegmentRecords, byte[] staleMeta) {
            this.oracle = oracle;
            this.segments = segments;
            this.meta = meta;
            this.staleSecondSegment = staleSecondSegment;
            this.staleSecondSegmentRecords = staleSecondSegmentRecords;
            this.staleMeta = staleMeta;
        }

        long lastSequence() {
            return oracle.size();
        }

        SegmentImage last() {
            return segments.get(segments.size() - 1);
        }

        int segmentIndexOf(long sequence) {
            for (int i = segments.size() - 1; i >= 0; i--) {
                if (sequence >= segments.get(i).firstSequence) {
                    return i;
                }
            }
            throw new IllegalArgumentException("sequence " + sequence);
        }

        String describeSegment(int i) {
            return (i == segments.size() - 1 ? "last segment " : "sealed segment ") + segments.get(i).name
                    + " (" + (i + 1) + " of " + segments.size() + ", sequences " + segments.get(i).firstSequence
                    + ".." + (segments.get(i).firstSequence + segments.get(i).count() - 1) + ")";
        }

        /** Writes the fixture's files into {@code target}, creating it. */
        void materialize(Path target) {
            try {
                Files.createDirectories(target);
                for (SegmentImage s : segments) {
                    Files.write(target.resolve(s.name), s.bytes);
                }
                Files.write(target.resolve(LogMetadataFormat.FILE_NAME), meta);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static synchronized Fixture fixture() {
        if (fixture == null) {
            fixture = buildFixture(LOG_ID, null);
        }
        return fixture;
    }

    /** The same records written to a log with another id: same file names and layout, other owner. */
    static synchronized Fixture foreign() {
        if (foreign == null) {
            foreign = buildFixture(FOREIGN_LOG_ID, fixture().oracle);
            for (int i = 0; i < foreign.segments.size(); i++) {
                assertEquals(fixture().segments.get(i).name, foreign.segments.get(i).name, "foreign fixture layout");
            }
        }
        return foreign;
    }

    /** The metadata of a new log with another id whose first sequence is the first of our third segment. */
    static synchronized byte[] foreignMetaStartingInside() {
        if (foreignMetaStartingInside == null) {
            Path tmp = null;
            try {
                tmp = Files.createTempDirectory("kintsugi-foreign-meta");
                try (Oplog log = Oplog.open(tmp, OplogOptions.builder().durability(Durability.NONE)
                        .logId(FOREIGN_LOG_ID).firstSequence(fixture().segments.get(2).firstSequence).build())) {
                    assertTrue(log.recoveryReport().created());
                }
                foreignMetaStartingInside = Files.readAllBytes(tmp.resolve(LogMetadataFormat.FILE_NAME));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                deleteRecursively(tmp);
            }
        }
        return foreignMetaStartingInside;
    }

    /** The next record of the fixture: payloads of 0 to 5000 bytes, every seventh of exactly 100, three terms. */
    private static Written nextRecord(SplittableRandom rnd, long sequence) {
        int length;
        int kind = rnd.nextInt(20);
        if (sequence % 7 == 0) {
            length = 100;
        } else if (kind == 0) {
            length = 0;
        } else if (kind == 1) {
            length = 3000 + rnd.nextInt(2000);
        } else {
            length = 1 + rnd.nextInt(300);
        }
        byte[] payload = new byte[length];
        rnd.nextBytes(payload);
        long term = sequence <= 40 ? 1 : sequence <= 100 ? 2 : 7;
        return new Written(sequence, term, rnd.nextInt(RecordFormat.MAX_USER_TYPE + 1), payload);
    }

    /**
     * Writes a log of four segments whose last one holds at least 9000 bytes (or replays {@code replay}), keeps a
     * copy of the second segment from when it held three records, and reads every file back into memory.
     */
    private static Fixture buildFixture(UUID logId, List<Written> replay) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("kintsugi-corruption-fixture");
            OplogOptions options = OplogOptions.builder().segmentSize(SEGMENT_SIZE).durability(Durability.NONE)
                    .logId(logId).build();
            SplittableRandom rnd = new SplittableRandom(FIXTURE_SEED);
            List<Written> written = new ArrayList<>();
            List<Long> segmentStarts = new ArrayList<>();
            long lastSegmentBytes = 0;
            byte[] stale = null;
            byte[] staleMeta = null;
            int staleRecords = 3;
            try (Oplog log = Oplog.open(tmp, options)) {
                while (replay == null || written.size() < replay.size()) {
                    Written w = replay != null ? replay.get(written.size()) : nextRecord(rnd, written.size() + 1);
                    assertEquals(w.sequence, log.append(w.term, w.type, w.payload), "fixture append");
                    written.add(w);
                    if (Files.exists(tmp.resolve(SegmentHeaderFormat.fileName(w.sequence)))) {
                        segmentStarts.add(w.sequence);
                        lastSegmentBytes = SEGMENT_HEADER;
                    }
                    lastSegmentBytes += RecordFormat.encodedLength(w.payload.length);
                    if (segmentStarts.size() == 2 && w.sequence == segmentStarts.get(1) + staleRecords - 1) {
                        log.sync();
                        stale = Files.readAllBytes(tmp.resolve(SegmentHeaderFormat.fileName(segmentStarts.get(1))));
                        staleMeta = Files.readAllBytes(tmp.resolve(LogMetadataFormat.FILE_NAME));
                    }
                    if (replay == null && segmentStarts.size() >= 4 && lastSegmentBytes >= 9000) {
                        break;
                    }
                }
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(tmp)) {
                files = s.filter(p -> SegmentHeaderFormat.parseFileName(p.getFileName().toString()) >= 0)
                        .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                        .toList();
            }
            List<SegmentImage> segments = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                String name = files.get(i).getFileName().toString();
                long first = SegmentHeaderFormat.parseFileName(name);
                long next = i + 1 < files.size()
                        ? SegmentHeaderFormat.parseFileName(files.get(i + 1).getFileName().toString())
                        : written.size() + 1;
                byte[] bytes = Files.readAllBytes(files.get(i));
                ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                int[] starts = new int[(int) (next - first)];
                int offset = SEGMENT_HEADER;
                for (int r = 0; r < starts.length; r++) {
                    Written w = written.get((int) (first + r - 1));
                    starts[r] = offset;
                    assertEquals(w.payload.length, b.getInt(offset + RecordFormat.LENGTH_OFFSET), "fixture layout");
                    assertEquals(w.sequence, b.getLong(offset + RecordFormat.SEQUENCE_OFFSET), "fixture layout");
                    offset += RecordFormat.encodedLength(w.payload.length);
                }
                assertEquals(bytes.length, offset, "fixture layout: " + name + " ends after its last record");
                assertTrue(starts.length >= 6, "fixture: " + name + " holds only " + starts.length + " records");
                segments.add(new SegmentImage(name, first, bytes, starts));
            }
            assertEquals(4, segments.size(), "fixture segment count");
            assertNotNull(stale, "fixture: stale copy of the second segment");
            assertArrayEqualsQuietly(Arrays.copyOf(segments.get(1).bytes, stale.length), stale,
                    "fixture: the stale copy is a prefix of the second segment");
            byte[] meta = Files.readAllBytes(tmp.resolve(LogMetadataFormat.FILE_NAME));
            assertNotNull(staleMeta, "fixture: stale copy of the metadata");
            return new Fixture(List.copyOf(written), List.copyOf(segments), meta, stale, staleRecords, staleMeta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteRecursively(tmp);
        }
    }

    private static void deleteRecursively(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
