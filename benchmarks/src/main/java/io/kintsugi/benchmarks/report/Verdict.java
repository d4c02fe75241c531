package io.kintsugi.benchmarks.report;

/** How a measured ratio stands against its target. */
public enum Verdict {
    /** The ratio reaches the target. */
    MEETS("meets target"),
    /** The ratio falls short of the target. */
    BELOW("below target"),
    /** No target was set for this ratio. */
    NO_TARGET("no target");

    private final String text;

    Verdict(String text) {
        this.text = text;
    }

    /**
     * @param ratio  the measured ratio
     * @param error  its error, NaN if unknown
     * @param target the target, or null if none
     * @return the verdict
     */
    static Verdict of(double ratio, double error, Double target) {
        if (target == null) {
            return NO_TARGET;
        }
        return ratio >= target ? MEETS : BELOW;
    }

    /**
     * @param ratio  the measured ratio
     * @param error  its error, NaN if unknown
     * @param target the target, or null if none
     * @return the verdict in words, with "(within error)" when the target lies inside ratio ± error
     */
    static String describe(double ratio, double error, Double target) {
        Verdict v = of(ratio, error, target);
        if (v != NO_TARGET && !Double.isNaN(error) && Math.abs(ratio - target) <= error) {
            return v.text + " (within error)";
        }
        return v.text;
    }

    /** @return the verdict in words */
    public String text() {
        return text;
    }
}
