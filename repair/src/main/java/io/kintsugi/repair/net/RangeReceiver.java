package io.kintsugi.repair.net;

import io.kintsugi.engine.RangeEntry;
import io.kintsugi.repair.net.RepairProtocolException.Problem;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.scan.RangeHasher;

import java.util.Arrays;
import java.util.List;

/**
 * The client's side of one range stream: checks that the source describes the expected range, that each pair is
 * above the previous one and inside the range, hashes the pairs on their way to the sink, and at the end compares
 * what arrived with the source's end frame and then with the expected digest.
 */
final class RangeReceiver {

    private final String endpoint;
    private final RangeDigest expected;
    private final RangeDigest described;
    private final RangeSink sink;
    private final RangeHasher hasher = new RangeHasher();
    private final byte[] from;
    private final byte[] to;
    private byte[] previous;
    private int chunks;

    RangeReceiver(String endpoint, RangeDigest expected, RangeDigest described, RangeSink sink) {
        this.endpoint = endpoint;
        this.expected = expected;
        this.described = described;
        this.sink = sink;
        this.from = expected.from();
        this.to = expected.to();
        if (!described.sameRangeAs(expected)) {
            throw new RepairProtocolException(Problem.UNEXPECTED, "the repair server at " + endpoint
                    + " describes another range than the one expected: " + described + " instead of " + expected);
        }
        if (!described.sameContentAs(expected)) {
            // The source says itself that its copy differs: nothing it could stream would pass.
            throw mismatch(RangeMismatchException.Against.EXPECTED_DIGEST, described.count(), described.bytes(),
                    described.hash());
        }
    }

    void chunk(List<RangeEntry> pairs) {
        for (RangeEntry e : pairs) {
            byte[] key = e.key();
            if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
                throw new RepairProtocolException(Problem.OUT_OF_ORDER, "pair " + hasher.count() + " of chunk "
                        + chunks + " from the repair server at " + endpoint + " is not above the previous key");
            }
            if (Arrays.compareUnsigned(key, from) < 0 || (to != null && Arrays.compareUnsigned(key, to) >= 0)) {
                throw new RepairProtocolException(Problem.OUT_OF_ORDER, "pair " + hasher.count() + " of chunk "
                        + chunks + " from the repair server at " + endpoint + " lies outside the range");
            }
            previous = key;
            hasher.add(key, e.value());
            sink.accept(key, e.value());
        }
        chunks++;
    }

    RangeFetch end(ChunkFrames.End end) {
        Hash128 hash = hasher.hash();
        if (end.sequence() != expected.sequence()) {
            throw new RepairProtocolException(Problem.MALFORMED, "the END frame from the repair server at " + endpoint
                    + " is for sequence " + end.sequence() + ", the range was asked at " + expected.sequence());
        }
        if (end.count() != hasher.count() || end.bytes() != hasher.bytes() || !end.hash().equals(hash)) {
            throw new RangeMismatchException(endpoint, expected.sequence(), RangeMismatchException.Against.END_FRAME,
                    end.count(), hasher.count(), end.bytes(), hasher.bytes(), end.hash(), hash);
        }
        if (end.chunks() != chunks) {
            throw new RepairProtocolException(Problem.MALFORMED, "the END frame from the repair server at " + endpoint
                    + " counts " + end.chunks() + " chunks, " + chunks + " arrived");
        }
        if (expected.count() != hasher.count() || expected.bytes() != hasher.bytes()
                || !expected.hash().equals(hash)) {
            throw mismatch(RangeMismatchException.Against.EXPECTED_DIGEST, hasher.count(), hasher.bytes(), hash);
        }
        return new RangeFetch(described, hasher.count(), hasher.bytes(), hash, chunks);
    }

    private RangeMismatchException mismatch(RangeMismatchException.Against against, long count, long bytes,
                                            Hash128 hash) {
        return new RangeMismatchException(endpoint, expected.sequence(), against, expected.count(), count,
                expected.bytes(), bytes, expected.hash(), hash);
    }
}
