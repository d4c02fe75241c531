package io.kintsugi.repair;

import io.kintsugi.engine.Cursor;
import io.kintsugi.repair.net.RangeDigest;
import io.kintsugi.repair.net.RangeSource;
import io.kintsugi.repair.net.RangeStream;
import io.kintsugi.repair.net.RangeUnavailableException;
import io.kintsugi.repair.net.RepairFrameFormat;
import io.kintsugi.validation.Hash128;
import io.kintsugi.validation.Validator;
import io.kintsugi.validation.scan.HeldRange;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Offers a replica's probed ranges to repair: the validator's digest of a range-hash marker's range
 * ({@link Validator#digestAt}) and its held snapshot there ({@link Validator#heldSnapshot}), in the repair protocol's
 * terms.
 */
final class ValidatorRangeSource implements RangeSource {

    /** The hash a DAMAGED digest carries on the wire: none was computed, and the status says so. */
    static final Hash128 NO_HASH = new Hash128(0, 0);

    private final Validator validator;

    ValidatorRangeSource(Validator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    @Override
    public Optional<RangeDigest> digestAt(long sequence) {
        return validator.digestAt(sequence).map(ValidatorRangeSource::onTheWire);
    }

    /** @return the repair protocol's form of a validator's digest */
    static RangeDigest onTheWire(io.kintsugi.validation.scan.RangeDigest d) {
        if (d.status() == io.kintsugi.validation.scan.RangeDigest.Status.OK) {
            return new RangeDigest(d.namespace(), d.from(), d.to(), d.sequence(), d.count(), d.bytes(), d.hash(),
                    RangeDigest.Status.OK, "");
        }
        return new RangeDigest(d.namespace(), d.from(), d.to(), d.sequence(), 0, 0, NO_HASH,
                RangeDigest.Status.DAMAGED, cut(d.damage()));
    }

    private static String cut(String detail) {
        byte[] b = detail.getBytes(StandardCharsets.UTF_8);
        if (b.length <= RepairFrameFormat.MAX_DETAIL_BYTES) {
            return detail;
        }
        // Cut by characters until it fits: the limit is in bytes, and a cut must not split a character.
        String s = detail;
        while (s.getBytes(StandardCharsets.UTF_8).length > RepairFrameFormat.MAX_DETAIL_BYTES - 3) {
            s = s.substring(0, s.length() * 9 / 10);
        }
        return s + "...";
    }

    @Override
    public RangeStream openRange(long sequence) {
        HeldRange lease = validator.heldSnapshot(sequence).orElseThrow(() -> new RangeUnavailableException(sequence,
                "this replica holds no snapshot at sequence " + sequence + " (not a probe's marker, not checked yet,"
                        + " expired or released)"));
        Cursor cursor;
        try {
            cursor = lease.scan();
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        return new RangeStream() {
            @Override
            public boolean next() {
                return cursor.next();
            }

            @Override
            public byte[] key() {
                return cursor.key();
            }

            @Override
            public byte[] value() {
                return cursor.value();
            }

            @Override
            public void close() {
                try {
                    cursor.close();
                } finally {
                    lease.close();
                }
            }
        };
    }
}
