package io.kintsugi.repair.net;

/**
 * What a replica did for a {@link PullOrder}: the range it fetched, checked and installed.
 *
 * @param sequence     the range's sequence
 * @param count        pairs installed
 * @param bytes        key and value bytes installed
 * @param wireBytes    bytes of the CHUNK frames received (headers, pair lengths, keys and values)
 * @param bytesWritten bytes the install wrote to segment files
 * @param stagedOnDisk whether the range was larger than the memory limit and was staged in a temporary file
 */
public record PullOutcome(long sequence, long count, long bytes, long wireBytes, long bytesWritten,
                          boolean stagedOnDisk) {

    /** @throws IllegalArgumentException if a number is negative */
    public PullOutcome {
        if (sequence < 0 || count < 0 || bytes < 0 || wireBytes < 0 || bytesWritten < 0) {
            throw new IllegalArgumentException("a pull outcome's numbers are 0 or more, were sequence " + sequence
                    + ", count " + count + ", bytes " + bytes + ", wire bytes " + wireBytes + ", bytes written "
                    + bytesWritten);
        }
    }
}
