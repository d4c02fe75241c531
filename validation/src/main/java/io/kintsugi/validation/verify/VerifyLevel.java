package io.kintsugi.validation.verify;

/**
 * How much a verify reads. Each level does everything the one before it does.
 */
public enum VerifyLevel {
    /**
     * Headers, footers and the structures a reader loads at open (metadata, index and filter blocks of every segment
     * file; oplog metadata and segment headers), and the manifest cross-checks: every file it lists exists with the
     * recorded size, number, checksum and ranges, no foreign file sits in the store, and the oplog covers what the
     * manifest says is not flushed. Reads a small part of the data.
     */
    QUICK,
    /**
     * Also every data block of every segment file (its CRC32C with its context, trailer and decompression), each
     * file's whole-file CRC32C, and every record's CRC32C in the data oplog, the manifest and the health log.
     * Reads every byte.
     */
    CHECKSUMS,
    /**
     * Also decodes every entry: key order within and across blocks, sequences inside the file's range, entry counts
     * against the metadata, the filter against the keys (every key present), the index against the blocks, and every
     * oplog record's payload.
     */
    FULL
}
