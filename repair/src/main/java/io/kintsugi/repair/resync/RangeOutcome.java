package io.kintsugi.repair.resync;

import io.kintsugi.repair.net.PullOutcome;

/** What became of one range of a resync: copied (from which source, what the pull did), already equal, or failed. */
final class RangeOutcome {
    enum Kind { COPIED, EQUAL, FAILED }

    final Kind kind;
    final PullOutcome pulled;
    final String source;
    final String problem;

    private RangeOutcome(Kind kind, PullOutcome pulled, String source, String problem) {
        this.kind = kind;
        this.pulled = pulled;
        this.source = source;
        this.problem = problem;
    }

    static RangeOutcome copied(PullOutcome pulled, String source) {
        return new RangeOutcome(Kind.COPIED, pulled, source, null);
    }

    static RangeOutcome equal() {
        return new RangeOutcome(Kind.EQUAL, null, null, null);
    }

    static RangeOutcome failed(String problem) {
        return new RangeOutcome(Kind.FAILED, null, null, problem);
    }
}
