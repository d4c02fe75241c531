package io.kintsugi.validation.scan;

/**
 * The hash functions a range-hash marker may name, by the code stored in the marker. Codes are part of the format:
 * never reuse or renumber one.
 */
public enum HashAlgorithm {
    /**
     * XXH3-128 over the range's canonical byte stream, chained over 64 KiB chunks (see {@link RangeHasher}). Chosen
     * because it is among the fastest well-tested 128-bit hashes (several GB/s per core in Java, against a few
     * hundred MB/s for MD5 and SHA-256), its output is fixed by a public specification with test vectors, and a
     * maintained, dependency-free Java implementation exists. It is not a cryptographic hash: it detects accidental
     * corruption, not a deliberate forgery, which the replication secret guards against.
     */
    XXH3_128_CHAINED(1);

    private final int code;

    HashAlgorithm(int code) {
        this.code = code;
    }

    /** @return the code stored in markers */
    public int code() {
        return code;
    }

    /**
     * @param code a stored code
     * @return the algorithm, or null if no algorithm has this code
     */
    public static HashAlgorithm ofCode(int code) {
        for (HashAlgorithm a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        return null;
    }
}
