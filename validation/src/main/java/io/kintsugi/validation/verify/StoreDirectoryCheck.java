package io.kintsugi.validation.verify;

import io.kintsugi.engine.format.StoreFiles;
import io.kintsugi.engine.format.TermHistoryFormat;
import io.kintsugi.oplog.CorruptionKind;
import io.kintsugi.oplog.CorruptionReport;
import io.kintsugi.validation.health.HealthLog;
import io.kintsugi.validation.scan.ScanStateFormat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;

/**
 * Lists the store directory: the segment files by number, and any entry that is none of the store's own names,
 * which is a foreign file. A store directory holds only what the engine, the scanner, the health log and the
 * repair module's lineage log put there (docs/FORMAT.md 7.1, 11.1, 13, 15); anything else is there by mistake (a
 * copy, another program's file) and is reported rather than ignored, since a file put in a store directory by hand
 * is how data from one store ends up in another.
 */
final class StoreDirectoryCheck {

    /**
     * The repair module's lineage log directory (docs/FORMAT.md 15; {@code LineageLog.DIRECTORY_NAME}), spelled
     * out because validation sits below repair and cannot name its constant.
     */
    static final String LINEAGE_DIRECTORY_NAME = "lineage";
    /**
     * The repair module's staging directory (its {@code RepairAgent.STAGING_DIRECTORY}): a pulled range too large
     * for memory waits there until it is installed, and a crash's leftovers are removed when the next agent starts.
     */
    static final String REPAIR_STAGING_DIRECTORY_NAME = "repair-staging";

    /** The store's own entries besides segment files. */
    static final Set<String> OWN_NAMES = Set.of(StoreFiles.MANIFEST_DIR, StoreFiles.MANIFEST_TMP_DIR,
            StoreFiles.OPLOG_DIR, TermHistoryFormat.FILE_NAME, TermHistoryFormat.FILE_NAME + ".tmp",
            HealthLog.DIRECTORY_NAME, LINEAGE_DIRECTORY_NAME, REPAIR_STAGING_DIRECTORY_NAME, ScanStateFormat.FILE_NAME,
            ScanStateFormat.FILE_NAME + ".tmp");

    private StoreDirectoryCheck() {
    }

    /**
     * @param storeDir the store directory
     * @param findings where foreign files are reported (when not null)
     * @return the segment files in the directory, by file number
     * @throws IOException if the directory cannot be listed
     */
    static TreeMap<Long, Path> list(Path storeDir, Findings findings) throws IOException {
        TreeMap<Long, Path> segments = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(storeDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                long number = StoreFiles.parseSegmentFileName(name);
                if (number > 0) {
                    segments.put(number, p);
                } else if (!OWN_NAMES.contains(name) && findings != null) {
                    findings.problem(VerifyComponent.DIRECTORY, CorruptionReport.of(p, -1, -1,
                            CorruptionKind.FOREIGN_FILE, "the store directory holds an entry that is not one of "
                                    + "the store's files"));
                }
            }
        }
        return segments;
    }
}
