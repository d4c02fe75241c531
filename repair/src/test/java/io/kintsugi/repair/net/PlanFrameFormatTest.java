package io.kintsugi.repair.net;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.kintsugi.repair.net.RepairFrameFormatTest.body;
import static io.kintsugi.repair.net.RepairFrameFormatTest.malformed;
import static io.kintsugi.repair.net.RepairFrameFormatTest.trailingAndTruncated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The approval frames' bodies (FORMAT.md 14.3, PLANS, DECISION, DECIDED): each rule of 14.4 that applies to them
 * refuses a body that breaks it with {@code MALFORMED}, naming the field and the limit; the writer refuses what it
 * cannot encode.
 */
class PlanFrameFormatTest {

    private static byte[] golden(String name) {
        return GoldenRepairFrames.frames().get(name);
    }

    @Test
    void trailingBytesAndShortBodiesAreMalformed() {
        trailingAndTruncated("PLANS", golden("plans.frame"), PlanFrameFormat::decodePlans);
        trailingAndTruncated("PLANS", golden("plans-empty.frame"), PlanFrameFormat::decodePlans);
        trailingAndTruncated("DECISION", golden("decision-approve.frame"), PlanFrameFormat::decodeDecision);
        trailingAndTruncated("DECISION", golden("decision-reject.frame"), PlanFrameFormat::decodeDecision);
        trailingAndTruncated("DECIDED", golden("decided.frame"), PlanFrameFormat::decodeDecided);
    }

    @Test
    void plansFieldsOutOfRangeAreMalformed() {
        ByteBuffer moreListedThanWaiting = body(golden("plans.frame"));
        moreListedThanWaiting.putInt(0, 1);
        malformed(() -> PlanFrameFormat.decodePlans(moreListedThanWaiting), "lists 2 plans of 1 waiting");

        ByteBuffer emptyId = body(golden("plans.frame"));
        emptyId.put(6, (byte) 0);
        malformed(() -> PlanFrameFormat.decodePlans(emptyId), "PLANS plan 0 repair id length 0 is outside 1..64");

        // The namespace length byte follows the 16-byte id at offset 6 + 1 + 16.
        ByteBuffer longNamespace = body(golden("plans.frame"));
        longNamespace.put(23, (byte) 65);
        malformed(() -> PlanFrameFormat.decodePlans(longNamespace), "namespace length 65 is outside 1..64");

        ByteBuffer badName = body(golden("plans.frame"));
        badName.put(24, (byte) 'O');
        malformed(() -> PlanFrameFormat.decodePlans(badName), "PLANS plan 0 is invalid: a namespace name must match");

        ByteBuffer flags = body(golden("plans.frame"));
        flags.put(30, (byte) 7);
        malformed(() -> PlanFrameFormat.decodePlans(flags), "flags 7 set bits other than 0 and 1");

        ByteBuffer fromLength = body(golden("plans.frame"));
        fromLength.putInt(31, 65_537);
        malformed(() -> PlanFrameFormat.decodePlans(fromLength), "PLANS plan 0 from length 65537 is outside 0..65536");

        ByteBuffer toLength = body(golden("plans.frame"));
        toLength.putInt(39, -1);
        malformed(() -> PlanFrameFormat.decodePlans(toLength), "PLANS plan 0 to length -1 is outside 0..65537");

        ByteBuffer noTarget = body(golden("plans.frame"));
        noTarget.put(47, (byte) 0);
        malformed(() -> PlanFrameFormat.decodePlans(noTarget), "PLANS plan 0 target length 0 is outside 1..255");

        // sequence, pairs, bytes estimate, age follow the two 9-byte replica ids at 47.
        ByteBuffer negativeAge = body(golden("plans.frame"));
        negativeAge.putLong(47 + 10 + 10 + 24, -1);
        malformed(() -> PlanFrameFormat.decodePlans(negativeAge), "age -1 ms is below 0");
    }

    @Test
    void decisionAndDecidedFieldsOutOfRangeAreMalformed() {
        ByteBuffer verdict = body(golden("decision-approve.frame"));
        verdict.put(0, (byte) 3);
        malformed(() -> PlanFrameFormat.decodeDecision(verdict), "DECISION decision 3 is neither 1");

        ByteBuffer space = body(golden("decision-approve.frame"));
        space.put(2, (byte) ' ');
        malformed(() -> PlanFrameFormat.decodeDecision(space), "DECISION repair id is not printable ASCII");

        ByteBuffer longId = body(golden("decision-approve.frame"));
        longId.put(1, (byte) 65);
        malformed(() -> PlanFrameFormat.decodeDecision(longId), "DECISION repair id length 65 is outside 1..64");

        ByteBuffer why = body(golden("decision-approve.frame"));
        why.putShort(18, (short) 1025);
        malformed(() -> PlanFrameFormat.decodeDecision(why), "detail length 1025 exceeds 1024");

        ByteBuffer proof = body(golden("decision-approve.frame"));
        proof.put(20, (byte) 31);
        malformed(() -> PlanFrameFormat.decodeDecision(proof), "DECISION proof length 31 is neither 0 nor 32");

        ByteBuffer outcome = body(golden("decided.frame"));
        outcome.put(0, (byte) 6);
        malformed(() -> PlanFrameFormat.decodeDecided(outcome), "DECIDED outcome 6 is not one of 1 to 5");

        // The sequence follows the id (1 + 16) and the two 9-byte replica ids.
        ByteBuffer sequence = body(golden("decided.frame"));
        sequence.putLong(1 + 17 + 20, -2);
        malformed(() -> PlanFrameFormat.decodeDecided(sequence), "DECIDED sequence -2");

        ByteBuffer wire = body(golden("decided.frame"));
        wire.putLong(1 + 17 + 20 + 32, -1);
        malformed(() -> PlanFrameFormat.decodeDecided(wire), "wire bytes -1 below 0");
    }

    @Test
    void theWriterRefusesWhatItCannotEncode() {
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
                () -> PlanFrameFormat.decisionSignedBody(RepairFrameFormat.DECISION_APPROVE, "two words", ""));
        assertTrue(id.getMessage().contains("printable ASCII characters without spaces"), id.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PlanFrameFormat.decisionSignedBody(RepairFrameFormat.DECISION_APPROVE, "x".repeat(65), ""));
        IllegalArgumentException why = assertThrows(IllegalArgumentException.class,
                () -> PlanFrameFormat.decisionSignedBody(RepairFrameFormat.DECISION_REJECT, "abc", "w".repeat(1025)));
        assertTrue(why.getMessage().contains("exceeds the limit of 1024 bytes"), why.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PlanFrameFormat.decisionSignedBody(0, "abc", ""));
        assertThrows(IllegalArgumentException.class, () -> new PendingPlan("abc", "orders", null, null, "",
                "b", 1, 1, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new PendingPlan("abc", "orders", null, null, "a",
                "b", -1, 1, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new KeyFingerprint(65_538, 0));
        // A summary over the limit is cut on a character boundary, not refused: it is the server's own text.
        PlanDecision long_ = new PlanDecision("abc", PlanDecision.Outcome.FAILED, "", "", -1, -1, 0, 0, 0,
                "\u00e9".repeat(600));
        assertEquals(512, long_.summary().length());
    }

    @Test
    void aFullListingRoundTripsWithinTheFrameLimit() {
        List<PendingPlan> plans = new ArrayList<>();
        String longId = "r".repeat(255);
        for (int i = 0; i < RepairFrameFormat.MAX_LISTED_PLANS; i++) {
            plans.add(new PendingPlan(String.format("%064x", i), "n".repeat(64), new KeyFingerprint(65_536, i),
                    new KeyFingerprint(65_537, -i), longId, longId, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
                    Duration.ofDays(365)));
        }
        PlanListing listing = new PlanListing(1L << 20, plans);
        byte[] frame = PlanFrameFormat.plans(listing);
        assertTrue(frame.length - 8 <= RepairFrameFormat.MAX_FRAME_BYTES, "a full listing fits a frame: "
                + frame.length);
        assertEquals(listing, PlanFrameFormat.decodePlans(body(frame)));
        assertThrows(IllegalArgumentException.class, () -> new PlanListing(1, List.of(plans.get(0), plans.get(1))));
    }
}
