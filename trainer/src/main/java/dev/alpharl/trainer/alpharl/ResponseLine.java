package dev.alpharl.trainer.alpharl;

import java.util.Arrays;

/**
 * "The response is linear in the rank-1 coefficient" (ALPHARL.md §11), apart from how the target is chosen: y (held-out
 * accuracy or rollout reward) fit by OLS on the coefficient c over the fit window, ŷ(c) = α·c + β, judged on the
 * held-out checkpoints, and inverted at the oracle target y* = y_T (the last checkpoint's own response), as AlphaRL
 * inverts its fit at y*:
 * <pre>
 *   out-of-sample R² of ŷ(c_t) against y_t on the held-out checkpoints
 *   oracle ratio = c* / c_T,   c* = (y_T − β) / α
 * </pre>
 * A ratio of 1 means the window's line, given the right y*, lands on the final coefficient; it is NaN when the
 * window's y or c are flat (α = 0 or undefined).
 */
public record ResponseLine(double outOfSampleR2, double oracleRatio) {

    /** No fit: the window's coefficients or responses were flat. */
    public static final ResponseLine UNDEFINED = new ResponseLine(Double.NaN, Double.NaN);

    /** @param nFit at least 2 and below the number of points */
    public static ResponseLine of(double[] c, double[] y, int nFit) {
        if (nFit < 2 || nFit >= c.length) {
            throw new IllegalArgumentException("need 2 ≤ nFit < " + c.length + ", got " + nFit);
        }
        double[] cf = Arrays.copyOfRange(c, 0, nFit);
        if (Arrays.stream(cf).distinct().count() < 2) {
            return UNDEFINED;
        }
        LinearFit line = LinearFit.of(cf, Arrays.copyOfRange(y, 0, nFit));
        if (line.slope() == 0) {
            return UNDEFINED;
        }
        double cStar = (y[y.length - 1] - line.intercept()) / line.slope();
        return new ResponseLine(
                line.rSquared(Arrays.copyOfRange(c, nFit, c.length), Arrays.copyOfRange(y, nFit, y.length)),
                cStar / c[c.length - 1]);
    }
}
