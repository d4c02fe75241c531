package io.kintsugi.validation.scan;

/**
 * A probe's outcome on the primary: the sequence of its held marker, and what the primary itself found in the range
 * at that sequence. Every replica checks the same range at the same sequence when it applies the marker
 * ({@code Validator.digestAt(sequence)}) and keeps its snapshot there for a while ({@code Validator.heldSnapshot}).
 *
 * @param sequence the marker's oplog sequence
 * @param digest   the primary's digest of the range at that sequence
 */
public record RangeProbe(long sequence, RangeDigest digest) {
}
