package dev.alpharl.trainer.alpharl;

import java.util.Arrays;

/**
 * Law 2 in the step (ALPHARL.md §11): a rank-1 coefficient c_t fit by OLS in the step over the fit window (the
 * first nFit checkpoints), ĉ(s) = α·s + β, and judged on the held-out rest:
 * <pre>
 *   in-sample R²  on the window,  out-of-sample R² on the held-out checkpoints (LinearFit.rSquared)
 *   overshoot = ĉ(s_T) / c_T      (> 1: the line overshoots the last checkpoint, i.e. c grows sub-linearly)
 *   endpoint error = |ĉ(s_T) − c_T| / |c_T| = |overshoot − 1|
 * </pre>
 */
public record CoefficientLine(double inSampleR2, double outOfSampleR2, double overshoot) {

    /** @param nFit at least 2 and below the number of points */
    public static CoefficientLine of(double[] steps, double[] c, int nFit) {
        if (nFit < 2 || nFit >= steps.length) {
            throw new IllegalArgumentException("need 2 ≤ nFit < " + steps.length + ", got " + nFit);
        }
        double[] xf = Arrays.copyOfRange(steps, 0, nFit);
        double[] yf = Arrays.copyOfRange(c, 0, nFit);
        LinearFit line = LinearFit.of(xf, yf);
        double last = c[c.length - 1];
        return new CoefficientLine(
                line.rSquared(xf, yf),
                line.rSquared(Arrays.copyOfRange(steps, nFit, steps.length), Arrays.copyOfRange(c, nFit, c.length)),
                line.at(steps[steps.length - 1]) / last);
    }

    /** |ĉ(s_T) − c_T| / |c_T|. */
    public double endpointError() {
        return Math.abs(overshoot - 1);
    }
}
