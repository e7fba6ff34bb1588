package dev.alpharl.trainer.report;

import dev.alpharl.trainer.eval.EvalResult;

/** Confidence intervals of an accuracy (the graded samples taken as independent Bernoulli trials). */
public final class Wilson {
    /** z for a two-sided 95% interval: Φ⁻¹(0.975). */
    static final double Z95 = 1.959963984540054;

    private Wilson() {}

    /** The 95% Wilson score interval of an evaluation's accuracy. */
    public static Interval interval95(EvalResult e) {
        return wilson(e.accuracy(), e.graded(), Z95);
    }

    /**
     * Wilson score interval: centre (p + z²/2n) / (1 + z²/n), half-width z/(1 + z²/n) · √(p(1 − p)/n + z²/4n²).
     * Unlike p ± z·SE it stays inside [0, 1] and does not collapse to a point at p = 0 or 1, where the bound on
     * that side is exactly 0 (or 1); it is set so rather than left to rounding.
     */
    static Interval wilson(double p, int n, double z) {
        double z2n = z * z / n;
        double denominator = 1 + z2n;
        double centre = (p + z2n / 2) / denominator;
        double halfWidth = z / denominator * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n));
        double low = p == 0 ? 0 : Math.max(0, centre - halfWidth);
        double high = p == 1 ? 1 : Math.min(1, centre + halfWidth);
        return new Interval(low, high);
    }
}
