package dev.alpharl.trainer.alpharl;

/**
 * When a matrix's rank-1 direction is too ill-defined to extrapolate (ALPHARL.md §5): a gap ratio σ2/σ1 above
 * {@code maxGapRatio} (u1 is not unique), an overlap |u1(t)·u1(t−1)| below {@code minOverlap} (the top direction
 * swapped identity), or an iteration that did not converge. Such matrices are left out of the prediction and keep
 * their assembly variant's base.
 */
public record Rank1Quality(double maxGapRatio, double minOverlap) {

    public static final Rank1Quality DEFAULTS = new Rank1Quality(0.95, 0.9);

    /** Why {@code s} must not be extrapolated, or null when it may. */
    public String exclusionReason(MatrixSnapshot s) {
        if (!s.converged()) {
            return "top triplet did not converge (" + s.method() + ", " + s.iterations() + " iterations)";
        }
        if (s.sigma1() == 0) {
            return "zero update";
        }
        if (s.gapRatio() > maxGapRatio) {
            return String.format("gap ratio sigma2/sigma1 = %.4f > %.2f", s.gapRatio(), maxGapRatio);
        }
        if (!Double.isNaN(s.overlap()) && s.overlap() < minOverlap) {
            return String.format("overlap |u1(t).u1(t-1)| = %.4f < %.2f", s.overlap(), minOverlap);
        }
        return null;
    }
}
