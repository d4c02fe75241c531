package io.kintsugi.validation.verify;

import io.kintsugi.engine.format.TermHistoryFormat;
import io.kintsugi.oplog.CorruptionException;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.oplog.UnsupportedFormatException;
import io.kintsugi.validation.scan.ScanStateFormat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Verifies the store's single-file structures, each read whole and decoded by its format class: the term history
 * ({@code terms}) and the range-hash scan state ({@code scan-state}). Both are replaced atomically by rename, so a
 * read of either is consistent also on an open store.
 */
final class SmallFileCheck {

    /** Decodes a file's bytes; throws {@link CorruptionException} or {@link UnsupportedFormatException}. */
    private interface Decoder {
        void decode(byte[] bytes, Path file, UUID storeId);
    }

    private final Findings findings;
    private final ReadThrottle throttle;

    SmallFileCheck(Findings findings, ReadThrottle throttle) {
        this.findings = findings;
        this.throttle = throttle;
    }

    /**
     * @param storeDir    the store directory
     * @param storeId     the store id, or null if it could not be learned
     * @param oplogTerm   the data oplog's metadata term, or -1 if unknown: a history is required once it is above 0
     */
    void termHistory(Path storeDir, UUID storeId, long oplogTerm) {
        Path file = storeDir.resolve(TermHistoryFormat.FILE_NAME);
        if (!Files.exists(file)) {
            if (oplogTerm > 0) {
                findings.problem(VerifyComponent.TERM_HISTORY, CorruptionReport.of(file, -1, -1,
                        CorruptionKind.MISSING_FILE, "the term history file is missing, but the oplog has seen term "
                                + oplogTerm));
            } else {
                findings.note(file + " is absent; the next open writes it (the oplog never left term 0)");
            }
            return;
        }
        read(VerifyComponent.TERM_HISTORY, file, storeId, TermHistoryFormat::decode);
    }

    /**
     * @param storeDir the store directory
     * @param storeId  the store id, or null if it could not be learned
     */
    void scanState(Path storeDir, UUID storeId) {
        Path file = storeDir.resolve(ScanStateFormat.FILE_NAME);
        if (Files.exists(file)) {
            read(VerifyComponent.SCAN_STATE, file, storeId, ScanStateFormat::decode);
        }
    }

    private void read(VerifyComponent component, Path file, UUID storeId, Decoder decoder) {
        findings.examined(component, file);
        if (storeId == null) {
            findings.incomplete(component, file, "the store id is unknown (the manifest and the oplog metadata "
                    + "could not be read), so the file's owner cannot be checked");
            return;
        }
        try {
            throttle.acquire(Files.size(file));
            decoder.decode(Files.readAllBytes(file), file, storeId);
        } catch (CorruptionException e) {
            findings.problem(component, e.report());
        } catch (UnsupportedFormatException e) {
            findings.incomplete(component, file, e.getMessage());
        } catch (NoSuchFileException e) {
            findings.note(file + " was replaced or removed while it was read");
        } catch (IOException e) {
            findings.incomplete(component, file, "could not be read: " + e);
        }
    }
}
