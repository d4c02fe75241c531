package io.kintsugi.engine.format;

/**
 * Names of the files and directories in a store directory. The only code that knows them, so that the manifest,
 * the writers of segment files and the open-time checks agree.
 *
 * <p>A store's sorted segment files are named {@code <file number as 12 decimal digits>.seg}, for example
 * {@code 000000000042.seg}, so that a sorted listing is in file-number order. File numbers are 1 to
 * {@value #MAX_FILE_NUMBER}; a name of another length, with another suffix, with any character other than an ASCII
 * digit in the first 12 positions, or encoding 0, is not a segment file name.
 */
public final class StoreFiles {

    /** Suffix of segment file names. */
    public static final String SEGMENT_SUFFIX = ".seg";
    /** Number of decimal digits in a segment file name. */
    public static final int SEGMENT_DIGITS = 12;
    /** The largest file number a name can hold: 12 nines. */
    public static final long MAX_FILE_NUMBER = 999_999_999_999L;
    /** The subdirectory of the store directory that holds the manifest (an oplog of its own). */
    public static final String MANIFEST_DIR = "manifest";
    /** The subdirectory of the store directory that holds the data oplog. */
    public static final String OPLOG_DIR = "oplog";
    /** The directory in which a new manifest is built before it is renamed to {@link #MANIFEST_DIR}. */
    public static final String MANIFEST_TMP_DIR = "manifest.tmp";

    private StoreFiles() {
    }

    /**
     * @param fileNumber a file number, 1 to {@value #MAX_FILE_NUMBER}
     * @return the segment file's name, e.g. {@code 000000000042.seg}
     * @throws IllegalArgumentException if the number is out of range
     */
    public static String segmentFileName(long fileNumber) {
        if (fileNumber < 1 || fileNumber > MAX_FILE_NUMBER) {
            throw new IllegalArgumentException("file number must be between 1 and " + MAX_FILE_NUMBER + ", was "
                    + fileNumber);
        }
        String digits = Long.toString(fileNumber);
        return "0".repeat(SEGMENT_DIGITS - digits.length()) + digits + SEGMENT_SUFFIX;
    }

    /**
     * @param fileName a file name (no directory part)
     * @return the file number it encodes, or -1 if it is not a segment file name
     */
    public static long parseSegmentFileName(String fileName) {
        if (fileName == null || fileName.length() != SEGMENT_DIGITS + SEGMENT_SUFFIX.length()
                || !fileName.endsWith(SEGMENT_SUFFIX)) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < SEGMENT_DIGITS; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0'); // 12 digits never overflow a long
        }
        return v == 0 ? -1 : v;
    }
}
