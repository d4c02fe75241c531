package io.kintsugi.repair.net;

import io.kintsugi.validation.Hash128;

/**
 * The outcome of a successful {@link RepairClient#fetchRange}: the range's digest as the source described it and
 * what was received, which matched both the source's end frame and the expected digest.
 *
 * @param digest the digest the source sent before the pairs
 * @param count  pairs received
 * @param bytes  key and value bytes received
 * @param hash   range hash of the pairs received
 * @param chunks chunk frames received
 */
public record RangeFetch(RangeDigest digest, long count, long bytes, Hash128 hash, int chunks) {
}
