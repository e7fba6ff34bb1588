package dev.alpharl.trainer.report;

/**
 * An evaluation: accuracy (mean@n in [0, 1]) over {@code n} graded samples (prompts × samples per prompt).
 *
 * <p>Its intervals treat the n graded samples as independent Bernoulli trials. With several samples per prompt
 * they are correlated within a prompt, so the intervals are approximate (too narrow when prompts differ a lot in
 * difficulty).
 */
public record EvalResult(double accuracy, int n) {
    /** z for a two-sided 95% interval: Φ⁻¹(0.975). */
    static final double Z95 = 1.959963984540054;

    public EvalResult {
        if (!(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("accuracy must be in [0, 1], got " + accuracy);
        }
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
    }

    /** Binomial variance of the accuracy estimate: p(1 − p)/n. */
    public double variance() {
        return accuracy * (1 - accuracy) / n;
    }

    public double standardError() {
        return Math.sqrt(variance());
    }

    /** The 95% Wilson score interval of the accuracy. */
    public Interval wilson95() {
        return wilson(accuracy, n, Z95);
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
