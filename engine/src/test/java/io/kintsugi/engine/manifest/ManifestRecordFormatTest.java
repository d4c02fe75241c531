package io.kintsugi.engine.manifest;

import io.kintsugi.engine.format.ManifestRecordFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;

import static io.kintsugi.engine.manifest.ManifestFixtures.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifest payload layouts: literal offsets, round trips, canonical encoding, and damage in a payload. */
class ManifestRecordFormatTest {

    private static final UUID STORE = UUID.fromString("01234567-89ab-cdef-8000-00000000c0de");
    private static final Path DIR = Paths.get("manifest");

    @Test
    void offsetsAreAsDocumented() {
        assertEquals(0, ManifestRecordFormat.VERSION_OFFSET);
        assertEquals(1, ManifestRecordFormat.SNAPSHOT_STORE_ID_OFFSET);
        assertEquals(17, ManifestRecordFormat.SNAPSHOT_FLUSHED_OFFSET);
        assertEquals(25, ManifestRecordFormat.SNAPSHOT_NEXT_FILE_OFFSET);
        assertEquals(33, ManifestRecordFormat.SNAPSHOT_OPEN_COUNT_OFFSET);
        assertEquals(41, ManifestRecordFormat.SNAPSHOT_NAMESPACES_OFFSET);
        assertEquals(1, ManifestRecordFormat.EDIT_FLAGS_OFFSET);
        assertEquals(2, ManifestRecordFormat.EDIT_FLUSHED_OFFSET);
        assertEquals(10, ManifestRecordFormat.EDIT_NEXT_FILE_OFFSET);
        assertEquals(18, ManifestRecordFormat.EDIT_ADDED_OFFSET);
        assertEquals(1, ManifestRecordFormat.CLEAN_CLOSE_SEQUENCE_OFFSET);
        assertEquals(9, ManifestRecordFormat.CLEAN_CLOSE_LENGTH);
        assertEquals(1, ManifestRecordFormat.OPENED_LENGTH);
        assertEquals(52, ManifestRecordFormat.FILE_FIXED_LENGTH);
        assertEquals(ManifestRecordFormat.OPENED_LENGTH, ManifestRecordFormat.encodeOpened().length);
        assertEquals(ManifestRecordFormat.CLEAN_CLOSE_LENGTH, ManifestRecordFormat.encodeCleanClose(5).length);
        assertEquals(java.util.List.of(1, 2, 3, 4), java.util.List.of(ManifestRecordFormat.TYPE_SNAPSHOT,
                ManifestRecordFormat.TYPE_EDIT, ManifestRecordFormat.TYPE_OPENED, ManifestRecordFormat.TYPE_CLEAN_CLOSE));
    }

    @Test
    void anEmptySnapshotIsFiftyThreeKnownBytes() {
        byte[] p = ManifestRecordFormat.encodeSnapshot(ManifestState.empty(STORE));
        assertEquals("01" + "efcdab8967452301" + "dec0000000000080" + "0000000000000000" + "0100000000000000"
                + "0000000000000000" + "00000000" + "00000000" + "00000000", HexFormat.of().formatHex(p));
    }

    @Test
    void aFileEntryIsLaidOutAsDocumented() {
        FileMetadata f = new FileMetadata(7, 9000, new byte[] {1, 2}, new byte[] {3}, 10, 20, 5, 0xdeadbeef);
        byte[] p = ManifestRecordFormat.encodeEdit(ManifestEdit.builder().addFile(f).build());
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.get(ManifestRecordFormat.EDIT_FLAGS_OFFSET));
        int e = ManifestRecordFormat.EDIT_ADDED_OFFSET;
        assertEquals(1, b.getInt(e));
        e += 4;
        assertEquals(7, b.getLong(e));
        assertEquals(9000, b.getLong(e + 8));
        assertEquals(10, b.getLong(e + 16));
        assertEquals(20, b.getLong(e + 24));
        assertEquals(5, b.getLong(e + 32));
        assertEquals(0xdeadbeef, b.getInt(e + 40));
        assertEquals(2, b.getInt(e + 44));
        assertEquals(1, b.get(e + 48));
        assertEquals(1, b.getInt(e + 50));
        assertEquals(3, b.get(e + 54));
        assertEquals(e + 55 + 12, p.length); // removed, namespace and abandoned counts follow
    }

    @Test
    void randomEditsAndStatesRoundTripCanonically() {
        Random random = new Random(7);
        ManifestState state = ManifestState.empty(STORE);
        int mostFiles = 0;
        for (int i = 0; i < 300; i++) {
            ManifestEdit.Builder b = ManifestEdit.builder();
            if (random.nextBoolean()) {
                b.nextFileNumber(state.nextFileNumber() + random.nextInt(4));
            }
            for (long n : state.allocatedFileNumbers()) {
                int choice = random.nextInt(4);
                if (choice == 0) {
                    byte[] small = new byte[random.nextInt(5)];
                    random.nextBytes(small);
                    byte[] large = new byte[small.length + 1];
                    System.arraycopy(small, 0, large, 0, small.length);
                    large[small.length] = (byte) random.nextInt();
                    b.addFile(new FileMetadata(n, 1 + random.nextInt(1000), small, large, 0, random.nextInt(100),
                            random.nextInt(50), random.nextInt()));
                } else if (choice == 1) {
                    b.abandonFileNumber(n);
                }
            }
            for (long n : state.files().keySet()) {
                if (random.nextInt(6) == 0) {
                    b.removeFile(n);
                }
            }
            if (random.nextInt(5) == 0) {
                b.addNamespace(state.nextNamespaceId(), "ns-" + i);
            }
            if (random.nextBoolean()) {
                b.flushedSequence(state.flushedSequence() + random.nextInt(10));
            }
            ManifestEdit edit = b.build();
            byte[] encoded = ManifestRecordFormat.encodeEdit(edit);
            ManifestEdit decoded = ManifestRecordFormat.decodeEdit(encoded, DIR, i);
            assertEquals(edit, decoded);
            assertArrayEquals(encoded, ManifestRecordFormat.encodeEdit(decoded));
            state = state.apply(edit);
            if (random.nextInt(10) == 0) {
                state = state.withOpened();
            }
            byte[] snap = ManifestRecordFormat.encodeSnapshot(state);
            ManifestState back = ManifestRecordFormat.decodeSnapshot(snap, DIR, i);
            assertEquals(state, back);
            assertArrayEquals(snap, ManifestRecordFormat.encodeSnapshot(back));
            mostFiles = Math.max(mostFiles, state.files().size());
        }
        assertTrue(state.nextFileNumber() > 100 && mostFiles >= 3, state + ", at most " + mostFiles + " files");
        assertEquals(77, ManifestRecordFormat.decodeCleanClose(ManifestRecordFormat.encodeCleanClose(77), DIR, 1));
    }

    @Test
    void theLogIdDependsOnTheStoreIdOnly() {
        assertEquals(ManifestRecordFormat.manifestLogId(STORE), ManifestRecordFormat.manifestLogId(
                UUID.fromString(STORE.toString())));
        assertNotEquals(ManifestRecordFormat.manifestLogId(STORE), STORE);
        assertNotEquals(ManifestRecordFormat.manifestLogId(STORE), ManifestRecordFormat.manifestLogId(
                new UUID(STORE.getMostSignificantBits(), STORE.getLeastSignificantBits() + 1)));
        assertEquals(3, ManifestRecordFormat.manifestLogId(STORE).version());
    }

    private static void assertDamaged(CorruptionKind kind, String words, Runnable decode) {
        CorruptionException e = assertThrows(CorruptionException.class, decode::run);
        assertEquals(kind, e.report().kind(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
        assertTrue(e.getMessage().contains("sequence 9"), e.getMessage());
    }

    private static byte[] edit(ManifestEdit.Builder b) {
        return ManifestRecordFormat.encodeEdit(b.build());
    }

    @Test
    void damagedPayloadsAreCorruption() {
        byte[] twoRemoved = edit(ManifestEdit.builder().removeFile(3).removeFile(4));
        ByteBuffer b = ByteBuffer.wrap(twoRemoved).order(ByteOrder.LITTLE_ENDIAN);
        int removed = ManifestRecordFormat.EDIT_ADDED_OFFSET + 4;
        b.putLong(removed + 4, 4).putLong(removed + 12, 3);
        assertDamaged(CorruptionKind.BAD_HEADER, "not strictly ascending",
                () -> ManifestRecordFormat.decodeEdit(twoRemoved, DIR, 9));

        byte[] bigCount = edit(ManifestEdit.builder());
        ByteBuffer.wrap(bigCount).order(ByteOrder.LITTLE_ENDIAN).putInt(ManifestRecordFormat.EDIT_ADDED_OFFSET, 1000);
        assertDamaged(CorruptionKind.BAD_LENGTH, "does not fit", () -> ManifestRecordFormat.decodeEdit(bigCount, DIR, 9));

        byte[] negativeKey = edit(ManifestEdit.builder().addFile(file(3)));
        ByteBuffer.wrap(negativeKey).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(ManifestRecordFormat.EDIT_ADDED_OFFSET + 4 + 44, -1);
        assertDamaged(CorruptionKind.BAD_LENGTH, "smallest key", () -> ManifestRecordFormat.decodeEdit(negativeKey, DIR,
                9));

        byte[] badFile = edit(ManifestEdit.builder().addFile(file(3)));
        ByteBuffer.wrap(badFile).order(ByteOrder.LITTLE_ENDIAN).putLong(ManifestRecordFormat.EDIT_ADDED_OFFSET + 4 + 8,
                0);
        assertDamaged(CorruptionKind.BAD_HEADER, "size must be at least 1",
                () -> ManifestRecordFormat.decodeEdit(badFile, DIR, 9));

        byte[] absentButSet = edit(ManifestEdit.builder());
        ByteBuffer.wrap(absentButSet).order(ByteOrder.LITTLE_ENDIAN).putLong(ManifestRecordFormat.EDIT_FLUSHED_OFFSET,
                5);
        assertDamaged(CorruptionKind.BAD_HEADER, "flagged absent",
                () -> ManifestRecordFormat.decodeEdit(absentButSet, DIR, 9));

        byte[] badName = edit(ManifestEdit.builder().addNamespace(0, "abc"));
        badName[badName.length - 4 - 2] = 'A';
        assertDamaged(CorruptionKind.BAD_HEADER, "[a-z0-9_.-]", () -> ManifestRecordFormat.decodeEdit(badName, DIR, 9));

        byte[] controlName = edit(ManifestEdit.builder().addNamespace(0, "abc"));
        controlName[controlName.length - 4 - 2] = 1;
        assertDamaged(CorruptionKind.BAD_HEADER, "printable", () -> ManifestRecordFormat.decodeEdit(controlName, DIR,
                9));

        ManifestState withFile = ManifestState.empty(STORE).apply(ManifestEdit.builder().nextFileNumber(4).build())
                .apply(ManifestEdit.builder().addFile(file(3)).build());
        byte[] snap = ManifestRecordFormat.encodeSnapshot(withFile);
        ByteBuffer.wrap(snap).order(ByteOrder.LITTLE_ENDIAN).putLong(ManifestRecordFormat.SNAPSHOT_NEXT_FILE_OFFSET, 3);
        assertDamaged(CorruptionKind.BAD_HEADER, "not below the next file number",
                () -> ManifestRecordFormat.decodeSnapshot(snap, DIR, 9));

        byte[] close = ManifestRecordFormat.encodeCleanClose(-4);
        assertDamaged(CorruptionKind.BAD_HEADER, "negative", () -> ManifestRecordFormat.decodeCleanClose(close, DIR, 9));

        assertDamaged(CorruptionKind.BAD_LENGTH, "version needs 1 bytes",
                () -> ManifestRecordFormat.decodeOpened(new byte[0], DIR, 9));
    }
}
