package io.kintsugi.repair.net;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PLANS and DECIDE over TCP on 127.0.0.1: refused without a repair service attached, plans listed and decisions
 * delivered intact once one is, every refusal mapped to its reason, and nothing reaches the service without the
 * shared secret.
 */
class ApprovalProtocolTest {

    private static final byte[] SECRET = "approval-test-secret-0123456".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRONG = "approval-test-secret-XXXXXXX".getBytes(StandardCharsets.US_ASCII);

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

    /** A service stand-in: plans by id, decisions remembered, every call recorded. */
    private static final class Desk implements ApprovalHandler {
        final ConcurrentHashMap<String, PendingPlan> waiting = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, String> decided = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile RuntimeException approveThrows;

        @Override
        public List<PendingPlan> pendingPlans() {
            calls.add("plans");
            return new ArrayList<>(waiting.values());
        }

        @Override
        public PlanDecision approve(String repairId) {
            calls.add("approve " + repairId);
            PendingPlan p = take(repairId, "approved");
            if (approveThrows != null) {
                throw approveThrows;
            }
            return new PlanDecision(repairId, PlanDecision.Outcome.REPAIRED, p.target(), p.source(), p.sequence(),
                    p.sequence() + 5, p.pairs(), 100, 140, "proven");
        }

        @Override
        public PlanDecision reject(String repairId, String why) {
            calls.add("reject " + repairId + " " + why);
            PendingPlan p = take(repairId, "rejected");
            return new PlanDecision(repairId, PlanDecision.Outcome.REJECTED, p.target(), p.source(), p.sequence(), -1,
                    0, 0, 0, "rejected, nothing changed: " + why);
        }

        private PendingPlan take(String repairId, String how) {
            PendingPlan p = waiting.remove(repairId);
            if (p == null) {
                boolean was = decided.containsKey(repairId);
                throw new PlanNotWaitingException(repairId, was, was ? "plan " + repairId + " was "
                        + decided.get(repairId) + " already" : "no plan " + repairId + " waits for approval");
            }
            decided.put(repairId, how);
            return p;
        }
    }

    private static PendingPlan plan(String id, long sequence) {
        return new PendingPlan(id, "orders", KeyFingerprint.of(new byte[] {1, 2}), null, "replica-c", "replica-a",
                sequence, 40, 4000, Duration.ofSeconds(3));
    }

    private static RepairClient client(byte[] secret) {
        return new RepairClient(RepairClientOptions.builder().secret(secret).build());
    }

    private static RepairServer server() {
        return RepairServer.start(NOTHING, RepairServerOptions.builder().secret(SECRET).build());
    }

    @Test
    void withoutARepairServiceAttachedBothRequestsAreRefused() {
        try (RepairServer server = server()) {
            RepairRefusedException plans = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).plans(server.endpoint()));
            assertEquals(RepairFrameFormat.REASON_NO_REPAIR_SERVICE, plans.reason());
            assertTrue(plans.getMessage().contains("no repair service is attached"), plans.getMessage());
            RepairRefusedException approve = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).approve(server.endpoint(), "abc"));
            assertEquals(RepairFrameFormat.REASON_NO_REPAIR_SERVICE, approve.reason());

            // Attached, then detached again.
            Desk desk = new Desk();
            server.approvals(desk);
            assertEquals(0, client(SECRET).plans(server.endpoint()).waiting());
            server.approvals(null);
            assertEquals(RepairFrameFormat.REASON_NO_REPAIR_SERVICE, assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).plans(server.endpoint())).reason());
        }
    }

    @Test
    void plansAreListedAndDecisionsDeliveredIntact() {
        Desk desk = new Desk();
        desk.waiting.put("aaaa0001", plan("aaaa0001", 100));
        desk.waiting.put("bbbb0002", plan("bbbb0002", 200));
        try (RepairServer server = server()) {
            server.approvals(desk);
            PlanListing listing = client(SECRET).plans(server.endpoint());
            assertEquals(2, listing.waiting());
            assertEquals(List.of(plan("aaaa0001", 100), plan("bbbb0002", 200)), listing.plans().stream()
                    .sorted((a, b) -> Long.compare(a.sequence(), b.sequence())).toList());

            PlanDecision approved = client(SECRET).approve(server.endpoint(), "aaaa0001");
            assertEquals(PlanDecision.Outcome.REPAIRED, approved.outcome());
            assertEquals(105, approved.proofSequence());
            assertTrue(approved.settled());
            PlanDecision rejected = client(SECRET).reject(server.endpoint(), "bbbb0002",
                    "operator: not in business hours");
            assertEquals(PlanDecision.Outcome.REJECTED, rejected.outcome());
            assertEquals("rejected, nothing changed: operator: not in business hours", rejected.summary());
            assertEquals(List.of("plans", "approve aaaa0001", "reject bbbb0002 operator: not in business hours"),
                    desk.calls);

            RepairRefusedException again = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).approve(server.endpoint(), "aaaa0001"));
            assertEquals(RepairFrameFormat.REASON_ALREADY_DECIDED, again.reason());
            assertTrue(again.getMessage().contains("was approved already"), again.getMessage());
            RepairRefusedException unknown = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).reject(server.endpoint(), "cccc0003", "no"));
            assertEquals(RepairFrameFormat.REASON_NO_SUCH_PLAN, unknown.reason());
            assertTrue(unknown.getMessage().contains("no plan cccc0003 waits"), unknown.getMessage());
        }
    }

    @Test
    void aRepairThatThrowsIsReportedWithItsReason() {
        Desk desk = new Desk();
        desk.waiting.put("aaaa0001", plan("aaaa0001", 100));
        desk.approveThrows = new IllegalArgumentException("namespace orders is gone");
        try (RepairServer server = server()) {
            server.approvals(desk);
            RepairRefusedException e = assertThrows(RepairRefusedException.class,
                    () -> client(SECRET).approve(server.endpoint(), "aaaa0001"));
            assertEquals(RepairFrameFormat.REASON_DECISION_FAILED, e.reason());
            assertTrue(e.getMessage().contains("IllegalArgumentException: namespace orders is gone"), e.getMessage());
        }
    }

    @Test
    void withoutTheSecretNothingReachesTheService() {
        Desk desk = new Desk();
        desk.waiting.put("aaaa0001", plan("aaaa0001", 100));
        try (RepairServer server = server()) {
            server.approvals(desk);
            for (byte[] secret : new byte[][] {WRONG, null}) {
                RepairProtocolException plans = assertThrows(RepairProtocolException.class,
                        () -> client(secret).plans(server.endpoint()));
                assertEquals(RepairProtocolException.Problem.AUTHENTICATION_FAILED, plans.problem());
                RepairProtocolException approve = assertThrows(RepairProtocolException.class,
                        () -> client(secret).approve(server.endpoint(), "aaaa0001"));
                assertEquals(RepairProtocolException.Problem.AUTHENTICATION_FAILED, approve.problem());
            }
            assertTrue(desk.calls.isEmpty(), desk.calls.toString());
            assertEquals(1, desk.waiting.size());
        }
    }
}
