package io.kintsugi.repair.net;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.kintsugi.repair.net.FrameFields.buffer;
import static io.kintsugi.repair.net.FrameFields.bytes;
import static io.kintsugi.repair.net.FrameFields.detail;
import static io.kintsugi.repair.net.FrameFields.expectEnd;
import static io.kintsugi.repair.net.RepairFrameFormat.frame;
import static io.kintsugi.repair.net.FrameFields.malformed;
import static io.kintsugi.repair.net.FrameFields.parse;
import static io.kintsugi.repair.net.FrameFields.proof;
import static io.kintsugi.repair.net.FrameFields.putProof;

/**
 * The bodies of the approval frames of the repair protocol: PLANS, DECISION and DECIDED (docs/FORMAT.md 14.3). The
 * frame, the type codes, the request kinds and the ERROR reasons are {@link RepairFrameFormat}'s; this class only
 * lays out these three bodies (little-endian, as every repair frame).
 *
 * <pre>
 * PLANS    (12, server to client)  u32 waiting w, u16 listed c (0..min(w, MAX_LISTED_PLANS)), c times a plan:
 *            u8 i (1..64) repair id ASCII, u8 n (1..64) namespace ASCII, u8 flags (bit 0: from bound given,
 *            bit 1: to bound given, others 0), [u32 from length (0..65536), i32 from hash: bit 0],
 *            [u32 to length (0..65537), i32 to hash: bit 1], u8 t (1..255) target id UTF-8,
 *            u8 s (1..255) source id UTF-8, i64 sequence, i64 pairs, i64 bytes estimate, i64 age in ms (all &ge; 0)
 * DECISION (13, client to server)  u8 decision (1 approve, 2 reject), u8 i (1..64) repair id ASCII,
 *            u16 k (0..1024) why UTF-8, u8 m (0 or 32), m bytes proof (signs every body byte before m)
 * DECIDED  (14, server to client)  u8 outcome (PlanDecision.Outcome codes 1..5), u8 i (1..64) repair id ASCII,
 *            u8 t (0..255) target id UTF-8, u8 s (0..255) source id UTF-8, i64 sequence (&ge; -1),
 *            i64 proof sequence (&ge; -1), i64 pairs, i64 bytes, i64 wire bytes (&ge; 0), u16 k (0..1024) summary UTF-8
 * </pre>
 *
 * A range bound appears only as its length and {@code Arrays.hashCode} of its bytes, as the health log prints it;
 * no frame of this family carries key or value bytes.
 */
public final class PlanFrameFormat {

    /** PLANS flag: the range's {@code from} bound is given (otherwise the range starts the namespace). */
    public static final int FLAG_FROM = 1;
    /** PLANS flag: the range's {@code to} bound is given (otherwise the range runs to the namespace's end). */
    public static final int FLAG_TO = 1 << 1;

    private PlanFrameFormat() {
    }

    /**
     * A DECISION; {@code signedBody} is what the proof signs: the body before the proof length.
     *
     * @param decision   {@link RepairFrameFormat#DECISION_APPROVE} or {@link RepairFrameFormat#DECISION_REJECT}
     * @param repairId   the plan's repair id
     * @param why        the operator's reason (for a rejection), metadata only; may be empty
     * @param proof      the client's proof, or an empty array
     * @param signedBody the body bytes before the proof length
     */
    public record Decision(int decision, String repairId, String why, byte[] proof, byte[] signedBody) {
    }

    // ---------------------------------------------------------------- encoding

    /**
     * @param listing the plans and how many wait
     * @return a PLANS frame
     */
    public static byte[] plans(PlanListing listing) {
        List<byte[]> encoded = new ArrayList<>(listing.plans().size());
        int length = 4 + 2;
        for (PendingPlan p : listing.plans()) {
            byte[] e = plan(p);
            encoded.add(e);
            length += e.length;
        }
        ByteBuffer b = buffer(length);
        b.putInt((int) listing.waiting());
        b.putShort((short) listing.plans().size());
        encoded.forEach(b::put);
        return frame(RepairFrameFormat.TYPE_PLANS, b.array());
    }

    private static byte[] plan(PendingPlan p) {
        byte[] id = p.repairId().getBytes(StandardCharsets.US_ASCII);
        byte[] ns = p.namespace().getBytes(StandardCharsets.US_ASCII);
        byte[] target = p.target().getBytes(StandardCharsets.UTF_8);
        byte[] source = p.source().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = buffer(1 + id.length + 1 + ns.length + 1 + (p.from() == null ? 0 : 8)
                + (p.to() == null ? 0 : 8) + 1 + target.length + 1 + source.length + 4 * 8);
        b.put((byte) id.length).put(id);
        b.put((byte) ns.length).put(ns);
        b.put((byte) ((p.from() == null ? 0 : FLAG_FROM) | (p.to() == null ? 0 : FLAG_TO)));
        if (p.from() != null) {
            b.putInt(p.from().length()).putInt(p.from().hash());
        }
        if (p.to() != null) {
            b.putInt(p.to().length()).putInt(p.to().hash());
        }
        b.put((byte) target.length).put(target);
        b.put((byte) source.length).put(source);
        b.putLong(p.sequence()).putLong(p.pairs()).putLong(p.bytesEstimate()).putLong(p.age().toMillis());
        return b.array();
    }

    /**
     * @param decision {@link RepairFrameFormat#DECISION_APPROVE} or {@link RepairFrameFormat#DECISION_REJECT}
     * @param repairId the plan's repair id
     * @param why      the reason for a rejection, metadata only, at most
     *                 {@value RepairFrameFormat#MAX_DETAIL_BYTES} UTF-8 bytes; may be empty
     * @return the DECISION body before the proof length: what the client's proof signs
     * @throws IllegalArgumentException if the decision code is unknown, the repair id malformed or the reason too
     *                                  long
     */
    public static byte[] decisionSignedBody(int decision, String repairId, String why) {
        checkDecision(decision);
        byte[] id = PendingPlan.checkRepairId(repairId).getBytes(StandardCharsets.US_ASCII);
        byte[] text = why.getBytes(StandardCharsets.UTF_8);
        if (text.length > RepairFrameFormat.MAX_DETAIL_BYTES) {
            throw new IllegalArgumentException("a rejection's reason of " + text.length + " UTF-8 bytes exceeds the "
                    + "limit of " + RepairFrameFormat.MAX_DETAIL_BYTES + " bytes (RepairFrameFormat.MAX_DETAIL_BYTES)");
        }
        ByteBuffer b = buffer(1 + 1 + id.length + 2 + text.length);
        b.put((byte) decision);
        b.put((byte) id.length).put(id);
        b.putShort((short) text.length).put(text);
        return b.array();
    }

    /**
     * @param signedBody what {@link #decisionSignedBody} returned
     * @param proof      the client's proof, or an empty array
     * @return a DECISION frame
     */
    public static byte[] decision(byte[] signedBody, byte[] proof) {
        ByteBuffer b = buffer(signedBody.length + 1 + proof.length);
        b.put(signedBody);
        putProof(b, proof);
        return frame(RepairFrameFormat.TYPE_DECISION, b.array());
    }

    /**
     * @param d what came of a decision
     * @return a DECIDED frame
     */
    public static byte[] decided(PlanDecision d) {
        byte[] id = d.repairId().getBytes(StandardCharsets.US_ASCII);
        byte[] target = d.target().getBytes(StandardCharsets.UTF_8);
        byte[] source = d.source().getBytes(StandardCharsets.UTF_8);
        byte[] summary = d.summary().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = buffer(1 + 1 + id.length + 1 + target.length + 1 + source.length + 5 * 8 + 2
                + summary.length);
        b.put((byte) d.outcome().code());
        b.put((byte) id.length).put(id);
        b.put((byte) target.length).put(target);
        b.put((byte) source.length).put(source);
        b.putLong(d.sequence()).putLong(d.proofSequence()).putLong(d.pairs()).putLong(d.bytes())
                .putLong(d.wireBytes());
        b.putShort((short) summary.length).put(summary);
        return frame(RepairFrameFormat.TYPE_DECIDED, b.array());
    }

    // ---------------------------------------------------------------- decoding

    /**
     * @param b the body of a PLANS frame
     * @return the listing
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static PlanListing decodePlans(ByteBuffer b) {
        return parse("PLANS", b, () -> {
            long waiting = b.getInt() & 0xFFFFFFFFL;
            int listed = b.getShort() & 0xFFFF;
            if (listed > waiting || listed > RepairFrameFormat.MAX_LISTED_PLANS) {
                throw malformed("PLANS lists " + listed + " plans of " + waiting + " waiting; it lists at most "
                        + RepairFrameFormat.MAX_LISTED_PLANS + " and no more than wait");
            }
            List<PendingPlan> plans = new ArrayList<>(listed);
            for (int i = 0; i < listed; i++) {
                plans.add(decodePlan(b, i));
            }
            expectEnd("PLANS", b);
            return new PlanListing(waiting, plans);
        });
    }

    private static PendingPlan decodePlan(ByteBuffer b, int i) {
        String what = "PLANS plan " + i;
        String id = text(b, what + " repair id", 1, RepairFrameFormat.MAX_REPAIR_ID_BYTES, StandardCharsets.US_ASCII);
        String ns = text(b, what + " namespace", 1, RepairFrameFormat.MAX_NAMESPACE_NAME_BYTES,
                StandardCharsets.US_ASCII);
        int flags = b.get() & 0xFF;
        if ((flags & ~(FLAG_FROM | FLAG_TO)) != 0) {
            throw malformed(what + " flags " + flags + " set bits other than 0 and 1");
        }
        KeyFingerprint from = (flags & FLAG_FROM) != 0
                ? fingerprint(b, what + " from", RepairFrameFormat.MAX_FROM_LENGTH) : null;
        KeyFingerprint to = (flags & FLAG_TO) != 0 ? fingerprint(b, what + " to", RepairFrameFormat.MAX_TO_LENGTH)
                : null;
        String target = text(b, what + " target", 1, RepairFrameFormat.MAX_PULL_NAME_BYTES, StandardCharsets.UTF_8);
        String source = text(b, what + " source", 1, RepairFrameFormat.MAX_PULL_NAME_BYTES, StandardCharsets.UTF_8);
        long sequence = b.getLong();
        long pairs = b.getLong();
        long bytes = b.getLong();
        long ageMillis = b.getLong();
        if (sequence < 0 || pairs < 0 || bytes < 0 || ageMillis < 0) {
            throw malformed(what + " sequence " + sequence + ", pairs " + pairs + ", bytes estimate " + bytes
                    + " or age " + ageMillis + " ms is below 0");
        }
        try {
            return new PendingPlan(id, ns, from, to, target, source, sequence, pairs, bytes,
                    Duration.ofMillis(ageMillis));
        } catch (IllegalArgumentException e) {
            throw malformed(what + " is invalid: " + e.getMessage());
        }
    }

    /**
     * @param b the body of a DECISION frame
     * @return the decoded DECISION
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static Decision decodeDecision(ByteBuffer b) {
        return parse("DECISION", b, () -> {
            int start = b.position();
            int decision = b.get() & 0xFF;
            if (decision != RepairFrameFormat.DECISION_APPROVE && decision != RepairFrameFormat.DECISION_REJECT) {
                throw malformed("DECISION decision " + decision + " is neither " + RepairFrameFormat.DECISION_APPROVE
                        + " (approve) nor " + RepairFrameFormat.DECISION_REJECT + " (reject)");
            }
            String id = repairId(b, "DECISION");
            String why = detail("DECISION why", b);
            byte[] signed = new byte[b.position() - start];
            b.duplicate().position(start).get(signed);
            byte[] proof = proof("DECISION", b);
            expectEnd("DECISION", b);
            return new Decision(decision, id, why, proof, signed);
        });
    }

    /**
     * @param b the body of a DECIDED frame
     * @return the decoded decision
     * @throws RepairProtocolException ({@code MALFORMED}) if the body breaks a rule of FORMAT.md 14.3
     */
    public static PlanDecision decodeDecided(ByteBuffer b) {
        return parse("DECIDED", b, () -> {
            int code = b.get() & 0xFF;
            PlanDecision.Outcome outcome;
            try {
                outcome = PlanDecision.Outcome.ofCode(code);
            } catch (IllegalArgumentException e) {
                throw malformed("DECIDED outcome " + code + " is not one of 1 to "
                        + PlanDecision.Outcome.values().length);
            }
            String id = repairId(b, "DECIDED");
            String target = text(b, "DECIDED target", 0, RepairFrameFormat.MAX_PULL_NAME_BYTES,
                    StandardCharsets.UTF_8);
            String source = text(b, "DECIDED source", 0, RepairFrameFormat.MAX_PULL_NAME_BYTES,
                    StandardCharsets.UTF_8);
            long sequence = b.getLong();
            long proofSequence = b.getLong();
            long pairs = b.getLong();
            long bytes = b.getLong();
            long wire = b.getLong();
            if (sequence < -1 || proofSequence < -1 || pairs < 0 || bytes < 0 || wire < 0) {
                throw malformed("DECIDED sequence " + sequence + " or proof sequence " + proofSequence
                        + " is below -1, or pairs " + pairs + ", bytes " + bytes + " or wire bytes " + wire
                        + " below 0");
            }
            String summary = detail("DECIDED summary", b);
            expectEnd("DECIDED", b);
            return new PlanDecision(id, outcome, target, source, sequence, proofSequence, pairs, bytes, wire,
                    summary);
        });
    }

    private static String repairId(ByteBuffer b, String frame) {
        String id = text(b, frame + " repair id", 1, RepairFrameFormat.MAX_REPAIR_ID_BYTES, StandardCharsets.US_ASCII);
        try {
            return PendingPlan.checkRepairId(id);
        } catch (IllegalArgumentException e) {
            throw malformed(frame + " repair id is not printable ASCII without spaces");
        }
    }

    private static String text(ByteBuffer b, String what, int min, int max, Charset charset) {
        int n = b.get() & 0xFF;
        if (n < min || n > max) {
            throw malformed(what + " length " + n + " is outside " + min + ".." + max);
        }
        return new String(bytes(b, n), charset);
    }

    private static KeyFingerprint fingerprint(ByteBuffer b, String what, int limit) {
        int length = b.getInt();
        int hash = b.getInt();
        if (length < 0 || length > limit) {
            throw malformed(what + " length " + length + " is outside 0.." + limit);
        }
        return new KeyFingerprint(length, hash);
    }

    private static void checkDecision(int decision) {
        if (decision != RepairFrameFormat.DECISION_APPROVE && decision != RepairFrameFormat.DECISION_REJECT) {
            throw new IllegalArgumentException("a decision is " + RepairFrameFormat.DECISION_APPROVE + " (approve) or "
                    + RepairFrameFormat.DECISION_REJECT + " (reject), was " + decision);
        }
    }
}
