package io.kintsugi.validation.verify;

/**
 * How much a verify examined.
 *
 * @param files     files examined (segment files, oplog segments and metadata, term history, scan state)
 * @param blocks    segment-file blocks verified (data, filter, index, metadata blocks and footers)
 * @param records   oplog records verified (data oplog, manifest and health log)
 * @param entries   segment-file entries decoded (FULL only)
 * @param bytesRead bytes read from disk
 */
public record VerifyCounts(long files, long blocks, long records, long entries, long bytesRead) {
}
