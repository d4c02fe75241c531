package io.kintsugi.repair.net;

import io.kintsugi.validation.Hash128;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pull orders over the wire: delivered intact and signed, refused without a handler, a failed pull reported. */
class PullProtocolTest {

    private static final byte[] SECRET = "pull-test-secret-0123456789".getBytes(StandardCharsets.US_ASCII);

    private static final RangeSource NOTHING = new RangeSource() {
        @Override
        public Optional<RangeDigest> digestAt(long sequence) {
            return Optional.empty();
        }

        @Override
        public RangeStream openRange(long sequence) {
            throw new RangeUnavailableException(sequence, "nothing held");
        }
    };

    private static PullOrder order() {
        return new PullOrder("127.0.0.1:7001", "replica-b", "0011", new RangeDigest("orders", new byte[] {1},
                new byte[] {9}, 77, 3, 10, new Hash128(5, 6), RangeDigest.Status.OK, ""));
    }

    private static RepairClient client(byte[] secret) {
        return new RepairClient(RepairClientOptions.builder().secret(secret).build());
    }

    @Test
    void aPullOrderReachesTheHandlerIntactAndItsOutcomeComesBack() {
        AtomicReference<PullOrder> seen = new AtomicReference<>();
        PullOutcome outcome = new PullOutcome(77, 3, 10, 47, 4096, true);
        try (RepairServer server = RepairServer.start(NOTHING, o -> {
            seen.set(o);
            return outcome;
        }, RepairServerOptions.builder().secret(SECRET).build())) {
            assertEquals(outcome, client(SECRET).pull(server.endpoint(), order()));
            assertEquals(order(), seen.get());
        }
    }

    @Test
    void aServerWithoutAHandlerRefusesAndAFailedPullIsReportedWithItsReason() {
        try (RepairServer server = RepairServer.start(NOTHING, RepairServerOptions.builder().secret(SECRET).build())) {
            RepairRefusedException e = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).pull(server.endpoint(), order()));
            assertEquals(RepairFrameFormat.REASON_PULL_FAILED, e.reason());
            assertTrue(e.getMessage().contains("takes no pull orders"), e.getMessage());
        }
        try (RepairServer server = RepairServer.start(NOTHING, o -> {
            throw new IllegalStateException("the store is behind");
        }, RepairServerOptions.builder().secret(SECRET).build())) {
            RepairRefusedException e = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).pull(server.endpoint(), order()));
            assertEquals(RepairFrameFormat.REASON_PULL_FAILED, e.reason());
            assertTrue(e.getMessage().contains("IllegalStateException: the store is behind"), e.getMessage());
        }
    }

    @Test
    void aClientWithoutTheSecretCannotGiveAnOrder() {
        AtomicReference<PullOrder> seen = new AtomicReference<>();
        try (RepairServer server = RepairServer.start(NOTHING, o -> {
            seen.set(o);
            return new PullOutcome(0, 0, 0, 0, 0, false);
        }, RepairServerOptions.builder().secret(SECRET).build())) {
            byte[] other = "another-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
            RepairProtocolException e = assertThrows(RepairProtocolException.class,
                    () -> client(other).pull(server.endpoint(), order()));
            assertEquals(RepairProtocolException.Problem.AUTHENTICATION_FAILED, e.problem());
            assertNull(seen.get(), "the handler never ran");
        }
    }

    @Test
    void aMalformedPullBodyIsRefusedNamingTheField() {
        byte[] signed = PullFrames.pullSignedBody(order());
        byte[] frame = PullFrames.pull(signed, new byte[0]);
        byte[] body = Arrays.copyOfRange(frame, RepairFrameFormat.HEADER_LENGTH + 1, frame.length);
        // The digest length sits after the three names: make it run past the end.
        int at = 1 + 14 + 1 + 9 + 1 + 4;
        byte[] bad = body.clone();
        bad[at] = (byte) 0xFF;
        RepairProtocolException e = assertThrows(RepairProtocolException.class,
                () -> PullFrames.decodePull(ByteBuffer.wrap(bad)));
        assertEquals(RepairProtocolException.Problem.MALFORMED, e.problem());
        assertTrue(e.getMessage().contains("PULL digest length"), e.getMessage());

        byte[] noEndpoint = body.clone();
        noEndpoint[0] = 0;
        e = assertThrows(RepairProtocolException.class, () -> PullFrames.decodePull(ByteBuffer.wrap(noEndpoint)));
        assertTrue(e.getMessage().contains("source endpoint length 0"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new PullOrder("", "b", "", order().expected()));
        RangeDigest damaged = new RangeDigest("orders", new byte[0], null, 1, 0, 0, new Hash128(0, 0),
                RangeDigest.Status.DAMAGED, "x");
        assertThrows(IllegalArgumentException.class, () -> new PullOrder("h:1", "b", "", damaged));
        assertFalse(order().toString().isEmpty());
    }
}
